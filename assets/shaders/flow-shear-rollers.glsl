// mode: geeker
// family: flow
// title: layered fluid rolled up by a shear-layer vortex row
// author: synthkd (original)
vec2 vel(vec2 p,float tt){
  vec2 v=vec2(p.y*1.6/sqrt(1.+4.*p.y*p.y),0.);
  for(int k=-2;k<=2;k++){
    vec2 c=vec2(float(k)*1.1+mod(tt*.25,1.1),.08*sin(tt+float(k)));
    vec2 d=p-c;
    float r2=dot(d,d)+.03;
    v+=vec2(-d.y,d.x)*.22/r2*exp(-r2*2.);
  }
  return v;
}
void main(){
  vec2 p=(gl_FragCoord.xy*2.-r)/r.y*1.3;
  vec2 q=p;
  for(int i=0;i<16;i++){ q-=vel(q,t-float(i)*.09)*.09; }
  float layer=q.y*4.+.3*sin(q.x*3.);
  float id=floor(layer);
  vec3 c=.5+.5*cos(6.2831*(id*.13+vec3(.0,.1,.2)+.55+t*.03));
  c=mix(c,c.bgr,step(0.,q.y));
  c*=.7+.3*smoothstep(0.,.2,fract(layer))*smoothstep(1.,.8,fract(layer));
  c*=.85+.15*sin(q.x*20.);
  gl_FragColor=vec4(c,1.);
}
