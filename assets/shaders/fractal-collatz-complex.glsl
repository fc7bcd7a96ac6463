// mode: geekest300
// family: fractal
// title: escape-time map of the complex Collatz function
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
vec2 z=vec2(1.5+1.6*sin(t*.21),.0)+p*(.8+.5*cos(t*.33));
float n=0.,tr=9.;
for(int i=0;i<40;i++){
  float x=z.x*PI,y=clamp(z.y*PI,-20.,20.);
  float ch=.5*(exp(y)+exp(-y)),sh=.5*(exp(y)-exp(-y));
  vec2 cs=vec2(cos(x)*ch,-sin(x)*sh);
  vec2 w=vec2(2.,0.)+5.*z;
  vec2 pr=vec2(w.x*cs.x-w.y*cs.y,w.x*cs.y+w.y*cs.x);
  z=(vec2(2.,0.)+7.*z-pr)*.25;
  tr=min(tr,length(fract(z)-.5));
  if(abs(z.y)>8.||dot(z,z)>1e4)break;
  n+=1.;}
float s=n/40.;
vec3 col=.5+.5*cos(PI2*(vec3(.9,.6,.3)*s*2.5+vec3(.1,.25,.55))+t*.5);
col=mix(col,vec3(1.,.9,.6),.6*exp(-tr*9.));
col*=.8+.2*sin(n*2.1+t);
if(n>39.)col=hsv(.75+tr+t*.05,.6,.35);
o=vec4(col,1.);
