// Helpers that TwiGL's "geekest" mode makes available to every program.
// Written for synthkd: integer-hash gradients and textbook simplex skewing;
// same names and signatures as TwiGL so pasted programs compile unchanged.

#define FC gl_FragCoord
#define PI 3.141592653589793
#define PI2 6.283185307179586

uint _sk_mix32(uint x) {
    x ^= x >> 16; x *= 0x7feb352du;
    x ^= x >> 15; x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;
}

uint _sk_hash4(ivec4 c) {
    return _sk_mix32(uint(c.x) + _sk_mix32(uint(c.y) + _sk_mix32(uint(c.z) + _sk_mix32(uint(c.w)))));
}

float _sk_unit(uint h) { return float(h >> 8) * (1.0 / 16777216.0); }

// Hash of a 2D position, uniform in [0, 1).
float fsnoise(vec2 c) {
    return _sk_unit(_sk_mix32(floatBitsToUint(c.x) ^ _sk_mix32(floatBitsToUint(c.y) + 0x9e3779b9u)));
}

vec3 hsv(float h, float s, float v) {
    vec3 k = clamp(abs(mod(h * 6.0 + vec3(0.0, 4.0, 2.0), 6.0) - 3.0) - 1.0, 0.0, 1.0);
    return v * mix(vec3(1.0), k, s);
}

mat2 rotate2D(float r) {
    float c = cos(r), s = sin(r);
    return mat2(c, s, -s, c);
}

mat3 rotate3D(float angle, vec3 axis) {
    vec3 a = normalize(axis);
    float s = sin(angle), c = cos(angle), k = 1.0 - c;
    return mat3(a.x * a.x * k + c,       a.y * a.x * k + a.z * s, a.z * a.x * k - a.y * s,
                a.x * a.y * k - a.z * s, a.y * a.y * k + c,       a.z * a.y * k + a.x * s,
                a.x * a.z * k + a.y * s, a.y * a.z * k - a.x * s, a.z * a.z * k + c);
}

// Pseudo-random unit gradients for lattice points.
vec2 _sk_grad2(vec2 cell) {
    float a = 6.283185307 * _sk_unit(_sk_hash4(ivec4(cell, 0, 17)));
    return vec2(cos(a), sin(a));
}

vec3 _sk_grad3(vec3 cell) {
    uint h = _sk_hash4(ivec4(cell, 29));
    float z = 2.0 * _sk_unit(h) - 1.0;
    float a = 6.283185307 * _sk_unit(_sk_mix32(h));
    float r = sqrt(max(0.0, 1.0 - z * z));
    return vec3(r * cos(a), r * sin(a), z);
}

vec4 _sk_grad4(vec4 cell) {
    uint h = _sk_hash4(ivec4(cell));
    uint h2 = _sk_mix32(h), h3 = _sk_mix32(h2), h4 = _sk_mix32(h3);
    vec4 g = vec4(_sk_unit(h), _sk_unit(h2), _sk_unit(h3), _sk_unit(h4)) * 2.0 - 1.0;
    return g * inversesqrt(max(dot(g, g), 1e-6));
}

float _sk_falloff(float r2, vec2 d, vec2 g) { float a = max(0.5 - r2, 0.0); a *= a; return a * a * dot(g, d); }
float _sk_falloff(float r2, vec3 d, vec3 g) { float a = max(0.6 - r2, 0.0); a *= a; return a * a * dot(g, d); }
float _sk_falloff(float r2, vec4 d, vec4 g) { float a = max(0.6 - r2, 0.0); a *= a; return a * a * dot(g, d); }

// Simplex noise in 2, 3 and 4 dimensions, each roughly in [-1, 1].
float snoise2D(vec2 v) {
    const float F = 0.366025403784;   // (sqrt(3) - 1) / 2
    const float G = 0.211324865405;   // (3 - sqrt(3)) / 6
    vec2 i = floor(v + (v.x + v.y) * F);
    vec2 d0 = v - i + (i.x + i.y) * G;
    vec2 step1 = d0.x > d0.y ? vec2(1.0, 0.0) : vec2(0.0, 1.0);
    vec2 d1 = d0 - step1 + G;
    vec2 d2 = d0 - 1.0 + 2.0 * G;
    float n = _sk_falloff(dot(d0, d0), d0, _sk_grad2(i))
            + _sk_falloff(dot(d1, d1), d1, _sk_grad2(i + step1))
            + _sk_falloff(dot(d2, d2), d2, _sk_grad2(i + 1.0));
    return 70.0 * n;
}

float snoise3D(vec3 v) {
    const float F = 1.0 / 3.0;
    const float G = 1.0 / 6.0;
    vec3 i = floor(v + (v.x + v.y + v.z) * F);
    vec3 d0 = v - i + (i.x + i.y + i.z) * G;
    vec3 a, b;                       // offsets of the second and third simplex corners
    if (d0.x >= d0.y) {
        if (d0.y >= d0.z)      { a = vec3(1, 0, 0); b = vec3(1, 1, 0); }
        else if (d0.x >= d0.z) { a = vec3(1, 0, 0); b = vec3(1, 0, 1); }
        else                   { a = vec3(0, 0, 1); b = vec3(1, 0, 1); }
    } else {
        if (d0.y < d0.z)       { a = vec3(0, 0, 1); b = vec3(0, 1, 1); }
        else if (d0.x < d0.z)  { a = vec3(0, 1, 0); b = vec3(0, 1, 1); }
        else                   { a = vec3(0, 1, 0); b = vec3(1, 1, 0); }
    }
    vec3 d1 = d0 - a + G;
    vec3 d2 = d0 - b + 2.0 * G;
    vec3 d3 = d0 - 1.0 + 3.0 * G;
    float n = _sk_falloff(dot(d0, d0), d0, _sk_grad3(i))
            + _sk_falloff(dot(d1, d1), d1, _sk_grad3(i + a))
            + _sk_falloff(dot(d2, d2), d2, _sk_grad3(i + b))
            + _sk_falloff(dot(d3, d3), d3, _sk_grad3(i + 1.0));
    return 32.0 * n;
}

float snoise4D(vec4 v) {
    const float F = 0.309016994375;   // (sqrt(5) - 1) / 4
    const float G = 0.138196601125;   // (5 - sqrt(5)) / 20
    vec4 i = floor(v + dot(v, vec4(F)));
    vec4 d0 = v - i + dot(i, vec4(G));
    // Rank each coordinate against the others; corner k steps along the k largest.
    vec4 rank = vec4(0.0);
    rank.x += float(d0.x > d0.y) + float(d0.x > d0.z) + float(d0.x > d0.w);
    rank.y += float(d0.y >= d0.x) + float(d0.y > d0.z) + float(d0.y > d0.w);
    rank.z += float(d0.z >= d0.x) + float(d0.z >= d0.y) + float(d0.z > d0.w);
    rank.w += float(d0.w >= d0.x) + float(d0.w >= d0.y) + float(d0.w >= d0.z);
    vec4 a = step(2.5, rank), b = step(1.5, rank), c = step(0.5, rank);
    vec4 d1 = d0 - a + G;
    vec4 d2 = d0 - b + 2.0 * G;
    vec4 d3 = d0 - c + 3.0 * G;
    vec4 d4 = d0 - 1.0 + 4.0 * G;
    float n = _sk_falloff(dot(d0, d0), d0, _sk_grad4(i))
            + _sk_falloff(dot(d1, d1), d1, _sk_grad4(i + a))
            + _sk_falloff(dot(d2, d2), d2, _sk_grad4(i + b))
            + _sk_falloff(dot(d3, d3), d3, _sk_grad4(i + c))
            + _sk_falloff(dot(d4, d4), d4, _sk_grad4(i + 1.0));
    return 27.0 * n;
}
