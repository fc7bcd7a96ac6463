// mode: geek (300 es)
#version 300 es
precision highp float;
uniform vec2 r;
uniform float t;
out vec4 o;
void main() {
    vec2 p = gl_FragCoord.xy / r * 6.0;
    vec2 g = fract(p) - 0.5;
    float k = floor(p.x) + floor(p.y) * 7.0;
    o = vec4(0.5 + 0.5 * cos(k + t + vec3(0.0, 2.0, 4.0)) * (1.0 - length(g)), 1.0);
}
