// mode: geek (MRT)
#version 300 es
precision highp float;
uniform vec2 r;
uniform float t;
uniform sampler2D b0;
layout(location = 0) out vec4 o0;
layout(location = 1) out vec4 o1;
void main() {
    vec2 p = gl_FragCoord.xy / r - 0.5;
    o0 = vec4(0.5 + 0.5 * sin(vec3(20.0 * p.x * p.y + t, 13.0 * p.x - t, 11.0 * p.y)), 1.0);
    o1 = texture(b0, p);
}
