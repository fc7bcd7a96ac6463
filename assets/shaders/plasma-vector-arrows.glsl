// mode: geeker
// family: plasma
// title: arrow glyphs tracing a swirling vector field
// author: synthkd (original)
vec2 field(vec2 p){
  float a=sin(p.x*1.3+t*.5)+cos(p.y*1.1-t*.4);
  float b=cos(p.x*.9-t*.3)*sin(p.y*1.6+t*.6);
  return vec2(cos(a*2.+b),sin(a*1.5-b*2.))*(.5+.5*abs(sin(a+b)));
}
void main(){
  vec2 p=(gl_FragCoord.xy*2.-r)/r.y*3.;
  vec2 id=floor(p)+.5,f=p-id;
  vec2 v=field(id);
  float mg=length(v);
  vec2 dir=v/max(mg,1e-4);
  vec2 q=vec2(dot(f,dir),dot(f,vec2(-dir.y,dir.x)));
  float L=.12+.22*mg;
  float shaft=max(abs(q.y)-.08,abs(q.x+.05)-L);
  float head=max(abs(q.y)-(L+.2-q.x)*.8,-(q.x-L+.05));
  head=max(head,q.x-L-.2);
  float d=min(shaft,head);
  vec2 vp=field(p);
  vec3 bg=.5+.5*cos(6.2832*(length(vp)*.5+t*.04+vec3(.6,.7,.9)));
  bg*=.55;
  vec3 ac=.55+.45*cos(6.2832*(mg*.7+t*.06+vec3(0.,.33,.67)));
  vec3 col=mix(bg,ac,smoothstep(.03,-.01,d));
  gl_FragColor=vec4(col,1.);
}
