// mode: geeker-mrt
// family: cellular
// title: frozen lake ice with layered crack lines and bubbles
// author: synthkd (original)
vec2 hq(vec2 q){return fract(sin(vec2(dot(q,vec2(5.3,91.7)),dot(q,vec2(71.1,13.9))))*48271.1);}
vec3 crack(vec2 u){
  vec2 g=floor(u),fr=fract(u);
  float d1=9.,d2=9.;vec2 id=vec2(0.);
  for(int j=-1;j<=1;j++)for(int i=-1;i<=1;i++){
    vec2 c=vec2(float(i),float(j));
    float d=length(c+hq(g+c)-fr);
    if(d<d1){d2=d1;d1=d;id=g+c;}else if(d<d2)d2=d;
  }
  return vec3(d2-d1,hq(id+2.));
}
void main(){
  vec2 p=(gl_FragCoord.xy*2.-r)/r.y;
  vec2 u=p*(1.8+.4*sin(t*.15))+vec2(t*.06,-t*.04);
  vec3 c1=crack(u);
  vec3 c2=crack(u*2.6+vec2(c1.y,c1.z)*.3+5.);
  float tint=c1.y;
  float hue=.55+.08*sin(t*.2+tint*2.);
  vec3 deep=mix(vec3(.05,.2,.38),vec3(.2,.5,.65),tint);
  deep=mix(deep,vec3(deep.r*1.8,deep.g*.7,deep.b),.5+.5*sin(t*.33));
  vec3 col=deep*(.8+.4*c2.y);
  float l1=smoothstep(.05,.0,c1.x);
  float l2=smoothstep(.03,.0,c2.x)*(.4+.4*c1.y);
  col+=vec3(.85,.95,1.)*(l1*.9+l2*.6);
  col+=vec3(.4,.6,.8)*smoothstep(.15,.0,c1.x)*.25;
  vec2 bq=fract(u*9.)-.5;
  vec2 bi=floor(u*9.);
  float bub=step(.9,hq(bi).x)*smoothstep(.12,.08,length(bq-.25*(hq(bi+1.)-.5)));
  col+=vec3(.7,.8,.9)*bub*.6;
  col=mix(col,vec3(hue*.3,hue*.6,hue),.15);
  o0=vec4(col,1.);
  o1=vec4(c1.x,c2.x,tint,1.);
}
