// mode: geekest300
// family: plasma
// title: rainbow stripes bent by a flowing noise field
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
p*=rotate2D(t*.07);
vec2 w=vec2(snoise2D(p*1.3+t*.15),snoise2D(p*1.3-t*.12+5.));
vec2 q=p+w*.45;
q+=.15*vec2(snoise2D(q*3.+9.),snoise2D(q*3.-4.));
float s=q.x*5.+q.y*1.5+t*.5;
float id=floor(s),f=fract(s);
vec3 col=hsv(id*.083+t*.03,.8,.95);
col*=.55+.45*sin(f*PI);
col*=smoothstep(.0,.08,f)*smoothstep(1.,.92,f)*.8+.2;
o=vec4(col,1);
