// mode: geekest300
// family: warp
// title: flat-sawn wood plank with warped arched growth rings
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
p=rotate2D(.3*sin(t*.11)+1.57*step(5.,t))*p;
p+=vec2(t*.09,.2*sin(t*.17));
float n=.6*snoise2D(p*vec2(.6,1.4)+t*.02)+.25*snoise2D(p*vec2(1.2,3.)+5.);
vec2 c=vec2(p.x*.22,p.y)+vec2(0.,.6);
float d=length(c+vec2(0.,n*.25))*6.+n*1.2;
float band=floor(d);
float ring=fract(d);
float g=smoothstep(0.,.6,ring)*smoothstep(1.,.85,ring);
float grain=.5+.5*snoise2D(vec2(p.x*3.,p.y*45.+n*8.));
float knot=exp(-8.*length((p-vec2(.5*sin(t*.2),-.3))*vec2(1.,1.8)));
float tone=.05+.04*sin(t*.31)+.04*fsnoise(vec2(band,3.));
vec3 lite=hsv(tone+.03,.5,.92);
vec3 dark=hsv(tone,.8,.42);
vec3 col=mix(dark,lite,g*.8+grain*.2);
col=mix(col,hsv(tone,.85,.25),knot);
col*=.85+.15*fsnoise(vec2(band,9.));
o=vec4(col,1.);
