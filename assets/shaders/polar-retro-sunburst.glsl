// mode: geekest300
// family: polar
// title: retro sunburst rays behind a striped sun
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
p-=vec2(.25*sin(t*.3),.2*cos(t*.4)-.1);
float l=length(p),a=atan(p.y,p.x);
float n=16.;
float w=a/PI2*n+.12*sin(l*7.-t*2.)+t*.15;
float ray=smoothstep(.45,.55,fract(w))*smoothstep(1.,.9,fract(w));
vec3 A=hsv(.02+.06*sin(t*.2),.85,1.),B=hsv(.78+.08*cos(t*.3),.7,.5);
vec3 col=mix(B,A,ray)*(.55+.45*smoothstep(1.6,.3,l));
col+=hsv(.1,.6,1.)*.35*exp(-l*2.);
float R=.42+.03*sin(t);
float y=(p.y+R)/(2.*R);
vec3 sun=mix(hsv(.92+.05*sin(t*.5),.75,1.),hsv(.14,.85,1.),clamp(y,0.,1.));
float gap=step(.6,y)+step(.35,fract(p.y*14.-t*.8));
sun*=min(gap,1.);
float disc=smoothstep(R+.01,R-.01,l);
col=mix(col,sun+col*.3*(1.-min(gap,1.)),disc);
o=vec4(col,1);
