// mode: geekest300
// family: fractal
// title: Mandelbrot minibrot region coloured by a lattice orbit trap
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
vec2 c=vec2(-1.2565+.004*sin(t*.4),.3802+.004*cos(t*.3))+rotate2D(t*.15)*p*(.012+.009*sin(t*.5));
vec2 z=vec2(0.);float tr=9.,n=0.;
float g=2.+sin(t*.6);
for(int i=0;i<120;i++){
  z=vec2(z.x*z.x-z.y*z.y,2.*z.x*z.y)+c;
  vec2 q=abs(fract(z*g)-.5);
  tr=min(tr,min(q.x,q.y));
  if(dot(z,z)>64.)break;
  n+=1.;}
float v=sqrt(tr*2.);
vec3 col=.5+.5*cos(PI2*(v*vec3(.8,1.,1.3)+vec3(.05,.3,.6)+t*.06));
col*=.4+.6*smoothstep(0.,40.,n);
col=mix(col,vec3(1.,.95,.8),exp(-tr*40.)*.7);
o=vec4(col,1.);
