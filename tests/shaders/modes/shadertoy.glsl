// mode: shadertoy
void mainImage(out vec4 fragColor, in vec2 fragCoord) {
    vec2 uv = fragCoord / iResolution.xy;
    vec3 col = 0.5 + 0.5 * cos(iTime + uv.xyx * 5.0 + vec3(0, 2, 4));
    col *= 0.6 + 0.4 * step(0.5, fract((uv.x + uv.y) * 6.0 + float(iFrame) * 0.001));
    fragColor = vec4(col, 1.0);
}
