// mode: geekest300
// family: polar
// title: checkered crossing logarithmic spirals
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
p+=.15*vec2(sin(t*.37),cos(t*.29));
float l=length(p)+1e-4,a=atan(p.y,p.x),g=log(l);
float u=a*7./PI2+g*2.3-t*.4;
float v=a*4./PI2-g*3.1+t*.3;
float fu=fract(u),fv=fract(v);
float e=smoothstep(0.,.1,fu)*smoothstep(1.,.9,fu);
float c=mod(floor(u)+floor(v),2.);
vec3 col=hsv(floor(u)/7.+t*.05+c*.35,.8-.35*c,.45+.55*fv);
col*=.35+.65*e;
col*=.4+.6*smoothstep(0.,.25,l);
col+=hsv(t*.1,.5,1.)*.25*exp(-l*8.);
o=vec4(col,1);
