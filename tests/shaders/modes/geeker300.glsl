// mode: geeker (300 es)
void main() {
    vec2 p = gl_FragCoord.xy / r.y * 4.0;
    vec2 q = vec2(sin(p.y * 1.7 + t), cos(p.x * 1.3 - t));
    o = vec4(0.5 + 0.5 * sin(vec3(dot(p, q), p.x - q.y, p.y * q.x) * 2.0), 1.0);
}
