// mode: geekest300
// family: raymarch
// title: three-level sponge cube seen from an orbiting camera
// author: synthkd (original)
float boxd(vec3 p,vec3 bs){ vec3 q=abs(p)-bs; return length(max(q,0.))+min(max(q.x,max(q.y,q.z)),0.); }
float sponge(vec3 p, out float tr){
  float d=boxd(p,vec3(1.));
  float sc=1.; tr=0.;
  for(int i=0;i<3;i++){
    vec3 a=mod(p*sc,2.)-1.;
    sc*=3.;
    vec3 q=abs(1.-3.*abs(a));
    float c=(min(max(q.x,q.y),min(max(q.y,q.z),max(q.z,q.x)))-1.)/sc;
    if(c>d){ d=c; tr=float(i+1); }
  }
  return d;
}
void main(){
  vec2 uv=(FC.xy*2.-r)/r.y;
  vec3 ro=vec3(3.2*sin(t*.3),1.6*cos(t*.23)+.4,3.2*cos(t*.3));
  vec3 fw=normalize(-ro), rt=normalize(cross(vec3(0,1,0),fw)), up=cross(fw,rt);
  vec3 rd=normalize(uv.x*rt+uv.y*up+1.7*fw);
  float d=0.,h,tr=0.; int it=0;
  for(int i=0;i<64;i++){ h=sponge(ro+rd*d,tr); it=i; if(h<.002||d>9.)break; d+=h; }
  vec3 col=mix(vec3(.95,.85,.7),vec3(.2,.35,.55),.5+.5*uv.y);
  col*=.8+.2*fsnoise(floor(FC.xy/4.)*.01);
  if(d<9.){
    vec3 p=ro+rd*d; vec2 e=vec2(.002,0.); float q;
    vec3 n=normalize(vec3(sponge(p+e.xyy,q)-sponge(p-e.xyy,q),sponge(p+e.yxy,q)-sponge(p-e.yxy,q),sponge(p+e.yyx,q)-sponge(p-e.yyx,q))+1e-6);
    vec3 L=normalize(vec3(.5,.8,.3));
    float dif=max(dot(n,L),0.),amb=.5+.5*n.y;
    float ao=clamp(1.-float(it)/48.,0.,1.);
    vec3 base=hsv(tr*.13+t*.07+.03*dot(p,vec3(1.)),.6,1.);
    col=base*(.3*amb+.8*dif)*(.3+.7*ao);
  }
  o=vec4(col,1);
}
