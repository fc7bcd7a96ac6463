// mode: classic
precision mediump float;
uniform vec2 resolution;
uniform vec2 mouse;
uniform float time;
uniform sampler2D backbuffer;
void main() {
    vec2 p = gl_FragCoord.xy / resolution;
    vec3 c = 0.5 + 0.5 * cos(6.0 * p.xyx + time + vec3(0.0, 2.0, 4.0));
    c *= 0.7 + 0.3 * step(0.5, fract(8.0 * p.x + time));
    gl_FragColor = vec4(c + texture2D(backbuffer, p).rgb, 1.0);
}
