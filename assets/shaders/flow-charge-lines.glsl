// mode: geekest300
// family: flow
// title: electric field lines and equipotentials of wandering charges
// author: synthkd (original)
vec2 u=(FC.xy*2.-r)/r.y*1.2;
float ang=0.,pot=0.;
for(int i=0;i<4;i++){
  float fi=float(i);
  float q=mod(fi,2.)<.5?1.:-1.;
  vec2 c=vec2(sin(t*.31+fi*2.1),cos(t*.23+fi*1.7))*vec2(.9,.7);
  vec2 d=u-c;
  ang+=q*atan(d.y,d.x);
  pot+=q/(length(d)+.05);
}
float fl=abs(fract(ang/PI2*12.+.5)-.5);
float eq=abs(fract(pot*.6)-.5);
vec3 c=mix(hsv(.0+t*.02,.75,.9),hsv(.6+t*.02,.75,.9),smoothstep(-2.,2.,pot));
c*=.35+.65*smoothstep(.0,.2,fl);
c=mix(c,vec3(1.,.95,.8),smoothstep(.06,.0,eq)*.7);
o=vec4(c,1);
