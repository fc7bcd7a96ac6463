// mode: geekest300
// family: cellular
// title: dried mud crackle with curled plates at two scales
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*(1.5+.4*sin(t*.21))+vec2(t*.12,t*.05);
vec2 w=p+.15*vec2(snoise2D(p*3.),snoise2D(p*3.+7.));
float e1=9.,e2=9.;
vec2 id=vec2(0.);
for(int L=0;L<2;L++){
  vec2 u=w*(L==0?1.:2.3);
  vec2 g=floor(u),fr=fract(u);
  float d1=9.,d2=9.;vec2 cid=vec2(0.);
  for(int j=-1;j<=1;j++)for(int i=-1;i<=1;i++){
    vec2 c=vec2(float(i),float(j));
    vec2 h=vec2(fsnoise(g+c+float(L)*31.),fsnoise(g+c+vec2(5.,11.)+float(L)*31.))*.85+.075;
    float d=length(c+h-fr);
    if(d<d1){d2=d1;d1=d;cid=g+c;}else if(d<d2)d2=d;
  }
  if(L==0){e1=d2-d1;id=cid;}else{e2=d2-d1;}
}
float crack=smoothstep(.03,.11,e1);
float small=smoothstep(.01,.06,e2);
float curl=smoothstep(0.,.35,e1);
float hue=fract(.06+.04*sin(t*.37)+.05*fsnoise(id));
vec3 top=hsv(hue,.5+.2*fsnoise(id+3.),.55+.25*curl);
top*=.92+.08*snoise2D(p*9.);
top=mix(top*.75,top,small);
vec3 deep=hsv(hue+.02,.7,.12);
vec3 c=mix(deep,top,crack);
o=vec4(c,1.);
