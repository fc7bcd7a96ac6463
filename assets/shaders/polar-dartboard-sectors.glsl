// mode: geekest300
// family: polar
// title: counter-rotating rings of hashed sectors
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*1.2;
float l=length(p);
float ri=floor(l*6.),rf=fract(l*6.);
float ns=4.+ri*3.;
float a=atan(p.y,p.x)+t*(fsnoise(vec2(ri,1.))-.5)*1.6;
float s=a/PI2*ns;
float si=mod(floor(s),ns),sf=fract(s);
float h=fsnoise(vec2(ri,si));
vec3 col=hsv(h*.3+ri*.09+t*.04,.55+.45*h,.4+.6*fsnoise(vec2(si,ri+9.)));
col*=.65+.35*sin(t*2.5+h*30.);
float e=min(min(rf,1.-rf),min(sf,1.-sf)*l*PI2/ns*6.);
col*=smoothstep(0.,.1,e)*.8+.2;
col*=.8+.2*sf;
o=vec4(col,1);
