// mode: geekest300
// family: flow
// title: ink rings folded by a time-varying sinusoidal flow
// author: synthkd (original)
vec2 q=(FC.xy*2.-r)/r.y;
float T=t;
for(int i=0;i<20;i++){
  float ti=T-float(i)*.08;
  q-=.06*vec2(sin(q.y*2.3+ti*.9)+.5*sin(q.y*4.1-ti*.6),cos(q.x*2.1-ti*.7)+.5*cos(q.x*3.7+ti*.5));
}
float dd=length(q-vec2(.2*sin(t*.2),.15));
float d2=length(q+vec2(.5,.3));
float rings=fract(dd*4.);
float rings2=fract(d2*5.);
vec3 c=hsv(floor(dd*4.)*.17+t*.03,.8,.95);
c=mix(c,hsv(floor(d2*5.)*.13+.5+t*.03,.7,.8),step(d2,dd*1.1));
c*=.75+.25*smoothstep(0.,.1,min(rings,1.-rings));
o=vec4(c,1);
