// mode: geekest300
// family: cellular
// title: shaded spherical bubbles from worley F1 in two layers
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
vec3 c=hsv(fract(.6+t*.025),.6,.25+.15*p.y);
for(int L=0;L<2;L++){
  float sc=L==0?2.:4.3;
  vec2 u=p*sc+vec2(0.,-t*(.25+.2*float(L)))+float(L)*7.;
  vec2 g=floor(u),fr=fract(u);
  float d1=9.;vec2 dv1=vec2(0.);vec2 id=vec2(0.);float rad=.5;
  for(int j=-1;j<=1;j++)for(int i=-1;i<=1;i++){
    vec2 cc=vec2(float(i),float(j));
    vec2 h=vec2(fsnoise(g+cc),fsnoise(g+cc+vec2(4.,9.)));
    vec2 dv=cc+.2+.6*h-fr;
    float rr=.25+.2*fsnoise(g+cc+vec2(1.,2.));
    float d=length(dv)/rr;
    if(d<d1){d1=d;dv1=dv/rr;id=g+cc;rad=rr;}
  }
  if(d1<1.){
    vec3 n=vec3(-dv1,sqrt(max(0.,1.-d1*d1)));
    vec3 Ld=normalize(vec3(-.5,.6,.8));
    float di=max(dot(n,Ld),0.);
    float spec=pow(max(dot(reflect(-Ld,n),vec3(0.,0.,1.)),0.),24.);
    float rim=pow(1.-n.z,2.);
    vec3 bc=hsv(fract(fsnoise(id)*.3+t*.04+float(L)*.4),.7,1.);
    vec3 col=bc*(.25+.6*di)+rim*hsv(fract(n.x*.5+t*.1),.6,1.)*.6+spec;
    c=mix(c,col,smoothstep(1.,.94,d1)*(L==0?.9:.75));
  }
}
o=vec4(c,1.);
