// mode: geekest (300 es)
vec2 p = (FC.xy * 2. - r) / r.y * rotate2D(t);
vec3 q = rotate3D(t, vec3(1., 1., 0.)) * vec3(p, 1.);
o = vec4(hsv(fsnoise(floor(p * 4.)) + t * .1, .7, .6 + .4 * snoise4D(vec4(q * 2., t))), 1.);
