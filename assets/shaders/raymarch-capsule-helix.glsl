// mode: geeker300
// family: raymarch
// title: double helix of capsule rungs rotating in a haze
// author: synthkd (original)
float seg(vec3 p,vec3 a,vec3 bb,float w){ vec3 pa=p-a,ba=bb-a; float h=clamp(dot(pa,ba)/dot(ba,ba),0.,1.); return length(pa-ba*h)-w; }
vec2 helix(vec3 p){
  float st=.45;
  float k=floor(p.y/st+.5);
  float best=1e9, mm=0.;
  for(int j=-1;j<=1;j++){
    float y=(k+float(j))*st;
    float a=y*1.1+t*.8;
    vec3 A=vec3(cos(a),y,sin(a)), B=vec3(-cos(a),y,-sin(a));
    float rung=seg(p,A,B,.06);
    float ends=min(length(p-A),length(p-B))-.17;
    if(rung<best){best=rung;mm=k+float(j);}
    if(ends<best){best=ends;mm=k+float(j)+.5;}
  }
  return vec2(best,mm);
}
void main(){
  vec2 uv=(gl_FragCoord.xy*2.-r)/r.y;
  vec3 ro=vec3(0.,t*.6,-4.2);
  vec3 rd=normalize(vec3(uv,1.8));
  float ca=sin(t*.3)*.6; mat2 R=mat2(cos(ca),sin(ca),-sin(ca),cos(ca));
  ro.xz*=R; rd.xz*=R;
  rd.xy*=mat2(cos(.5),sin(.5),-sin(.5),cos(.5));
  float d=0.; vec2 h;
  float glow=0.;
  for(int i=0;i<56;i++){ h=helix(ro+rd*d); glow+=.02/(1.+h.x*h.x*30.); if(h.x<.002||d>10.)break; d+=h.x; }
  vec3 bg=mix(vec3(.05,.1,.2),vec3(.5,.2,.4),.5+.5*sin(uv.y*2.+t*.4))+glow*vec3(.3,.6,.9)*.5;
  bg+=.08*sin(uv.x*30.+uv.y*10.+t)*vec3(.2,.4,.5);
  vec3 col=bg;
  if(d<10.){
    vec3 p=ro+rd*d; vec2 e=vec2(.003,0.);
    vec3 n=normalize(vec3(helix(p+e.xyy).x-helix(p-e.xyy).x,helix(p+e.yxy).x-helix(p-e.yxy).x,helix(p+e.yyx).x-helix(p-e.yyx).x)+1e-6);
    float dif=.5+.5*dot(n,normalize(vec3(.3,.7,-.6)));
    float mi=h.y;
    vec3 base=fract(mi)>.25? vec3(1.,.9,.7): .5+.5*cos(6.2831*(mi*.17+t*.05+vec3(0.,.33,.67)));
    col=base*dif+pow(1.-abs(dot(n,rd)),3.)*.4;
    col=mix(bg,col,exp(-.04*d*d));
  }
  o=vec4(col,1.);
}
