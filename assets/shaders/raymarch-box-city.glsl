// mode: geekest300
// family: raymarch
// title: low flight over a city of hashed boxes at dusk
// author: synthkd (original)
float hh(vec2 c){ return fsnoise(c*.731+.13); }
float city(vec3 p){
  vec2 c=floor(p.xz);
  vec2 q=fract(p.xz)-.5;
  float ht=.2+1.6*hh(c)*hh(c+7.);
  vec2 bq=abs(q)-vec2(.32+.08*hh(c+3.));
  float box=max(length(max(vec3(bq.x,p.y-ht,bq.y),0.))+min(max(max(bq.x,p.y-ht),bq.y),0.),-p.y);
  return min(box*.8,p.y);
}
void main(){
  vec2 uv=(FC.xy*2.-r)/r.y;
  vec3 ro=vec3(.5+sin(t*.3)*2.,2.6,t*1.3);
  vec3 rd=normalize(vec3(uv.x,uv.y-.55,1.3));
  rd.xz*=rotate2D(.4*sin(t*.25));
  float d=0.,h;
  for(int i=0;i<64;i++){ h=city(ro+rd*d); if(h<.003||d>25.)break; d+=h; }
  vec3 p=ro+rd*d;
  vec2 e=vec2(.004,0.);
  vec3 n=normalize(vec3(city(p+e.xyy)-city(p-e.xyy),city(p+e.yxy)-city(p-e.yxy),city(p+e.yyx)-city(p-e.yyx))+1e-6);
  vec3 sun=normalize(vec3(-.7,.5,.4));
  float dif=max(dot(n,sun),0.);
  vec2 c=floor(p.xz);
  vec3 base=hsv(.05+.6*hh(c+11.)+t*.06,.5,.9);
  float win=step(.5,fract(p.y*6.))*step(.3,fract((p.x+p.z)*5.))*step(.6,hh(c+floor(p.y*6.)));
  vec3 col=base*(.25+.75*dif)+win*vec3(1.,.8,.4)*.6*(1.-step(.01,p.y*0.+abs(n.y)));
  if(p.y<.01) col=vec3(.15,.13,.2)+.1*step(.9,fract(p.x*2.))*vec3(1.,.8,.5);
  vec3 sky=mix(vec3(1.,.5,.25),vec3(.2,.2,.6),clamp(rd.y*2.+.3,0.,1.));
  sky=hsv(.9+.25*sin(t*.45),.6,1.)*(1.-clamp(rd.y,0.,1.))+vec3(.1,.15,.4)*clamp(rd.y*3.,0.,1.);
  col=mix(sky,col,exp(-.07*d));
  o=vec4(col,1);
}
