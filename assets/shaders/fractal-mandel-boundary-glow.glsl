// mode: geeker
// family: fractal
// title: Mandelbrot distance-estimate glow travelling along the cardioid rim
// author: synthkd (original)
void main() {
    vec2 p = (gl_FragCoord.xy * 2.0 - r) / r.y;
    float th = 0.6 + t * 0.55;
    vec2 e1 = vec2(cos(th), sin(th));
    vec2 e2 = vec2(cos(2.0 * th), sin(2.0 * th));
    vec2 rim = 0.5 * e1 - 0.25 * e2;
    float zoom = 0.08 + 0.05 * sin(t * 0.9);
    vec2 c = rim + 0.3 * zoom * e1 + p * zoom;
    vec2 z = vec2(0.0), dz = vec2(0.0);
    float n = 0.0;
    for (int i = 0; i < 100; i++) {
        dz = 2.0 * vec2(z.x * dz.x - z.y * dz.y, z.x * dz.y + z.y * dz.x) + vec2(1.0, 0.0);
        z = vec2(z.x * z.x - z.y * z.y, 2.0 * z.x * z.y) + c;
        if (dot(z, z) > 1e4) break;
        n += 1.0;
    }
    float lz = length(z);
    float de = 0.5 * lz * log(max(lz, 1.0)) / max(length(dz), 1e-9);
    float g = clamp(de / zoom, 0.0, 1.0);
    float glow = pow(max(1.0 - g * 6.0, 0.0), 3.0) + 0.4 * exp(-g * 25.0);
    vec3 base = vec3(0.05, 0.03, 0.15) + 0.12 * vec3(sin(n * 0.3 + t), sin(n * 0.21), 1.0);
    vec3 neon = 0.5 + 0.5 * cos(6.2831 * (n * 0.025 + vec3(0.0, 0.33, 0.67)) + t * 0.3);
    vec3 col = base + neon * glow * 1.6;
    if (n > 99.0) col = vec3(0.02, 0.0, 0.05) + 0.15 * neon * (0.5 + 0.5 * sin(length(z) * 20.0));
    gl_FragColor = vec4(col, 1.0);
}
