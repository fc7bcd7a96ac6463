// mode: geekest
// family: fractal
// title: tricorn fractal with smoothed stripe-average colouring
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
vec2 c=vec2(-.85-.45*(.5+.5*sin(t*.47)),.03*sin(t))+rotate2D(t*.2)*p*(.28+.12*cos(t*.6));
vec2 z=vec2(0.);float sa=0.,sp=0.,n=0.;
for(int i=0;i<80;i++){
  z=vec2(z.x*z.x-z.y*z.y,-2.*z.x*z.y)+c;
  if(dot(z,z)>1e3)break;
  sp=sa;sa+=.5+.5*sin(5.*atan(z.y,z.x)+t);n+=1.;}
float d=clamp(log2(log2(max(dot(z,z),2.))/log2(1e3)),0.,1.);
float v=mix(sa/max(n,1.),sp/max(n-1.,1.),d);
vec3 col=hsv(.55*v+t*.05+.15*sqrt(n/80.),.55+.4*v,.2+.8*smoothstep(.05,.85,v));
if(n>79.)col=hsv(.9+t*.05,.4,.35+.3*v);
gl_FragColor=vec4(col,1.);
