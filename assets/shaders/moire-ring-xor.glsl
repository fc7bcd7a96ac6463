// mode: geekest300
// family: moire
// title: hard-edged concentric ring sets xor-ed into hyperbolic fringes
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
float sep=.25+.2*sin(t*.23);
vec2 a=vec2(-sep,.1*sin(t*.5)),b=vec2(sep,-.1*cos(t*.4)),c3=vec2(.15*sin(t*.17),.6*cos(t*.13));
float n=14.+4.*sin(t*.19);
float r1=step(.5,fract(length(p-a)*n-t*.3));
float r2=step(.5,fract(length(p-b)*n+t*.2));
float r3=step(.5,fract(length(p-c3)*n*.5));
float x=abs(r1-r2);
float fr=length(p-a)-length(p-b);
vec3 col=hsv(fract(fr*.5+t*.06),.8,.95);
vec3 col2=hsv(fract(fr*.5+t*.06+.5),.7,.25);
vec3 c=mix(col2,col,x);
c=mix(c,c.brg,r3*.5);
o=vec4(c,1.);
