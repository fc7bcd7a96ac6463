// mode: geekest300
// family: fractal
// title: Julia set of c times sin z with animated c
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
vec2 z=p*vec2(2.4,1.6)*(1.+.3*sin(t*.4))+vec2(t*.15,0.);
vec2 c=vec2(1.05+.1*cos(t*.5),.42+.08*sin(t*.7));
float n=0.,tr=9.;
for(int i=0;i<36;i++){
  float y=clamp(z.y,-30.,30.);
  vec2 s=vec2(sin(z.x)*.5*(exp(y)+exp(-y)),cos(z.x)*.5*(exp(y)-exp(-y)));
  z=vec2(c.x*s.x-c.y*s.y,c.x*s.y+c.y*s.x);
  tr=min(tr,abs(z.x));
  if(abs(z.y)>40.)break;
  n+=1.;}
float k=n/36.;
vec3 col=hsv(fract(.3+k*2.2+t*.04),.75-.3*k,.35+.65*sqrt(k));
col=mix(col,hsv(.12+t*.04,.3,1.),exp(-tr*5.)*.5);
if(n>35.)col=hsv(.6+.15*sin(z.x*3.+t),.6,.3+.3*sin(z.y*2.)*sin(z.y*2.));
o=vec4(col,1.);
