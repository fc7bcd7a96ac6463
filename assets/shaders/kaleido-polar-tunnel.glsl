// mode: geekest300
// family: kaleido
// title: log-polar mirrored tile tunnel with ring-dependent hues
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
float l=max(length(p),1e-3);
float N=8.;
vec2 u=vec2(log(l)*N/PI2*1.-t*.6,atan(p.y,p.x)/PI2*N+t*.1);
vec2 id=floor(u),g=abs(fract(u)-.5);
if(g.x<g.y)g=g.yx;
float d=abs(g.x+g.y-.55-.1*sin(t+id.x));
float ring=mod(id.x,4.);
vec3 col=hsv(ring*.23+id.y*.02+t*.05,.8,.9);
col*=.3+.7*smoothstep(.0,.06,d);
col=mix(col,hsv(ring*.23+.5,.6,1.),smoothstep(.2,.0,length(g-vec2(.35,.1))));
col*=smoothstep(0.,.25,l)*.85+.15;
o=vec4(col,1.);
