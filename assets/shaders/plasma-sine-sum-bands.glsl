// mode: geekest300
// family: plasma
// title: classic sum-of-sines plasma with glossy bands
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*3.;
vec2 c=vec2(sin(t*.31),cos(t*.43))*2.;
float v=sin(p.x*1.1+t)+sin(p.y*1.4-t*.7)+sin((p.x+p.y)*.8+t*.5)+sin(length(p-c)*2.2-t*1.3);
v+=.35*sin(p.x*4.3-p.y*3.1+v*1.5);
vec3 col=hsv(v*.14+t*.045,.75+.2*sin(v*2.),.55+.45*sin(v*PI));
col+=.25*pow(max(sin(v*PI*2.),0.),8.);
o=vec4(col,1);
