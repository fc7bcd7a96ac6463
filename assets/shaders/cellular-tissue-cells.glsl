// mode: geekest
// family: cellular
// title: stained tissue section with membranes and nuclei
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*2.6+vec2(t*.06,t*.03);
vec2 w=p+.12*vec2(snoise2D(p*2.5),snoise2D(p*2.5+5.));
vec2 g=floor(w),fr=fract(w);
float d1=9.,d2=9.;vec2 id=vec2(0.),v1=vec2(0.);
for(int j=-1;j<=1;j++)for(int i=-1;i<=1;i++){
  vec2 c=vec2(float(i),float(j));
  vec2 h=vec2(fsnoise(g+c),fsnoise(g+c+vec2(6.,2.)));
  h=.5+.4*sin(t*.25+PI2*h);
  vec2 dv=c+h-fr;
  float d=dot(dv,dv);
  if(d<d1){d2=d1;d1=d;id=g+c;v1=dv;}else if(d<d2)d2=d;
}
float edge=sqrt(d2)-sqrt(d1);
float stain=fract(t*.04);
vec3 cyto=hsv(fract(.9+stain+.05*fsnoise(id)),.3+.2*fsnoise(id+1.),.9);
cyto*=.85+.15*snoise2D(w*12.);
vec2 nc=v1+.12*vec2(fsnoise(id+4.)-.5,fsnoise(id+5.)-.5);
float nr=.17+.06*fsnoise(id+7.);
float nuc=smoothstep(nr,nr-.04,length(nc*vec2(1.,1.+.5*fsnoise(id+8.))));
vec3 nucl=hsv(fract(.72+stain),.7,.45)*(.8+.3*snoise2D(w*25.));
vec3 mem=hsv(fract(.85+stain),.6,.5);
vec3 c=mix(cyto,nucl,nuc);
c=mix(mem,c,smoothstep(.02,.08,edge));
gl_FragColor=vec4(c,1.);
