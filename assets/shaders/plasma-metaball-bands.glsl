// mode: geekest300
// family: plasma
// title: drifting metaballs with banded iso-levels
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*1.2;
float F=0.;
for(int i=0;i<7;i++){
  float fi=float(i);
  vec2 c=vec2(sin(t*(.3+fi*.07)+fi*2.1),cos(t*(.25+fi*.05)+fi*1.3))*vec2(.9,.7);
  float rr=.2+.07*sin(fi*3.7);
  vec2 d=p-c;
  F+=rr*rr/(dot(d,d)+1e-3);
}
float lf=log(F+1e-3)*3.5+3.;
float band=fract(lf);
float lvl=floor(lf);
vec3 col=hsv(lvl*.11+t*.04,.7,.35+.55*band);
col=mix(hsv(.6+t*.03,.5,.22+.1*sin(p.x*8.+p.y*6.)),col,smoothstep(.7,1.,F));
col+=vec3(1.)*smoothstep(.06,.0,abs(F-1.))*.6;
o=vec4(col,1);
