// mode: geekest300
// family: flow
// title: streamlines of a staggered vortex street drifting past
// author: synthkd (original)
vec2 u=(FC.xy*2.-r)/r.y;
u*=1.4;
float psi=u.y*1.2;
for(int i=0;i<8;i++){
  float fi=float(i);
  float sgn=mod(fi,2.)<.5?1.:-1.;
  vec2 c=vec2(fract((fi*.5+t*.12)/4.)*4.-2.,.35*sgn);
  vec2 d=u-c;
  psi+=sgn*.35*log(dot(d,d)+.02);
}
float lines=abs(fract(psi*2.5)-.5);
float ln=smoothstep(.08,.0,lines-.0)*.9;
vec3 c=hsv(.55+.12*psi+t*.04,.6,.55+.25*sin(psi*3.));
c=mix(c,hsv(.08+t*.04,.3,1.),ln);
o=vec4(c,1);
