// mode: geekest-mrt
// family: polar
// title: swirling whirlpool with foam streaks
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
p+=.1*vec2(sin(t*.3),cos(t*.4));
float l=length(p)+1e-3;
vec2 q=p*rotate2D(1.6/(l+.15)+t*.6);
q*=vec2(1.,.45);
float n=snoise2D(q*3.+vec2(0.,t*.2))*.55+snoise2D(q*7.-t*.1)*.3+snoise2D(q*15.)*.15;
float foam=smoothstep(.25,.7,n)*smoothstep(.05,.35,l);
float depth=smoothstep(.9,.0,l);
vec3 deep=hsv(.62+.06*sin(t*.25),.85,.25);
vec3 shallow=hsv(.47+.05*sin(t*.2+1.),.7,.85);
vec3 col=mix(shallow,deep,depth);
col*=.8+.3*n;
col=mix(col,vec3(.9,.97,1.),foam*.8);
col*=smoothstep(.0,.18,l)*.85+.15;
o0=vec4(col,1);
o1=vec4(depth,n,foam,1);
