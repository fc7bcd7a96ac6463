// mode: geekest300
vec2 p = FC.xy / r;
o = length(p - .5) < .08 ? vec4(hsv(p.x + t, 1., 1.), 1.) : vec4(0., 0., 0., 1.);
