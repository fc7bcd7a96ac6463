// mode: geekest300
// A legitimate but very expensive program: thousands of noise lookups per pixel.
vec2 p = FC.xy / r;
float v = 0.;
for (int i = 0; i < 3000; i++) { v += snoise3D(vec3(p * 4. + float(i) * .01, t)); }
o = vec4(hsv(v * .01, .8, .9), 1.);
