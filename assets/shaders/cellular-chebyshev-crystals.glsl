// mode: geekest300
// family: cellular
// title: faceted crystals from morphing chebyshev-manhattan voronoi
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*3.;
p=rotate2D(t*.05)*p+vec2(t*.1,0.);
vec2 g=floor(p),fr=fract(p);
float k=.5+.5*sin(t*.4);
float d1=9.,d2=9.;vec2 id=vec2(0.),v1=vec2(0.);
for(int j=-1;j<=1;j++)for(int i=-1;i<=1;i++){
  vec2 c=vec2(float(i),float(j));
  vec2 h=vec2(fsnoise(g+c+.3),fsnoise(g+c+vec2(9.,1.)));
  vec2 dv=c+h-fr;
  vec2 ad=abs(dv);
  float d=mix(max(ad.x,ad.y),(ad.x+ad.y)*.7,k);
  if(d<d1){d2=d1;d1=d;id=g+c;v1=dv;}else if(d<d2)d2=d;
}
float facet=step(abs(v1.x),abs(v1.y))*2.+step(0.,v1.x+v1.y);
float shade=.55+.15*facet;
float hue=fract(fsnoise(id)*.25+.45+t*.03);
vec3 c=hsv(hue,.6,shade);
c=mix(c,hsv(fract(hue+.5),.3,1.),smoothstep(.06,.0,d2-d1));
c*=.7+.6*d1;
o=vec4(c,1.);
