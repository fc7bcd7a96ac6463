// mode: geekest300
// family: plasma
// title: field lines and equipotentials of moving point charges
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*1.1;
float phi=0.,psi=0.;
for(int i=0;i<5;i++){
  float fi=float(i);
  float q=mod(fi,2.)*2.-1.;
  vec2 c=vec2(sin(t*(.2+fi*.05)+fi*1.9)*.8,cos(t*(.17+fi*.06)+fi*2.7)*.7);
  vec2 d=p-c+1e-4;
  phi+=q*log(dot(d,d)+1e-4)*.5;
  psi+=q*atan(d.y,d.x);
}
float lines=smoothstep(.25,.0,abs(sin(psi*5.)));
float eq=fract(phi*1.5);
vec3 col=hsv(.5+clamp(phi*.12,-.45,.45)+t*.02,.75,.3+.5*eq);
col=mix(col,hsv(.14+t*.03,.3,1.),lines*.75);
o=vec4(col,1);
