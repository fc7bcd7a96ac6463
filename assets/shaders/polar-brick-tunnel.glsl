// mode: geekest300
// family: polar
// title: flying through a tunnel of coloured bricks
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
p+=.25*vec2(sin(t*.7),cos(t*.5));
float l=length(p)+1e-3,a=atan(p.y,p.x);
vec2 uv=vec2(a/PI*6.+t*.25,.5/l+t*1.4);
uv.x+=.5*mod(floor(uv.y),2.);
vec2 id=floor(uv),f=fract(uv);
id.x=mod(id.x,12.);
float h=fsnoise(id),h2=fsnoise(id+7.3);
vec3 col=hsv(h*.25+t*.05+id.y*.015,.55+.4*h2,.45+.55*h);
float e=min(min(f.x,1.-f.x)*2.,min(f.y,1.-f.y));
col*=smoothstep(0.,.12,e)*.85+.15;
col*=.7+.3*snoise2D(uv*vec2(2.,3.));
col*=smoothstep(0.,.9,l);
col+=hsv(t*.08+.5,.6,1.)*.6*exp(-l*6.);
o=vec4(col,1);
