// mode: geekest300
// family: fractal
// title: Julia set coloured by a cross-shaped orbit trap
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*1.25*rotate2D(t*.1);
float a=2.2+t*.21;
vec2 c=.7885*vec2(cos(a),sin(a));
vec2 z=p;float tx=9.,ty=9.,n=0.;
for(int i=0;i<96;i++){
  z=vec2(z.x*z.x-z.y*z.y,2.*z.x*z.y)+c;
  tx=min(tx,abs(z.x+.2*sin(t)));ty=min(ty,abs(z.y));
  if(dot(z,z)>16.)break;n+=1.;}
float m=min(tx,ty);
vec3 col=hsv(.55+.35*tx/(tx+ty+.001)+t*.04,.75,1.-.85*pow(min(m,1.),.3));
col=mix(col,hsv(n/96.+.1*t,.9,.9),.35*step(n,95.)*exp(-n*.06));
o=vec4(col,1.);
