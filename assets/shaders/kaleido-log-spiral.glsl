// mode: geeker300
// family: kaleido
// title: mirrored logarithmic-spiral arms with checker shading
// author: synthkd (original)
void main() {
    vec2 p = (gl_FragCoord.xy * 2.0 - r) / r.y;
    float l = max(length(p), 1e-4);
    float a = atan(p.y, p.x);
    float arms = 7.0;
    float k = 1.5 + 0.5 * sin(t * 0.21);
    float s1 = a * arms / 6.2831 + log(l) * k - t * 0.3;
    float s2 = a * arms / 6.2831 - log(l) * k * 1.3 + t * 0.2;
    float m1 = abs(fract(s1) - 0.5);
    float m2 = abs(fract(s2) - 0.5);
    float chk = mod(floor(s1 * 2.0) + floor(s2 * 2.0), 2.0);
    float hue = fract(mod(floor(s1), 7.0) / 7.0 + mod(floor(s2), 7.0) * 0.09 + t * 0.04);
    vec3 c1 = 0.5 + 0.5 * cos(6.2831 * (hue + vec3(0.0, 0.33, 0.67)));
    vec3 c2 = 0.5 + 0.5 * cos(6.2831 * (hue + 0.4 + vec3(0.1, 0.2, 0.3)));
    vec3 col = mix(c1, c2, chk);
    col *= 0.55 + 0.45 * smoothstep(0.0, 0.2, min(m1, m2));
    col *= smoothstep(0.0, 0.08, l) * 0.8 + 0.2;
    o = vec4(col, 1.0);
}
