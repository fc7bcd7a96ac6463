// mode: geekest300
// family: raymarch
// title: interlocking spinning tori with iridescent shading
// author: synthkd (original)
float torus(vec3 p,float R,float w){ return length(vec2(length(p.xz)-R,p.y))-w; }
float map(vec3 p, out float mat){
  float best=1e9; mat=0.;
  for(int k=0;k<4;k++){
    float fk=float(k);
    vec3 q=p;
    q=rotate3D(t*(.4+.15*fk)+fk*1.7,vec3(sin(fk*2.1),cos(fk*1.3),.5))*q;
    float dd=torus(q,1.2-.22*fk,.09+.03*fk);
    if(dd<best){best=dd;mat=fk;}
  }
  float core=length(p)-.25-.05*sin(t*3.);
  if(core<best){best=core;mat=4.;}
  return best;
}
void main(){
  vec2 uv=(FC.xy*2.-r)/r.y;
  vec3 ro=vec3(0.,.4,-3.);
  ro.xz*=rotate2D(t*.2); 
  vec3 fw=normalize(-ro), rt=normalize(cross(vec3(0,1,0),fw)), up=cross(fw,rt);
  vec3 rd=normalize(uv.x*rt+uv.y*up+1.8*fw);
  float d=0.,mt=0.,h;
  for(int i=0;i<52;i++){ h=map(ro+rd*d,mt); if(h<.002||d>8.)break; d+=h; }
  vec3 bg=hsv(.7+.1*uv.y+t*.02,.6,.3+.2*(uv.y+1.));
  bg+=.06*sin(40.*atan(uv.y,uv.x)+t)*vec3(.5,.3,.8);
  vec3 col=bg;
  if(d<8.){
    vec3 p=ro+rd*d; vec2 e=vec2(.002,0.); float mm;
    vec3 n=normalize(vec3(map(p+e.xyy,mm)-map(p-e.xyy,mm),map(p+e.yxy,mm)-map(p-e.yxy,mm),map(p+e.yyx,mm)-map(p-e.yyx,mm))+1e-6);
    float fr=pow(1.-abs(dot(n,rd)),2.);
    vec3 L=normalize(vec3(-.5,.8,-.6));
    float dif=max(dot(n,L),0.);
    vec3 base=hsv(mt*.19+t*.05+fr*.4,.8,1.);
    col=base*(.2+.8*dif)+fr*hsv(mt*.3+.5,.5,1.)*.8+pow(max(dot(reflect(rd,n),L),0.),40.);
  }
  o=vec4(col,1);
}
