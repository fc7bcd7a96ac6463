// mode: geekest300
// family: flow
// title: arrow glyphs showing a rotating vortex field over its speed map
// author: synthkd (original)
vec2 u=(FC.xy*2.-r)/r.y;
float G=5.;
vec2 id=floor(u*G*.5)+.5;
vec2 cp=id/(G*.5);
vec2 c1=.6*vec2(cos(t*.5),sin(t*.7)), c2=-.5*vec2(sin(t*.4),cos(t*.6));
vec2 d1=cp-c1, d2=cp-c2;
vec2 v=vec2(-d1.y,d1.x)/(dot(d1,d1)+.15)-vec2(-d2.y,d2.x)/(dot(d2,d2)+.15)+vec2(.6*sin(t*.3),.4);
vec2 e1=u-c1,e2=u-c2;
vec2 vp=vec2(-e1.y,e1.x)/(dot(e1,e1)+.15)-vec2(-e2.y,e2.x)/(dot(e2,e2)+.15)+vec2(.6*sin(t*.3),.4);
float sp=length(vp);
vec3 bg=hsv(.65-.12*sp+t*.03,.7,.35+.15*sp);
bg*=.8+.2*sin(atan(vp.y,vp.x)*3.);
vec2 dir=normalize(v+1e-5);
vec2 l=(u-cp)*G*.5;
l=vec2(dot(l,dir),dot(l,vec2(-dir.y,dir.x)));
float len=clamp(length(v)*.25,.15,.42);
float shaft=step(abs(l.y),.05)*step(-len,l.x)*step(l.x,len-.12);
float head=step(len-.22,l.x)*step(l.x,len)*step(abs(l.y),(len-l.x)*.7);
float ar=max(shaft,head);
vec3 c=mix(bg,hsv(.1+.1*length(v)+t*.03,.6,1.),ar);
o=vec4(c,1);
