// mode: shadertoy
// family: raymarch
// title: sphere, box and torus on a tiled floor with soft shadows
// author: synthkd (original)
float sBox(vec3 p,vec3 b){ vec3 q=abs(p)-b; return length(max(q,0.))+min(max(q.x,max(q.y,q.z)),0.); }
vec2 scene(vec3 p){
  vec2 r=vec2(p.y,0.);
  float s=length(p-vec3(-1.,.6+.2*sin(iTime*1.5),0.))-.6;
  if(s<r.x) r=vec2(s,1.);
  vec3 bp=p-vec3(.9,.45,.4);
  float a=iTime*.6; bp.xz=mat2(cos(a),sin(a),-sin(a),cos(a))*bp.xz;
  float bx=sBox(bp,vec3(.4))-.04;
  if(bx<r.x) r=vec2(bx,2.);
  vec3 tp=p-vec3(.1,.25,-1.1);
  float to=length(vec2(length(tp.xz)-.45,tp.y))-.2;
  if(to<r.x) r=vec2(to,3.);
  return r;
}
float shadow(vec3 ro,vec3 rd){
  float res=1.,d=.03;
  for(int i=0;i<20;i++){ float h=scene(ro+rd*d).x; res=min(res,8.*h/d); d+=clamp(h,.03,.3); if(res<.01||d>6.)break; }
  return clamp(res,0.,1.);
}
void mainImage(out vec4 fragColor,in vec2 fragCoord){
  vec2 uv=(fragCoord*2.-iResolution.xy)/iResolution.y;
  float a=iTime*.25;
  vec3 ro=vec3(4.*sin(a),2.2+.5*sin(iTime*.3),4.*cos(a));
  vec3 fw=normalize(vec3(0.,.3,0.)-ro), rt=normalize(cross(vec3(0,1,0),fw)), up=cross(fw,rt);
  vec3 rd=normalize(uv.x*rt+uv.y*up+1.7*fw);
  float d=0.; vec2 h;
  for(int i=0;i<64;i++){ h=scene(ro+rd*d); if(h.x<.001||d>25.)break; d+=h.x; }
  vec3 sky=mix(vec3(.95,.8,.7),vec3(.35,.55,.9),clamp(rd.y*1.5+.2,0.,1.));
  vec3 col=sky;
  if(d<25.){
    vec3 p=ro+rd*d; vec2 e=vec2(.002,0.);
    vec3 n=normalize(vec3(scene(p+e.xyy).x-scene(p-e.xyy).x,scene(p+e.yxy).x-scene(p-e.yxy).x,scene(p+e.yyx).x-scene(p-e.yyx).x)+1e-6);
    vec3 L=normalize(vec3(.6*cos(iTime*.2),.8,.6*sin(iTime*.2)+.3));
    float dif=max(dot(n,L),0.)*shadow(p+n*.01,L);
    vec3 base;
    if(h.y<.5){ vec2 c=floor(p.xz*2.); base=mod(c.x+c.y,2.)<.5? vec3(.9,.88,.8):vec3(.25,.3,.4); base=mix(base,base*vec3(1.,.8,.7),.5+.5*sin(iTime*.4)); }
    else if(h.y<1.5) base=vec3(.95,.3,.2);
    else if(h.y<2.5) base=vec3(.2,.6,.95);
    else base=vec3(.95,.8,.2);
    base=mix(base,base.gbr,.5+.5*sin(iTime*.3+h.y));
    col=base*(.18+.9*dif)+.25*pow(max(dot(reflect(rd,n),L),0.),30.)*dif;
    col=mix(sky,col,exp(-.01*d*d));
  }
  fragColor=vec4(pow(col,vec3(.85)),1.);
}
