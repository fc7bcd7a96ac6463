// mode: geekest
// family: plasma
// title: ripple tank interference of four wave sources
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
float h=0.;
for(int i=0;i<4;i++){
  float fi=float(i);
  vec2 c=.75*vec2(cos(fi*1.571+t*.15),sin(fi*1.571+t*.15))*(.6+.4*sin(t*.3+fi));
  float d=length(p-c);
  h+=cos(d*(22.+fi*3.)-t*5.)/sqrt(d*4.+.3);
}
vec3 deep=hsv(.58+.06*sin(t*.2),.85,.35),light=hsv(.5+.08*sin(t*.3),.35,1.);
vec3 col=mix(deep,light,smoothstep(-1.2,1.8,h));
col+=hsv(.12,.4,1.)*pow(max(h,0.)*.45,3.);
gl_FragColor=vec4(col,1);
