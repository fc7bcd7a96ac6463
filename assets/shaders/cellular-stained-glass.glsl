// mode: geekest300
// family: cellular
// title: backlit stained glass voronoi panes with lead came
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
vec2 u=p*(2.5+.8*sin(t*.13))+vec2(t*.07,0.);
vec2 g=floor(u),fr=fract(u);
float d1=9.,d2=9.;
vec2 id=vec2(0.),v1=vec2(0.);
for(int j=-1;j<=1;j++)for(int i=-1;i<=1;i++){
  vec2 c=vec2(float(i),float(j));
  vec2 h=vec2(fsnoise(g+c),fsnoise(g+c+vec2(17.,3.)));
  h=.5+.42*sin(t*.5+PI2*h);
  vec2 dv=c+h-fr;
  float d=dot(dv,dv);
  if(d<d1){d2=d1;d1=d;id=g+c;v1=dv;}else if(d<d2){d2=d;}
}
float edge=sqrt(d2)-sqrt(d1);
float lead=smoothstep(.05,.12,edge);
float hu=fsnoise(id+.5);
vec3 glass=hsv(fract(hu*.6+.55+t*.02),.75+.2*fsnoise(id+9.),.95);
float tex=.85+.15*snoise2D(u*5.+id);
float light=.55+.6*exp(-dot(p-vec2(.3*sin(t*.4),.6),p-vec2(.3*sin(t*.4),.6))*1.2);
vec3 c=glass*tex*light*(.75+.25*smoothstep(.6,.0,length(v1)));
c=mix(vec3(.06,.05,.05),c,lead);
o=vec4(c,1.);
