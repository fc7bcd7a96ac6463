// mode: geekest-mrt
// family: flow
// title: two dyes advected by a swirling field, velocity in second target
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
vec2 q=p;
vec2 v=vec2(0.);
for(int i=0;i<10;i++){
  float ti=t-float(i)*.1;
  v=vec2(snoise2D(q*1.3+vec2(ti*.1,0.)),snoise2D(q*1.3+vec2(5.2,ti*.1)));
  v+=1.4*vec2(-q.y,q.x)*exp(-dot(q,q)*1.5);
  q-=v*.105;
}
float dyeA=smoothstep(.05,-.05,length(q-vec2(-.35,.1))-.35);
float dyeB=smoothstep(.05,-.05,length(q-vec2(.4,-.2))-.3);
float stripes=.5+.5*sin(q.x*14.+q.y*6.);
vec3 bg=hsv(.58+t*.03,.35,.25+.2*stripes);
vec3 c=mix(bg,hsv(.02+t*.04,.85,1.),dyeA);
c=mix(c,hsv(.35+t*.04,.8,.95),dyeB);
o0=vec4(c,1);
o1=vec4(v*.5+.5,dyeA,1);
