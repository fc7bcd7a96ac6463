// mode: classic
// family: fractal
// title: Phoenix fractal with drifting parameters and two-tone palette
// author: synthkd (original)
precision highp float;
uniform vec2 resolution;
uniform vec2 mouse;
uniform float time;
uniform sampler2D backbuffer;

void main() {
    vec2 uv = (gl_FragCoord.xy * 2.0 - resolution) / resolution.y;
    vec2 z = vec2(uv.y, -uv.x) * (0.8 + 0.25 * sin(time * 0.3)) + 0.15 * vec2(sin(time * 0.5), 0.0);
    vec2 zp = vec2(0.0);
    float pc = 0.586 + 0.018 * sin(time * 0.43);
    vec2 q = vec2(-0.475 + 0.025 * cos(time * 0.37), 0.04 * sin(time * 0.61));
    float n = 0.0;
    float trap = 9.0;
    for (int i = 0; i < 90; i++) {
        vec2 zn = vec2(z.x * z.x - z.y * z.y + pc, 2.0 * z.x * z.y)
                + vec2(q.x * zp.x - q.y * zp.y, q.x * zp.y + q.y * zp.x);
        zp = z;
        z = zn;
        trap = min(trap, abs(z.x * z.y));
        if (dot(z, z) > 16.0) break;
        n += 1.0;
    }
    float sm = n - log2(log2(max(dot(z, z), 2.0)));
    vec3 warm = vec3(1.0, 0.45, 0.1);
    vec3 cool = vec3(0.1, 0.5, 0.9);
    float band = 0.5 + 0.5 * sin(sm * 0.8 + time * 0.8);
    vec3 col = mix(cool, warm, band) * (0.35 + 0.65 * smoothstep(0.0, 14.0, sm));
    col = mix(col, vec3(0.9, 0.2, 0.5), 0.4 * exp(-trap * 6.0));
    if (n > 89.0) {
        float tt = clamp(sqrt(trap) * 2.0, 0.0, 1.0);
        col = mix(vec3(0.95, 0.9, 0.4), vec3(0.2, 0.7, 0.4), tt) * (0.7 + 0.3 * sin(z.x * 14.0 + time));
    }
    col = mix(col, col.gbr, 0.5 + 0.5 * sin(time * 0.35));
    gl_FragColor = vec4(col, 1.0);
}
