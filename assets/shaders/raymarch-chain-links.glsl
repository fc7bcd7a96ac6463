// mode: classic
// family: raymarch
// title: endless repeated chain of interlinked metal links
// author: synthkd (original)
precision highp float;
uniform vec2 resolution;
uniform vec2 mouse;
uniform float time;
uniform sampler2D backbuffer;
float link(vec3 p,float le,float r1,float r2){ vec3 q=vec3(p.x,max(abs(p.y)-le,0.),p.z); return length(vec2(length(q.xy)-r1,q.z))-r2; }
vec2 chains(vec3 p){
  vec2 cc=floor(p.xz/2.+.5);
  p.xz-=cc*2.;
  float cz=cc.x*3.+cc.y*7.;
  float yy=p.y+time*(.6+.3*sin(cz));
  vec3 a=vec3(p.x,mod(yy,1.2)-.6,p.z);
  vec3 b=vec3(p.z,mod(yy+.6,1.2)-.6,p.x);
  float d1=link(a,.22,.28,.07);
  float d2=link(b,.22,.28,.07);
  return d1<d2? vec2(d1,cz):vec2(d2,cz+.5);
}
void main(){
  vec2 uv=(gl_FragCoord.xy*2.-resolution)/resolution.y;
  vec3 ro=vec3(1.,0.,1.+time*.4);
  vec3 rd=normalize(vec3(-1.3,uv.y,uv.x));
  float ca=.8+time*.15;
  rd.xz=mat2(cos(ca),sin(ca),-sin(ca),cos(ca))*rd.xz;
  float d=0.; vec2 h;
  for(int i=0;i<64;i++){ h=chains(ro+rd*d); if(h.x<.002||d>16.)break; d+=h.x*.8; }
  vec3 bg=mix(vec3(.12,.05,.02),vec3(.9,.4,.1),.5+.5*uv.y);
  bg*=.7+.3*sin(uv.x*8.+time);
  vec3 col=bg;
  if(d<16.){
    vec3 p=ro+rd*d; vec2 e=vec2(.002,0.);
    vec3 n=normalize(vec3(chains(p+e.xyy).x-chains(p-e.xyy).x,chains(p+e.yxy).x-chains(p-e.yxy).x,chains(p+e.yyx).x-chains(p-e.yyx).x)+1e-6);
    vec3 rf=reflect(rd,n);
    vec3 env=mix(vec3(.2,.1,.05),vec3(1.,.85,.6),.5+.5*rf.y)+.4*vec3(.3,.5,1.)*pow(max(rf.x,0.),4.);
    vec3 tint=.7+.5*cos(6.2831*(h.y*.23+time*.04+vec3(0.,.2,.45)));
    col=env*tint*(.4+.6*max(dot(n,normalize(vec3(1.,1.,-.5))),0.));
    col=mix(bg,col,exp(-.13*d));
  }
  gl_FragColor=vec4(col,1.);
}
