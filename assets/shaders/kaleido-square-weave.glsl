// mode: geeker
// family: kaleido
// title: square mirror tiling of woven over-under bands
// author: synthkd (original)
float band(float x, float w) { return smoothstep(w, w - 0.03, abs(x)); }

void main() {
    vec2 p = (gl_FragCoord.xy * 2.0 - r) / r.y;
    float a = 0.785398 * sin(t * 0.15);
    p = mat2(cos(a), sin(a), -sin(a), cos(a)) * p;
    p *= 2.5 + sin(t * 0.23);
    vec2 cell = floor(p);
    vec2 q = abs(fract(p) - 0.5);
    if (q.x < q.y) q = q.yx;
    float par = mod(cell.x + cell.y, 2.0);
    float w = 0.12 + 0.04 * sin(t * 0.7);
    float h = band(q.y - 0.25, w);
    float v = band(q.x - 0.25, w);
    float d = band(q.x - q.y, 0.05);
    vec3 base = 0.2 + 0.15 * vec3(sin(t), sin(t + 2.0), sin(t + 4.0));
    vec3 ch = vec3(0.9, 0.4 + 0.3 * sin(t * 0.4), 0.2);
    vec3 cv = vec3(0.2, 0.6, 0.9 - 0.3 * sin(t * 0.5));
    vec3 cd = vec3(0.8, 0.85, 0.3);
    vec3 col = base * (0.8 + 0.2 * sin((p.x + p.y) * 30.0));
    bool hOnTop = par > 0.5;
    if (hOnTop) {
        col = mix(col, cv * (0.7 + 0.3 * sin(q.y * 60.0)), v);
        col = mix(col, ch * (0.7 + 0.3 * sin(q.x * 60.0)), h);
    } else {
        col = mix(col, ch * (0.7 + 0.3 * sin(q.x * 60.0)), h);
        col = mix(col, cv * (0.7 + 0.3 * sin(q.y * 60.0)), v);
    }
    col = mix(col, cd, d * 0.6);
    gl_FragColor = vec4(col, 1.0);
}
