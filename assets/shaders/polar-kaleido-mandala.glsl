// mode: geekest
// family: polar
// title: folded kaleidoscope mandala rings
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*1.1;
float l=length(p),a=atan(p.y,p.x)+t*.1;
float N=6.+2.*floor(mod(t*.4,3.));
float s=PI2/N;
a=abs(mod(a,s)-s*.5);
vec2 q=l*vec2(cos(a),sin(a));
vec3 col=hsv(l*.5-t*.05,.5,.2);
for(int i=0;i<5;i++){
  float fi=float(i);
  q=abs(q)-vec2(.45,.2)*(1.+.25*sin(t*.5+fi));
  q*=rotate2D(.7+t*.07);
  q*=1.3;
  float d=abs(length(q)-.4);
  col+=hsv(fi*.17+l*.4+t*.05,.75,1.)*smoothstep(.12,0.,d)*.45;
  col+=hsv(fi*.17+.5,.6,1.)*smoothstep(.05,0.,abs(q.x))*.15;
}
col*=.6+.4*smoothstep(1.4,.2,l);
gl_FragColor=vec4(col,1);
