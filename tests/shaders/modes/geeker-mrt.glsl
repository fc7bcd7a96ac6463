// mode: geeker (MRT)
void main() {
    vec2 p = gl_FragCoord.xy / r;
    o0 = vec4(fract(p.x * 4.0 + t * 0.37), fract(p.y * 3.0 - t * 0.21), fract((p.x + p.y) * 5.0), 1.0);
    o1 = texture(b1, p);
}
