// mode: geeker300
// family: plasma
// title: iridescent thin-film interference on a draining soap film
// author: synthkd (original)
float fld(vec2 p){
  float v=sin(p.x*2.1+sin(p.y*1.7+t*.4)*1.3)+sin(p.y*2.6-t*.3+sin(p.x*1.9)*1.1);
  v+=.5*sin(length(p-vec2(sin(t*.2),cos(t*.27)))*5.-t*.8);
  return v;
}
void main(){
  vec2 p=(gl_FragCoord.xy*2.-r)/r.y;
  float h=fld(p*1.4)+.4*fld(p*3.1+4.);
  float th=.35+.12*h+.3*(1.-p.y)*.5;
  th=max(th,.02);
  vec3 lam=vec3(.65,.53,.44);
  vec3 I=.5+.5*cos(6.28318*2.*1.33*th/lam*2.2);
  vec3 col=I*I*.85+.1;
  col=mix(col,col*vec3(.8,.85,1.),smoothstep(.6,1.,p.y));
  col+=.15*pow(max(sin(h*3.),0.),6.);
  o=vec4(col,1.);
}
