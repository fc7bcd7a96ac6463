// mode: geekest300
o = vec4(vec3(step(.5, fract(FC.x / r.x * 3. + t))), 1.);
