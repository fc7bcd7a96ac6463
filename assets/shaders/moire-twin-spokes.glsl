// mode: geekest300
// family: moire
// title: two radial spoke gratings with offset hubs
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
vec2 h1=vec2(.3*sin(t*.2),.2*cos(t*.27)),h2=vec2(-.25*cos(t*.15),-.2*sin(t*.33)+.1);
float N=36.;
vec2 d1=p-h1,d2=p-h2;
float a1=atan(d1.y,d1.x),a2=atan(d2.y,d2.x);
float s1=sin(a1*N+t*.5),s2=sin(a2*N-t*.4);
float s3=sin(a1*N*.5+length(d2)*20.);
float v=s1*s2;
vec3 c=hsv(fract(v*.25+t*.05+length(p)*.3),.75,.5+.5*v);
c=mix(c,hsv(fract(.5+t*.05),.9,.9),smoothstep(.6,1.,s3)*.35);
c*=smoothstep(0.,.08,min(length(d1),length(d2)))*.7+.3;
o=vec4(c,1.);
