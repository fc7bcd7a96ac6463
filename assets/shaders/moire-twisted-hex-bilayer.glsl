// mode: geeker
// family: moire
// title: twisted bilayer hexagonal lattices forming a moire superlattice
// author: synthkd (original)
float lat(vec2 p){
 float s=0.;
 for(int i=0;i<3;i++){
  float a=float(i)*2.0943951;
  s+=cos(dot(p,vec2(cos(a),sin(a))));
 }
 return s;
}
mat2 rt(float a){return mat2(cos(a),-sin(a),sin(a),cos(a));}
void main(){
 vec2 p=(gl_FragCoord.xy*2.-r)/r.y;
 float k=40.+10.*sin(t*.09);
 float th=.06+.05*sin(t*.27);
 vec2 q=p*rt(t*.02);
 float A=lat(q*k);
 float B=lat(rt(th)*q*k*(1.+.02*sin(t*.4)));
 float a=smoothstep(1.5,2.6,A),bb=smoothstep(1.5,2.6,B);
 float env=lat(q*k*th*1.);
 vec3 c=vec3(.05,.03,.08);
 c+=a*vec3(1.,.35,.1);
 c+=bb*vec3(.1,.55,1.);
 c+=.25*(.5+.5*sin(vec3(0.,2.,4.)+env*1.5+t*.3))*(.5+.5*(A+B)/6.);
 gl_FragColor=vec4(c,1.);
}
