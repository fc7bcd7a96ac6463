// mode: geeker
// family: raymarch
// title: drifting field of spinning octahedra in shifting coloured fog
// author: synthkd (original)
float hash3(vec3 p){ return fract(sin(dot(p,vec3(7.13,157.1,113.7)))*43758.55); }
mat2 rm(float a){ float c=cos(a),s=sin(a); return mat2(c,s,-s,c); }
float octa(vec3 p,float sz){ p=abs(p); return (p.x+p.y+p.z-sz)*.577; }
float world(vec3 p){
  vec3 id=floor(p/1.5);
  vec3 q=mod(p,1.5)-.75;
  float k=hash3(id);
  q.xy*=rm(t*(k-.5)*2.+k*6.);
  q.yz*=rm(t*.6+k*3.);
  return octa(q,.25+.25*k);
}
void main(){
  vec2 uv=(gl_FragCoord.xy*2.-r)/r.y;
  vec3 ro=vec3(sin(t*.2)*.5,cos(t*.17)*.5,t*1.5);
  vec3 rd=normalize(vec3(uv,1.2));
  rd.xy*=rm(t*.1);
  rd.xz*=rm(.3*sin(t*.3));
  float d=0.,h; vec3 p;
  for(int i=0;i<60;i++){ p=ro+rd*d; h=world(p); if(h<.002||d>18.)break; d+=h*.9; }
  vec2 e=vec2(.003,0.);
  vec3 n=normalize(vec3(world(p+e.xyy)-world(p-e.xyy),world(p+e.yxy)-world(p-e.yxy),world(p+e.yyx)-world(p-e.yyx))+1e-6);
  vec3 id=floor(p/1.5);
  float k=hash3(id+1.);
  vec3 base=mix(vec3(1.,.45,.2),vec3(.95,.9,.3),k);
  if(k>.7) base=vec3(.9,.2,.5);
  float dif=max(dot(n,normalize(vec3(.2,.8,-.5))),0.);
  float bk=max(dot(n,-rd),0.);
  vec3 col=base*(.15+.6*dif+.3*bk);
  vec3 fog=mix(vec3(.0,.25,.3),vec3(.1,.55,.5),.5+.5*uv.y)*(.8+.2*sin(t*.7));
  fog=mix(fog,fog.zxy,.5+.5*sin(t*.4));
  col=mix(fog,col,exp(-.12*d));
  gl_FragColor=vec4(col,1.);
}
