// mode: geekest
// family: moire
// title: moire magnifier of gratings distorted by drifting lens bulges
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
vec2 l1=vec2(.5*sin(t*.31),.4*cos(t*.22)),l2=vec2(-.5*cos(t*.19),.4*sin(t*.27));
float b1=exp(-dot(p-l1,p-l1)*4.),b2=exp(-dot(p-l2,p-l2)*6.);
vec2 q=p*(1.+.12*b1-.1*b2);
float k=34.;
float ga=.5+.5*cos(p.x*k),gb=.5+.5*cos(q.x*k*1.01);
float ha=.5+.5*cos(p.y*k*.9),hb=.5+.5*cos(q.y*k*.91);
float mx=ga*gb,my=ha*hb;
vec3 c=hsv(fract(.55+t*.04+b1*.3),.75,1.)*mx+hsv(fract(.05+t*.04-b2*.3),.8,1.)*my;
c=c*.8+.08;
c*=.85+.15*sin(t+p.x*2.);
gl_FragColor=vec4(c,1.);
