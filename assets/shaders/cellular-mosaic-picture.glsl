// mode: geeker
// family: cellular
// title: voronoi tesserae mosaic sampling a swirling picture
// author: synthkd (original)
vec2 h2(vec2 q){return fract(sin(vec2(dot(q,vec2(19.1,83.7)),dot(q,vec2(57.3,11.9))))*9137.31);}
vec3 picture(vec2 q,float tt){
  float a=atan(q.y,q.x);
  float l=length(q);
  float sp=sin(a*3.+l*6.-tt*.8);
  vec3 c=.5+.5*cos(6.2832*(vec3(0.,.33,.67)+sp*.25+l*.3+tt*.05));
  return mix(c,vec3(.95,.9,.8),smoothstep(.6,.9,sin(l*9.-tt)));
}
void main(){
  vec2 p=(gl_FragCoord.xy*2.-r)/r.y;
  float sc=9.+4.*sin(t*.19);
  vec2 u=p*sc;
  vec2 g=floor(u),fr=fract(u);
  float d1=9.,d2=9.;vec2 cp=vec2(0.);
  for(int j=-1;j<=1;j++)for(int i=-1;i<=1;i++){
    vec2 c=vec2(float(i),float(j));
    vec2 hh=.15+.7*h2(g+c);
    vec2 dv=c+hh-fr;
    float d=dot(dv,dv);
    if(d<d1){d2=d1;d1=d;cp=(g+c+hh)/sc;}else if(d<d2)d2=d;
  }
  float e=sqrt(d2)-sqrt(d1);
  vec3 col=picture(cp,t);
  col*=.85+.3*(h2(cp*97.).x-.5);
  col*=.8+.2*smoothstep(.0,.4,e);
  col=mix(vec3(.35,.32,.28),col,smoothstep(.04,.1,e));
  gl_FragColor=vec4(col,1.);
}
