// mode: geekest300
// family: fractal
// title: Nova fractal, relaxed Newton iteration plus c, convergence shading
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
vec2 c=vec2(-.38+.12*sin(t*.27),.0+.1*cos(t*.31))+rotate2D(PI*.5)*p*(.35+.25*sin(t*.4));
float R=1.+.2*sin(t*.6);
vec2 z=vec2(1.,0.),dz;float n=0.;
for(int i=0;i<64;i++){
  vec2 z2=vec2(z.x*z.x-z.y*z.y,2.*z.x*z.y);
  vec2 f=vec2(z2.x*z.x-z2.y*z.y,z2.x*z.y+z2.y*z.x)-vec2(1.,0.);
  vec2 d=3.*z2;
  vec2 q=vec2(f.x*d.x+f.y*d.y,f.y*d.x-f.x*d.y)/(dot(d,d)+1e-9);
  dz=-R*q+c;
  z+=dz;
  if(dot(dz,dz)<1e-7||dot(z,z)>1e6)break;
  n+=1.;}
float k=n/64.;
vec3 col=.55+.45*cos(PI2*(k*3.+vec3(0.,.15,.35)+atan(z.y,z.x)*.08+t*.05));
col*=.3+.7*pow(1.-k,.5);
col+=.2*vec3(1.,.6,.2)*sin(n*.8)*(1.-k);
o=vec4(col,1.);
