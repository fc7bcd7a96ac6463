// mode: geekest300
o = vec4(.2, .4, .6, 1.) + t * 0.;
