// mode: geeker
// family: polar
// title: square frames spiralling inward on a log-polar grid
// author: synthkd (original)
float hash(vec2 c){return fract(sin(dot(c,vec2(41.37,289.13)))*15731.743);}
void main(){
  vec2 p=(gl_FragCoord.xy*2.-r)/r.y;
  p*=mat2(cos(t*.2),sin(t*.2),-sin(t*.2),cos(t*.2));
  float l=length(p)+1e-4,a=atan(p.y,p.x)/6.28318;
  float M=8.;
  float u=log(l)/.55-a-t*.35;
  float v=a*M;
  vec2 id=vec2(floor(u),mod(floor(v),M)),f=fract(vec2(u,v))-.5;
  float h=hash(id);
  float box=max(abs(f.x),abs(f.y));
  float frame=smoothstep(.05,.0,abs(box-.36))+smoothstep(.05,.0,abs(box-.18))*.6;
  vec3 base=.55+.45*cos(6.2832*(h*.8+id.x*.11+t*.06+vec3(0.,.33,.67)));
  vec3 col=base*(.35+.65*(1.-box*1.6));
  col=mix(col,base.gbr*.9+.1,frame);
  col*=smoothstep(.0,.12,l)*.85+.15;
  gl_FragColor=vec4(col,1.);
}
