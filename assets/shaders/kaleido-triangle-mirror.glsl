// mode: geeker300
// family: kaleido
// title: equilateral-triangle mirror group tiling with motif in the fundamental cell
// author: synthkd (original)
vec2 reflectLine(vec2 p, vec2 n, float d) {
    float s = dot(p, n) - d;
    return s < 0.0 ? p - 2.0 * s * n : p;
}

void main() {
    vec2 p = (gl_FragCoord.xy * 2.0 - r) / r.y;
    float ang = t * 0.12;
    p = mat2(cos(ang), sin(ang), -sin(ang), cos(ang)) * p * (2.2 + 0.8 * sin(t * 0.3));
    p += vec2(t * 0.2, 0.1 * t);
    vec2 n1 = vec2(0.0, 1.0);
    vec2 n2 = vec2(-0.8660254, -0.5);
    vec2 n3 = vec2(0.8660254, -0.5);
    float flips = 0.0;
    for (int i = 0; i < 24; i++) {
        vec2 q = p;
        p = reflectLine(p, n1, 0.0);
        p = reflectLine(p, n2, -0.5);
        p = reflectLine(p, n3, -0.5);
        if (dot(p - q, p - q) < 1e-10) break;
        flips += 1.0;
    }
    float edge = min(min(p.y, dot(p, n2) + 0.5), dot(p, n3) + 0.5);
    vec2 ctr = vec2(0.0, 0.2886751);
    float rc = length(p - ctr);
    float ring = abs(rc - 0.17 - 0.04 * sin(t * 0.8));
    float spoke = abs(p.x);
    vec3 col = 0.55 + 0.45 * cos(6.2831 * (vec3(0.0, 0.3, 0.6) + rc * 1.2 + t * 0.05));
    col = mix(col, vec3(0.95, 0.85, 0.6), smoothstep(0.03, 0.0, ring));
    col = mix(col, vec3(0.1, 0.15, 0.35), smoothstep(0.015, 0.0, spoke) * 0.7);
    col *= smoothstep(0.0, 0.04, edge) * 0.7 + 0.3;
    col = mix(col, col.bgr, 0.3 * mod(flips, 2.0));
    o = vec4(col, 1.0);
}
