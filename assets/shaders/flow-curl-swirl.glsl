// mode: geekest300
// family: flow
// title: curl-noise swirls traced back through a drifting potential
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*.9;
vec2 q=p, sh=vec2(t*.07,-t*.05);
float e=.02,acc=0.;
for(int i=0;i<6;i++){
  float n0=snoise2D(q+sh);
  float nx=snoise2D(q+sh+vec2(e,0));
  float ny=snoise2D(q+sh+vec2(0,e));
  vec2 v=vec2(ny-n0,-(nx-n0))/e;
  q-=v*.075;
  acc+=length(v)*.045;
}
float sn=snoise2D(q*2.2+3.7+t*.03);
float band=.5+.5*sin(sn*6.+t*.5);
vec3 c=hsv(.6+.3*sn+t*.05,.75,.3+.7*band);
c=mix(c,hsv(.1+t*.05,.85,1.),smoothstep(.7,1.4,acc)*.7);
o=vec4(c,1);
