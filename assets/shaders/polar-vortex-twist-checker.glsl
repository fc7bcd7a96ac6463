// mode: geekest300
// family: polar
// title: polar checkerboard twisted into a vortex
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
float l=length(p)+1e-4;
float tw=2.8*sin(t*.45)/(l+.3);
vec2 q=p*rotate2D(tw);
float a=atan(q.y,q.x);
float sx=a*8./PI,sy=l*7.-t*1.3;
vec2 c=floor(vec2(sx,sy)),f=fract(vec2(sx,sy));
float ch=mod(c.x+c.y,2.);
float n=snoise2D(p*2.5+t*.2);
vec3 A=hsv(.58+.08*n+t*.03,.85,.95),B=hsv(.08+.08*n+t*.03,.9,1.);
vec3 col=mix(A,B,ch);
float e=min(min(f.x,1.-f.x),min(f.y,1.-f.y));
col*=.45+.55*smoothstep(0.,.12,e);
col*=.75+.25*n;
col*=smoothstep(0.,.2,l)*.8+.2;
o=vec4(col,1);
