// mode: geekest-mrt
// family: fractal
// title: cubic Julia set with orbit-averaged hue, written to two targets
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*1.2;
float a=t*.31;
vec2 c=.74*vec2(cos(a),sin(a))+vec2(.05*sin(t*1.7),0.);
vec2 z=p;float n=0.;vec2 acc=vec2(0.);
for(int i=0;i<64;i++){
  vec2 w=vec2(z.x*z.x-z.y*z.y,2.*z.x*z.y);
  z=vec2(w.x*z.x-w.y*z.y,w.x*z.y+w.y*z.x)+c;
  acc+=z/(1.+dot(z,z));
  if(dot(z,z)>64.)break;
  n+=1.;}
acc/=max(n,1.);
vec3 col=hsv(atan(acc.y,acc.x+1e-6)/PI2+t*.04,.75,.35+.65*smoothstep(0.,.5,length(acc)));
col*=.6+.4*sin(n*.4+t);
if(n>63.)col=hsv(.5+length(acc)+.2*sin(z.x*5.),.6,.45+.25*sin(z.y*7.));
o0=vec4(col,1.);
o1=vec4(vec3(n/64.),1.);
