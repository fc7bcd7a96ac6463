// mode: geekest-mrt
// family: tiling
// title: tartan plaid woven in a twill pattern
// author: synthkd (original)
vec2 uv=FC.xy/r.y;
uv=uv*rotate2D(.1*sin(t*.1))+vec2(t*.03,t*.02);
float per=1.2+.3*sin(floor(t*.5)*1.7);
vec2 q=abs(mod(uv,per)-per*.5)/per;
vec2 th=floor(FC.xy*(96./r.y));
float ep=floor(t*.3);
vec3 cx=hsv(fract(.6+ep*.21+floor(q.x*9.)*.17*fsnoise(vec2(floor(q.x*9.),ep))),.75,.25+.7*fsnoise(vec2(floor(q.x*9.)+3.,ep)));
vec3 cy=hsv(fract(.6+ep*.21+floor(q.y*9.)*.17*fsnoise(vec2(floor(q.y*9.),ep))),.75,.25+.7*fsnoise(vec2(floor(q.y*9.)+3.,ep)));
float tw=step(2.,mod(th.x+th.y,4.));
vec3 c=mix(cx,cy,tw);
vec2 fp=fract(FC.xy*(96./r.y));
c*=.75+.25*sin(3.14159*(tw>.5?fp.x:fp.y));
c*=.9+.1*snoise2D(uv*30.);
o0=vec4(c,1.);
o1=vec4(tw,q,1.);
