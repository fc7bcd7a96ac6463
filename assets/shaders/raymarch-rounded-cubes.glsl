// mode: geeker300
// family: raymarch
// title: grid of tumbling rounded cubes with ambient occlusion
// author: synthkd (original)
mat2 rot(float a){ float c=cos(a),s=sin(a); return mat2(c,s,-s,c); }
float h21(vec2 p){ return fract(sin(dot(p,vec2(41.3,289.1)))*17351.37); }
float rbox(vec3 p,vec3 bs,float rr){ vec3 q=abs(p)-bs+rr; return length(max(q,0.))+min(max(q.x,max(q.y,q.z)),0.)-rr; }
float field(vec3 p){
  vec2 id=floor(p.xz/1.6+.5);
  vec3 q=p; q.xz-=id*1.6;
  float k=h21(id);
  q.y-=.25*sin(t*1.3+k*6.28);
  q.xy*=rot(t*(.5+k)+k*3.);
  q.yz*=rot(t*.7+k*5.);
  float bx=rbox(q,vec3(.42),.12);
  return min(bx*.7,p.y+.9);
}
vec3 nrm(vec3 p){ vec2 e=vec2(.003,0.); return normalize(vec3(field(p+e.xyy)-field(p-e.xyy),field(p+e.yxy)-field(p-e.yxy),field(p+e.yyx)-field(p-e.yyx))+1e-6); }
void main(){
  vec2 uv=(gl_FragCoord.xy*2.-r)/r.y;
  vec3 ro=vec3(t*.4,3.2,-2.+t*.3);
  vec3 rd=normalize(vec3(uv,1.3));
  rd.yz*=rot(-.85);
  rd.xz*=rot(.3*sin(t*.2)+.5);
  float d=0.,h;
  for(int i=0;i<48;i++){ h=field(ro+rd*d); if(h<.002||d>20.)break; d+=h; }
  vec3 p=ro+rd*d, n=nrm(p);
  float ao=0.,sc=1.;
  for(int i=1;i<4;i++){ float hs=.08*float(i); ao+=(hs-field(p+n*hs))*sc; sc*=.6; }
  ao=clamp(1.-3.*ao,0.,1.);
  vec3 L=normalize(vec3(-.4,.9,-.2));
  float dif=max(dot(n,L),0.);
  vec2 id=floor(p.xz/1.6+.5);
  vec3 base=.55+.45*cos(6.2831*(h21(id)*.6+t*.05+vec3(0.,.15,.3)));
  if(p.y<-.89) base=vec3(.85,.8,.75)*(.75+.25*step(.5,fract(p.x*.625+.5*floor(p.z*.625))));
  vec3 col=base*(.25+.85*dif)*ao;
  col=mix(vec3(.9,.85,.95),col,exp(-.05*d));
  o=vec4(col,1.);
}
