// mode: geekest300
// family: moire
// title: chladni standing-wave modes of a square plate with sand lines
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*rotate2D(.3*sin(t*.1));
float tt=t*.35;
float n1=2.+floor(mod(tt,5.)),m1=1.+floor(mod(tt*1.7+2.,6.));
float n2=3.+floor(mod(tt+1.,4.)),m2=2.+floor(mod(tt*1.3,5.));
float fr=smoothstep(.2,.8,fract(tt));
vec2 q=p*PI;
float w1=cos(n1*q.x)*cos(m1*q.y)-cos(m1*q.x)*cos(n1*q.y);
float w2=cos(n2*q.x)*cos(m2*q.y)+cos(m2*q.x)*cos(n2*q.y);
float w=mix(w1,w2,fr);
float nod=exp(-abs(w)*9.);
float g=fsnoise(floor(FC.xy)+floor(t*4.));
vec3 plate=hsv(fract(.6+w*.15+t*.03),.7,.3+.25*abs(w));
vec3 sand=hsv(fract(.1+t*.05),.35,1.)*(.7+.3*g);
vec3 c=mix(plate,sand,nod*smoothstep(.2,.9,g+nod*.6));
c+=hsv(fract(t*.05+.5),.8,.4)*smoothstep(.9,1.3,abs(w));
o=vec4(c,1.);
