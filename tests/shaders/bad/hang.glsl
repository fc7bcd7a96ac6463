// mode: geekest300
vec4 x = vec4(FC.xy / r, t, 1.);
for (int i = 0; i < 60000; i++) {
    x = sin(x.yzwx * 1.31 + cos(x * 2.17)) + exp(-abs(x.wxyz)) * snoise4D(x);
    x = sin(x.yzwx * 1.31 + cos(x * 2.17)) + exp(-abs(x.wxyz)) * snoise4D(x + 1.);
}
o = vec4(x.xyz, 1.);
