// mode: geekest
// family: cellular
// title: multi-octave worley F2 ridges in a shifting palette
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*2.;
float acc=0.,amp=.6;
vec2 u=p+vec2(t*.1,-t*.07);
for(int L=0;L<3;L++){
  vec2 g=floor(u),fr=fract(u);
  float d1=9.,d2=9.;
  for(int j=-1;j<=1;j++)for(int i=-1;i<=1;i++){
    vec2 c=vec2(float(i),float(j));
    vec2 h=vec2(fsnoise(g+c),fsnoise(g+c+vec2(2.,7.)));
    h=.5+.45*sin(t*.3+PI2*h);
    vec2 dv=c+h-fr;
    float d=dot(dv,dv);
    if(d<d1){d2=d1;d1=d;}else if(d<d2)d2=d;
  }
  acc+=amp*sqrt(d2);
  u=rotate2D(.8)*u*2.1+3.;
  amp*=.5;
}
float v=acc;
vec3 c=hsv(fract(v*.7+t*.04),.7,.3+.7*smoothstep(.3,1.1,v));
c+=hsv(fract(v*.7+t*.04+.5),.5,1.)*pow(max(0.,1.-abs(fract(v*3.)-.5)*4.),3.)*.3;
gl_FragColor=vec4(c,1.);
