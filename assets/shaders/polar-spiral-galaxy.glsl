// mode: geekest
// family: polar
// title: noisy two-armed spiral galaxy with stars
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*1.3;
p*=rotate2D(t*.15);
p.y*=1.15;
float l=length(p)+1e-3,a=atan(p.y,p.x);
float arms=.5+.5*cos(2.*a-4.2*log(l));
vec2 q=p*rotate2D(-2.1*log(l)+t*.1);
float n=snoise2D(q*4.)*.5+snoise2D(q*9.+3.)*.25+snoise2D(q*19.)*.12;
float d=arms*arms*arms*exp(-l*1.4)*(.8+n)*1.6+exp(-l*l*18.)*1.2;
vec3 tint=hsv(.62+.12*sin(t*.2),.65,1.);
vec3 col=hsv(.72+.05*n,.8,.18)+tint*d+hsv(.1,.5,1.)*exp(-l*l*10.)*.8;
col+=hsv(.95+.1*n,.7,1.)*max(n,0.)*arms*.4*exp(-l);
float st=fsnoise(floor(FC.xy));
col+=vec3(1.)*step(.992,st)*(.5+.5*sin(t*3.+st*90.));
gl_FragColor=vec4(col,1);
