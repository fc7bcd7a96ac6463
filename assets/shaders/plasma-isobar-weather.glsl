// mode: geekest300
// family: plasma
// title: weather map of pressure bands and isobars
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
float P=.3*sin(p.x*1.7+t*.2)*cos(p.y*1.3-t*.15);
for(int i=0;i<6;i++){
  float fi=float(i);
  vec2 c=vec2(sin(fi*2.3+t*.11*(1.+fi*.3)),cos(fi*1.7+t*.13))*1.1;
  float s=mod(fi,2.)*2.-1.;
  vec2 d=p-c;
  P+=s*exp(-dot(d,d)*(2.+fi*.6));
}
P+=.08*snoise2D(p*3.+t*.1);
float L=8.;
float lv=floor(P*L),fr=fract(P*L);
vec3 col=hsv(.66-clamp(lv/L*.55+.28,0.,.8)+.04*sin(t*.2),.85,.95);
col*=.85+.15*fr;
float iso=smoothstep(.1,.02,min(fr,1.-fr));
col=mix(col,vec3(.08,.06,.12),iso);
col=mix(col,vec3(1.),smoothstep(.03,.0,abs(fract(p.x*2.5)-.5)-.47)*.15+smoothstep(.03,.0,abs(fract(p.y*2.5)-.5)-.47)*.15);
o=vec4(col,1);
