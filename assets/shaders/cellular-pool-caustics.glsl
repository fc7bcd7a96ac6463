// mode: geeker300
// family: cellular
// title: swimming pool caustics over tiles from layered worley edges
// author: synthkd (original)
vec2 rnd2(vec2 q){return fract(sin(vec2(dot(q,vec2(7.7,157.3)),dot(q,vec2(311.1,47.9))))*12345.67);}
float edgeDist(vec2 u,float tt){
  vec2 g=floor(u),fr=fract(u);
  float d1=9.,d2=9.;
  for(int j=-1;j<=1;j++)for(int i=-1;i<=1;i++){
    vec2 c=vec2(float(i),float(j));
    vec2 h=rnd2(g+c);
    h=.5+.45*sin(tt+6.2832*h);
    float d=length(c+h-fr);
    if(d<d1){d2=d1;d1=d;}else if(d<d2)d2=d;
  }
  return d2-d1;
}
void main(){
  vec2 p=(gl_FragCoord.xy*2.-r)/r.y;
  vec2 u=p*2.2+vec2(.2*sin(t*.3),t*.05);
  float e1=edgeDist(u,t*.9);
  float e2=edgeDist(u*1.7+vec2(3.,1.),t*1.2+2.);
  float ca=pow(max(0.,1.-e1*3.),4.)+.7*pow(max(0.,1.-e2*4.),4.);
  vec2 tg=(p+.03*vec2(sin(p.y*9.+t),cos(p.x*8.+t)))*5.;
  vec2 tf=abs(fract(tg)-.5);
  float grout=smoothstep(.46,.49,max(tf.x,tf.y));
  float hue=.52+.06*sin(t*.25);
  float deep=.5+.5*p.y;
  vec3 base=mix(vec3(.05,.35,.55),vec3(.15,.6,.75),deep);
  base=mix(base,base*.6+vec3(0.,.05,.1),grout);
  vec3 lc=vec3(.6+.3*sin(t*.2),.95,1.);
  vec3 c=base+lc*ca*.6;
  c=mix(c,c.gbr,.2+.2*sin(t*.3+hue));
  o=vec4(c,1.);
}
