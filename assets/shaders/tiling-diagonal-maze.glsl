// mode: geekest300
// family: tiling
// title: diagonal ten-print maze with two-tone zigzag fills
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
p=p*rotate2D(t*.04)*(3.5+sin(t*.3))+vec2(t*.4,-t*.25);
vec2 id=floor(p),g=fract(p)-.5;
float h=fsnoise(id+floor(t*.25)*13.);
if(h>.5)g.x=-g.x;
float sd=(g.x+g.y)*.7071;
float d=abs(sd);
float w=.09+.05*sin(t*.9+id.x*.4);
float side=step(0.,sd);
float par=mod(id.x+id.y+side+(h>.5?1.:0.),2.);
vec3 ca=hsv(fract(id.x*.03+id.y*.05+t*.06),.7,.85);
vec3 cb=hsv(fract(id.x*.03+id.y*.05+t*.06+.45),.6,.45);
vec3 c=mix(ca,cb,par);
c*=.75+.25*cos(d*28.-t*4.);
c=mix(c,vec3(1.,.97,.9),smoothstep(w,w-.03,d));
c*=.85+.15*fsnoise(FC.xy+t);
o=vec4(c,1.);
