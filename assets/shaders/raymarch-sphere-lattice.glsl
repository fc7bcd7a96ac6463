// mode: geekest300
// family: raymarch
// title: orbiting camera over an infinite lattice of pulsing spheres
// author: synthkd (original)
float cellHash(vec3 c){ return fract(sin(dot(c,vec3(12.9898,78.233,37.719)))*43758.5453); }
float scene(vec3 p, out vec3 id){
  id=floor(p/2.);
  vec3 q=mod(p,2.)-1.;
  float k=cellHash(id);
  float rad=.25+.3*k+.08*sin(t*2.+k*6.28);
  float sph=length(q)-rad;
  float bars=min(length(q.xy),min(length(q.yz),length(q.xz)))-.05;
  return min(sph,bars);
}
void main(){
  vec2 uv=(FC.xy*2.-r)/r.y;
  float a=t*.35;
  vec3 ro=vec3(6.*cos(a),1.5+sin(t*.3),6.*sin(a))+vec3(0.,0.,t*.5);
  vec3 ta=vec3(0.,0.,t*.5);
  vec3 fw=normalize(ta-ro), rt=normalize(cross(vec3(0,1,0),fw)), up=cross(fw,rt);
  vec3 rd=normalize(uv.x*rt+uv.y*up+1.5*fw);
  float d=0.; vec3 id; float h=1.; int steps=0;
  for(int i=0;i<48;i++){
    h=scene(ro+rd*d,id);
    if(h<.003||d>22.)break;
    d+=h; steps=i;
  }
  vec3 p=ro+rd*d;
  vec2 e=vec2(.003,-.003);
  vec3 dum;
  vec3 n=normalize(e.xyy*scene(p+e.xyy,dum)+e.yyx*scene(p+e.yyx,dum)+e.yxy*scene(p+e.yxy,dum)+e.xxx*scene(p+e.xxx,dum)+1e-7);
  scene(p,id);
  vec3 L=normalize(vec3(.6,.9,.3));
  float dif=max(dot(n,L),0.);
  float spe=pow(max(dot(reflect(rd,n),L),0.),24.);
  float ao=1.-float(steps)/48.;
  vec3 base=hsv(cellHash(id+3.)*.35+t*.04+.5,.75,1.);
  vec3 col=base*(.15+.85*dif)*ao+spe*.6;
  vec3 fogc=mix(vec3(.05,.02,.1),vec3(.9,.5,.3),.5+.5*rd.y);
  col=mix(fogc,col,exp(-.09*d));
  o=vec4(pow(col,vec3(.8)),1);
}
