// mode: classic (MRT)
#version 300 es
precision highp float;
uniform vec2 resolution;
uniform float time;
layout(location = 1) out vec4 second;
layout(location = 0) out vec4 first;
void main() {
    vec2 p = gl_FragCoord.xy / resolution;
    first = vec4(fract(p * 3.0 + time), fract(p.x * p.y * 5.0 - time * 0.3), 1.0);
    second = vec4(1.0);
}
