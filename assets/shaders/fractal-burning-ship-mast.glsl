// mode: classic300
// family: fractal
// title: burning ship fractal panning along the mast of mini ships
// author: synthkd (original)
#version 300 es
precision highp float;
uniform vec2 resolution;
uniform float time;
out vec4 outColor;

vec3 fire(float x, float shift) {
    x = fract(x);
    vec3 a = vec3(0.55, 0.35, 0.25);
    vec3 b = vec3(0.45, 0.4, 0.35);
    return a + b * cos(6.2831 * (x * vec3(1.0, 1.15, 1.3) + vec3(0.0, 0.12, 0.3) + shift));
}

void main() {
    vec2 uv = (gl_FragCoord.xy * 2.0 - resolution) / resolution.y;
    uv.y = -uv.y;
    float zoom = 0.05 + 0.025 * sin(time * 0.45);
    vec2 centre = vec2(-1.762 + 0.008 * sin(time * 0.23), -0.03 - 0.006 * cos(time * 0.31));
    vec2 c = centre + uv * zoom;
    vec2 z = vec2(0.0);
    float n = 0.0;
    for (int i = 0; i < 100; i++) {
        z = abs(z);
        z = vec2(z.x * z.x - z.y * z.y, 2.0 * z.x * z.y) + c;
        if (dot(z, z) > 64.0) break;
        n += 1.0;
    }
    float sm = n - log2(log2(max(dot(z, z), 4.0)));
    vec3 col = fire(sm * 0.045, time * 0.07);
    col *= 0.6 + 0.4 * smoothstep(0.0, 12.0, sm);
    if (n > 99.0) col = vec3(0.12, 0.05, 0.18) + 0.1 * vec3(sin(z.x * 9.0), 0.0, cos(z.y * 9.0));
    outColor = vec4(col, 1.0);
}
