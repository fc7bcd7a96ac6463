// mode: classic (300 es)
#version 300 es
precision highp float;
uniform vec2 resolution;
uniform float time;
out vec4 color;
void main() {
    vec2 p = (gl_FragCoord.xy * 2.0 - resolution) / resolution.y;
    float a = atan(p.y, p.x), d = length(p);
    color = vec4(0.5 + 0.5 * sin(vec3(5.0 * a + time, 9.0 * d - time, a * d * 4.0)), 1.0);
}
