// mode: geeker
float ring(vec2 p, float k) { return 0.5 + 0.5 * sin(length(p) * k - t * 2.0); }
void main() {
    vec2 p = (gl_FragCoord.xy * 2.0 - r) / r.y;
    gl_FragColor = vec4(ring(p, 11.0), ring(p - 0.3, 17.0), ring(p + 0.4, 7.0), 1.0);
}
