// mode: geekest300
// family: kaleido
// title: 2D fold-scale-rotate iteration with per-level coloured line traps
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*1.3;
float sc=1.,d=9.;vec3 acc=vec3(0.);
mat2 R=rotate2D(.6+.35*sin(t*.3));
for(int i=0;i<6;i++){
  p=abs(p)-vec2(.55+.1*sin(t*.23),.35);
  p=R*p;
  p*=1.35;sc*=1.35;
  float e=abs(p.y+.15*sin(p.x*3.+t))/sc;
  d=min(d,e);
  acc+=hsv(float(i)*.16+t*.04,.8,1.)*exp(-e*35.)*.55;
}
vec3 col=acc+hsv(.7+t*.03+.15*sin(p.x*.4),.7,.2+.15*sin(p.y*.5+t));
col+=vec3(.9,.6,1.)*exp(-d*300.)*.4;
o=vec4(col,1.);
