// mode: geeker300
// family: warp
// title: banded agate cross-section with warped concentric layers
// author: synthkd (original)
float hh(vec2 q){return fract(sin(dot(q,vec2(41.7,289.3)))*23917.31);}
float vnoise(vec2 q){
  vec2 i=floor(q),u=fract(q);
  u=u*u*(3.-2.*u);
  return mix(mix(hh(i),hh(i+vec2(1.,0.)),u.x),mix(hh(i+vec2(0.,1.)),hh(i+vec2(1.,1.)),u.x),u.y)*2.-1.;
}
float fbm(vec2 q){
  float a=.5,n=0.;
  for(int i=0;i<5;i++){n+=a*vnoise(q);q=mat2(1.6,1.2,-1.2,1.6)*q+3.1;a*=.5;}
  return n;
}
vec3 layer(float k,float tt){
  float x=fract(k*.137+tt*.06);
  vec3 a=vec3(.75,.35,.2),bb=vec3(.2,.45,.7),c=vec3(.9,.85,.75);
  vec3 col=mix(a,bb,smoothstep(.2,.5,x));
  col=mix(col,c,smoothstep(.55,.8,x));
  return mix(col,a*.5,smoothstep(.85,1.,x));
}
void main(){
  vec2 p=(gl_FragCoord.xy*2.-r)/r.y*1.2;
  p=mat2(cos(t*.15),sin(t*.15),-sin(t*.15),cos(t*.15))*p+vec2(.4*sin(t*.37),.3*cos(t*.29));
  vec2 w=vec2(fbm(p*1.1+t*.05),fbm(p*1.1+vec2(6.2,1.4)));
  float d=length(p*vec2(1.,1.35)+w*.45)*6.+fbm(p*3.+w)*1.3;
  float k=floor(d);
  float e=fract(d);
  vec3 c=layer(k,t);
  vec3 c2=layer(k+1.,t);
  c=mix(c,c2,smoothstep(.75,1.,e));
  c*=.8+.25*vnoise(p*30.+w*10.);
  c*=1.-.3*pow(abs(e-.5)*2.,12.);
  o=vec4(c,1.);
}
