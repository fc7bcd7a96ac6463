// mode: classic300
// family: kaleido
// title: concentric mandala rings of petals with different symmetry orders
// author: synthkd (original)
#version 300 es
precision highp float;
uniform vec2 resolution;
uniform float time;
out vec4 fragColor;

vec3 ramp(float x) {
    return 0.5 + 0.5 * cos(6.2831 * (x + vec3(0.05, 0.4, 0.7)));
}

void main() {
    vec2 p = (gl_FragCoord.xy * 2.0 - resolution) / resolution.y * 1.05;
    float l = length(p);
    float a = atan(p.y, p.x);
    float rings = 6.0;
    float rr = l * rings;
    float ri = floor(rr);
    float rf = fract(rr);
    float n = 4.0 + ri * 2.0 + 2.0 * mod(ri, 2.0);
    float spin = time * 0.2 * (mod(ri, 2.0) * 2.0 - 1.0) / (ri + 1.0);
    float petal = abs(cos((a + spin) * n * 0.5));
    float shape = pow(petal, 1.5) - rf;
    float inside = smoothstep(0.0, 0.05, shape);
    float outline = smoothstep(0.06, 0.0, abs(shape)) ;
    vec3 bg = ramp(ri * 0.11 + time * 0.03) * 0.25;
    vec3 fill = ramp(ri * 0.17 + rf * 0.3 + time * 0.05);
    fill *= 0.7 + 0.3 * cos(rf * 12.0);
    vec3 col = mix(bg, fill, inside);
    col = mix(col, vec3(1.0, 0.95, 0.8), outline * 0.7);
    float dots = smoothstep(0.08, 0.03, length(vec2(fract((a + spin) * n / 6.2831) - 0.5, (rf - 0.85) * 2.0)));
    col = mix(col, ramp(ri * 0.17 + 0.5), dots * (1.0 - inside));
    col *= step(l, 1.6) * 0.8 + 0.2;
    fragColor = vec4(col, 1.0);
}
