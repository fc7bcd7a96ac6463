// mode: geekest300
vec2 p = FC.xy / r - .5;
o = vec4(hsv(p.x + t * .1, .8, 1.), 1.);
o.r = p.x > .2 ? sqrt(-1. - t) : o.r;
