// mode: geekest
// family: raymarch
// title: endless hall of fluted pillars over a checker floor
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
vec3 ro=vec3(.3*sin(t*.4),.8+.3*sin(t*.6),t*1.1);
vec3 rd=normalize(vec3(p,1.4));
rd.xz*=rotate2D(.6*sin(t*.21));
rd.yz*=rotate2D(-.12);
float d=0.,h=1.;
vec3 q;
for(int i=0;i<64;i++){
  q=ro+rd*d;
  vec2 c=mod(q.xz,2.)-1.;
  float a=atan(c.y,c.x);
  float col=length(c)-.28-.025*cos(a*10.);
  h=min(min(col,q.y+.0),3.-q.y);
  if(h<.002||d>30.)break;
  d+=h*.8;
}
vec3 c;
vec2 cc=mod(q.xz,2.)-1.;
if(q.y<.01){
  float ch=mod(floor(q.x*2.)+floor(q.z*2.),2.);
  c=mix(hsv(t*.04,.5,.9),hsv(t*.04+.5,.6,.35),ch);
  c*=.5+.5*smoothstep(.2,.9,length(cc));
}else if(q.y>2.99){
  c=hsv(.6+t*.04,.5,.3)*(.6+.4*cos(q.x*3.)*cos(q.z*3.));
}else{
  vec3 n=normalize(vec3(cc.x,0.,cc.y)+1e-5);
  float a=atan(cc.y,cc.x);
  float fl=.5+.5*cos(a*10.);
  float l=max(dot(n,normalize(vec3(.6,.2,-.8))),0.);
  c=hsv(.08+.05*q.y+t*.04,.35,1.)*(.25+.75*l)*(.7+.3*fl);
  c*=.6+.4*smoothstep(0.,.5,q.y)*smoothstep(3.,2.5,q.y);
}
c=mix(hsv(.12+t*.04,.5,.6),c,exp(-.06*d));
gl_FragColor=vec4(c,1);
