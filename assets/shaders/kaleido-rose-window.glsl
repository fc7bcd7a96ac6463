// mode: classic
// family: kaleido
// title: gothic rose window with lead lines and mottled glass
// author: synthkd (original)
precision highp float;
uniform vec2 resolution;
uniform vec2 mouse;
uniform float time;
uniform sampler2D backbuffer;

float hash(vec2 p) { return fract(sin(dot(p, vec2(41.3, 289.1))) * 15731.7); }

float vnoise(vec2 p) {
    vec2 i = floor(p), f = fract(p);
    f = f * f * (3.0 - 2.0 * f);
    return mix(mix(hash(i), hash(i + vec2(1.0, 0.0)), f.x),
               mix(hash(i + vec2(0.0, 1.0)), hash(i + vec2(1.0, 1.0)), f.x), f.y);
}

void main() {
    vec2 p = (gl_FragCoord.xy * 2.0 - resolution) / resolution.y * (1.05 + 0.35 * sin(time * 0.25));
    float l = length(p);
    float N = 12.0;
    float w = 3.14159265 / N;
    float a = atan(p.y, p.x) + time * 0.05;
    float sector = floor(a / (2.0 * w));
    float af = abs(mod(a, 2.0 * w) - w);
    vec2 q = l * vec2(cos(af), sin(af));
    float lead = 1.0;
    lead = min(lead, abs(l - 0.25));
    lead = min(lead, abs(l - 0.62));
    lead = min(lead, abs(l - 0.95));
    lead = min(lead, abs(length(q - vec2(0.78, 0.0)) - 0.16));
    lead = min(lead, abs(length(q - vec2(0.43, 0.0)) - 0.13));
    lead = min(lead, max(abs(q.y - q.x * tan(w)), -(l - 0.25)));
    lead = min(lead, max(abs(q.y), l - 0.25) + 0.0);
    float region = l < 0.25 ? 0.0 : l < 0.62 ? 1.0 : l < 0.95 ? 2.0 : 3.0;
    if (length(q - vec2(0.78, 0.0)) < 0.16) region = 4.0;
    if (length(q - vec2(0.43, 0.0)) < 0.13) region = 5.0;
    float hueSeed = region * 0.21 + mod(sector, 2.0) * 0.08 * step(0.5, region) + time * 0.02;
    vec3 glass = 0.5 + 0.5 * cos(6.2831 * (hueSeed + vec3(0.0, 0.33, 0.67)));
    glass = pow(glass, vec3(1.4)) * 1.3;
    float mottle = vnoise(p * 14.0 + time * 0.1) * 0.5 + vnoise(p * 31.0) * 0.5;
    glass *= 0.55 + 0.6 * mottle;
    glass *= 0.8 + 0.3 * exp(-l * 1.5);
    vec3 col = mix(vec3(0.05, 0.04, 0.04), glass, smoothstep(0.008, 0.022, lead));
    if (l > 1.2) col = vec3(0.35, 0.3, 0.27) * (0.6 + 0.4 * vnoise(p * 9.0));
    gl_FragColor = vec4(col, 1.0);
}
