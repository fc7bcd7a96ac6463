// mode: classic-mrt
// family: kaleido
// title: square kaleidoscope with per-channel offset folds giving prismatic fringes
// author: synthkd (original)
#version 300 es
precision highp float;
uniform vec2 resolution;
uniform float time;
layout(location = 0) out vec4 outColor0;
layout(location = 1) out vec4 outColor1;

float pattern(vec2 p, float shift) {
    for (int i = 0; i < 5; i++) {
        p = abs(p) - vec2(0.6 + shift, 0.45);
        if (p.x < p.y) p = p.yx;
        p *= 1.45;
        p.x -= 0.3 * sin(time * 0.4 + float(i));
    }
    float stripes = sin(p.x * 2.0 + time) * sin(p.y * 2.0 - time * 0.7);
    return 0.5 + 0.5 * stripes;
}

void main() {
    vec2 p = (gl_FragCoord.xy * 2.0 - resolution) / resolution.y;
    float ang = time * 0.1;
    p = mat2(cos(ang), sin(ang), -sin(ang), cos(ang)) * p * (1.4 + 0.4 * sin(time * 0.35));
    float k = 0.025 + 0.015 * sin(time * 0.5);
    vec3 v = vec3(pattern(p, -k), pattern(p, 0.0), pattern(p, k));
    vec3 tint = 0.5 + 0.5 * cos(6.2831 * (v.y * 1.3 + time * 0.07 + vec3(0.0, 0.3, 0.6)));
    vec3 col = tint * (0.25 + 0.9 * v.y) + 2.5 * (v - v.y);
    col += 0.25 * vec3(0.9, 0.8, 0.6) * smoothstep(0.8, 1.0, v.y);
    outColor0 = vec4(col, 1.0);
    outColor1 = vec4(col.bgr, 1.0);
}
