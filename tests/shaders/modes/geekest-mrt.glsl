// mode: geekest (MRT)
vec2 p = FC.xy / r * PI2;
o0 = vec4(.5 + .5 * sin(p.x * 2. + t), .5 + .5 * sin(p.y * 3. - t), .5 + .5 * sin((p.x + p.y) * PI + t), 1.);
o1 = texture(b0, FC.xy / r);
