// mode: geekest300
// family: tiling
// title: quarter-circle truchet ribbons with flowing stripes
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
p=p*rotate2D(.2*sin(t*.21))*(2.6+.8*sin(t*.13))+vec2(t*.31,t*.17);
vec2 id=floor(p),g=fract(p)-.5;
float h=fsnoise(id);
float fl=h>.5?-1.:1.;
g.x*=fl;
vec2 q=g-sign(g.x+g.y+1e-4)*.5;
float rr=length(q);
float d=abs(rr-.5);
float par=mod(id.x+id.y,2.)*2.-1.;
float a=atan(q.y,q.x)*fl*par*sign(g.x+g.y+1e-4);
float w=.17+.04*sin(t*.7);
float band=smoothstep(w,w-.03,d);
float stripe=.5+.5*sin(a*8.+t*3.);
vec3 rib=hsv(fract(h*.3+(id.x-id.y)*.035+t*.04),.75,.95)*(.55+.45*stripe)*(1.-2.2*d*d/(w*w+.001)*.4);
vec3 bg=hsv(fract(.55+t*.04+fsnoise(id+7.)*.2),.55,.28+.12*snoise2D(p*5.));
bg*=.7+.3*smoothstep(.0,.3,d-w);
vec3 c=mix(bg,rib,band);
c+=vec3(.9,.8,.6)*smoothstep(.02,.0,abs(d-w+.015))*.5;
o=vec4(c,1.);
