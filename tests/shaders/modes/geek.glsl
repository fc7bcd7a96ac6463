// mode: geek
precision highp float;
uniform vec2 r;
uniform vec2 m;
uniform float t;
uniform float f;
uniform sampler2D b;
void main() {
    vec2 p = (gl_FragCoord.xy * 2.0 - r) / min(r.x, r.y);
    float v = sin(p.x * 7.0 + t) + sin(p.y * 5.0 - t * 1.3) + sin(length(p) * 9.0 + f * 0.01);
    gl_FragColor = vec4(0.5 + 0.5 * sin(v + vec3(0.0, 1.5, 3.0)), 1.0);
}
