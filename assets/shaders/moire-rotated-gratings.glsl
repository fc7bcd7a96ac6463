// mode: geekest300
// family: moire
// title: two line gratings on film rotated against each other
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
float th=.08+.06*sin(t*.37);
float k=48.+10.*sin(t*.11);
vec2 q1=p*rotate2D(t*.05),q2=p*rotate2D(t*.05+th)*(1.+.03*sin(t*.5));
float g1=smoothstep(.2,.5,.5+.5*sin(q1.x*k));
float g2=smoothstep(.2,.5,.5+.5*sin(q2.x*k+t));
float g3=smoothstep(.3,.6,.5+.5*sin((q1.y+q2.x*.2)*k*.7));
vec3 c=vec3(1.);
c*=mix(vec3(1.),vec3(0.,.75,1.),g1);
c*=mix(vec3(1.),vec3(1.,.1,.7),g2);
c*=mix(vec3(1.),vec3(1.,.95,.1),g3*.8);
c=mix(c,c*hsv(fract(t*.05+p.x*.2),.5,1.),.5);
o=vec4(c,1.);
