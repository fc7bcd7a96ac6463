// mode: geekest300
o = vec4(1.0 +, 0.0, 0.0, 1.0);
