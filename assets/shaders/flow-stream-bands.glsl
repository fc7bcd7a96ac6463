// mode: geeker300
// family: flow
// title: contour bands of a noise stream function shaded by flow speed
// author: synthkd (original)
float hs(vec2 p){ vec3 q=fract(vec3(p.xyx)*.1031); q+=dot(q,q.yzx+33.33); return fract((q.x+q.y)*q.z); }
float vnoise(vec2 p){
  vec2 i=floor(p),f=fract(p); vec2 u=f*f*(3.-2.*f);
  return mix(mix(hs(i),hs(i+vec2(1.,0.)),u.x),mix(hs(i+vec2(0.,1.)),hs(i+vec2(1.,1.)),u.x),u.y);
}
float psi(vec2 p){
  float a=0.,w=.55;
  for(int i=0;i<3;i++){ a+=w*vnoise(p); p=mat2(1.6,1.2,-1.2,1.6)*p+vec2(3.1,t*.15); w*=.45; }
  return a;
}
void main(){
  vec2 p=gl_FragCoord.xy/r.y*2.2+vec2(t*.2,t*.1);
  float s0=psi(p);
  vec2 e=vec2(.02,0.);
  vec2 g=vec2(psi(p+e.xy)-s0,psi(p+e.yx)-s0)/e.x;
  float sp=length(g);
  float k=s0*7.+t*.4;
  float band=fract(k);
  vec3 c=.5+.45*cos(6.2831*(floor(k)*.11+vec3(.0,.25,.5)+t*.03));
  c*=.55+.45*smoothstep(0.,.15,band)*smoothstep(1.,.85,band);
  c=mix(c,vec3(1.),smoothstep(1.2,3.5,sp)*.35);
  c*=.8+.2*sin(atan(g.y,g.x)+t);
  o=vec4(c,1.);
}
