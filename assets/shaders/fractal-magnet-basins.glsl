// mode: geekest300
// family: fractal
// title: magnet type-one fractal with escape and convergence colouring
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
vec2 c=vec2(1.35+.25*sin(t*.33),.55*cos(t*.21))+p*(1.1+.6*sin(t*.4));
vec2 z=vec2(0.);float n=0.,esc=0.;
for(int i=0;i<64;i++){
  vec2 a=vec2(z.x*z.x-z.y*z.y,2.*z.x*z.y)+c-vec2(1.,0.);
  vec2 b=2.*z+c-vec2(2.,0.);
  vec2 q=vec2(a.x*b.x+a.y*b.y,a.y*b.x-a.x*b.y)/(dot(b,b)+1e-9);
  z=vec2(q.x*q.x-q.y*q.y,2.*q.x*q.y);
  if(dot(z,z)>1e4){esc=1.;break;}
  if(dot(z-vec2(1.,0.),z-vec2(1.,0.))<1e-4){esc=-1.;break;}
  n+=1.;}
float s=n/64.;
vec3 col=esc>0.?hsv(.62+s*1.3+t*.03,.8,.3+.7*sqrt(s)):esc<0.?hsv(.05+s*2.+t*.03,.7,1.-.6*s):hsv(atan(z.y,z.x)/PI2+t*.05,.55,.3+.2*sin(length(z)*7.));
col*=.8+.2*sin(n*.9);
o=vec4(col,1.);
