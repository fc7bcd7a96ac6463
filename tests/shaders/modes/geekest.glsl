// mode: geekest
vec2 p = (FC.xy * 2. - r) / r.y;
float n = snoise3D(vec3(p * 3., t * .5));
gl_FragColor = vec4(hsv(n * .5 + t * .1, .8, .5 + .5 * snoise2D(p * 5. - t)), 1.);
