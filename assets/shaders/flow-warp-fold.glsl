// mode: geekest
// family: flow
// title: iterated sine-flow folding of a rainbow plane
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*2.;
float acc=0.;
for(int i=1;i<9;i++){
  float fi=float(i);
  p+=vec2(sin(p.y*fi*.9+t*.4+fi),cos(p.x*fi*.8-t*.3+fi*1.3))*.8/sqrt(fi);
  p*=rotate2D(.15);
  acc+=sin(p.x*p.y*.3+fi);
}
vec3 c=.5+.5*cos(vec3(0.,2.1,4.2)+p.x*1.3+acc*.4+t*.3);
c*=.6+.4*sin(p.y*5.+acc);
gl_FragColor=vec4(c,1);
