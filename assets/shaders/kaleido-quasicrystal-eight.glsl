// mode: geekest300
// family: kaleido
// title: eight-fold quasicrystal of plane waves inside a mirror fold
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*(22.+6.*sin(t*.2));
p=vec2(abs(p.x),p.y);
float s=0.,s2=0.;
for(int i=0;i<8;i++){
  float a=float(i)*PI/8.;
  vec2 d=vec2(cos(a),sin(a));
  s+=cos(dot(p,d)+t*(1.+.3*float(i))+float(i*i));
  s2+=sin(dot(p,d)*1.618-t*.7);
}
s/=8.;s2/=8.;
vec3 col=hsv(1.3*s+.4*s2+t*.04,.6+.4*s2,.5+.5*cos(s*PI*2.));
col=mix(col,vec3(.1,.05,.2),smoothstep(.2,.6,s2)*.6);
o=vec4(col,1.);
