// mode: geeker300
// family: fractal
// title: relaxed Newton basins of an animated cubic
// author: synthkd (original)
vec2 cm(vec2 a, vec2 b) { return vec2(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x); }
vec2 cd(vec2 a, vec2 b) { return vec2(a.x * b.x + a.y * b.y, a.y * b.x - a.x * b.y) / (dot(b, b) + 1e-12); }

void main() {
    vec2 p = (gl_FragCoord.xy * 2.0 - r) / r.y * (1.1 + 0.4 * sin(t * 0.37));
    vec2 b = 0.8 * vec2(cos(t * 0.5), sin(t * 0.7));
    float relax = 1.0 + 0.35 * sin(t * 0.9);
    vec2 z = p;
    float n = 0.0;
    for (int i = 0; i < 48; i++) {
        vec2 z2 = cm(z, z);
        vec2 f = cm(z2, z) + cm(b, z) - vec2(1.0, 0.0);
        vec2 df = 3.0 * z2 + b;
        vec2 step_ = relax * cd(f, df);
        z -= step_;
        if (dot(step_, step_) < 1e-6) break;
        n += 1.0;
    }
    float hue = atan(z.y, z.x + 1e-9) / 6.2831 + 0.5;
    vec3 col = 0.5 + 0.5 * cos(6.2831 * (hue + vec3(0.0, 0.33, 0.67)) + t * 0.2);
    float shade = exp(-n * 0.07);
    col = mix(col * 0.2, col, shade) + 0.15 * sin(n * 1.7);
    o = vec4(col, 1.0);
}
