// mode: geekest300
// family: polar
// title: sunflower seeds on a golden-angle spiral
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*1.05;
p*=rotate2D(t*.12);
float N=90.,c=.105,ga=2.39996;
float l=length(p),n0=floor(l*l/(c*c));
float best=1e3,bn=-1.;
for(int i=0;i<26;i++){
  float n=n0-13.+float(i);
  if(n<0.||n>=N)continue;
  float rr=c*sqrt(n+.5),an=n*ga;
  float d=length(p-rr*vec2(cos(an),sin(an)));
  if(d<best){best=d;bn=n;}
}
float R=c*.62;
vec3 bg=hsv(.28+.05*sin(t*.3),.6,.25+.1*sin(l*12.-t));
vec3 seed=hsv(mod(bn,13.)/13.*.5+mod(bn,21.)/21.*.3+t*.06,.85,1.);
seed*=.5+.5*(1.-best/R);
float m=smoothstep(R,R*.8,best)*step(0.,bn);
vec3 col=mix(bg,seed,m);
o=vec4(col,1);
