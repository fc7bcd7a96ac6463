// mode: geeker300
// family: cellular
// title: bumpy reptile scales with banded colouring
// author: synthkd (original)
vec2 hash2(vec2 q){
  q=vec2(dot(q,vec2(113.1,271.7)),dot(q,vec2(269.5,183.3)));
  return fract(sin(q)*31415.927);
}
float vnz(vec2 q){
  vec2 i=floor(q),u=fract(q);
  u=u*u*(3.-2.*u);
  return mix(mix(hash2(i).x,hash2(i+vec2(1.,0.)).x,u.x),mix(hash2(i+vec2(0.,1.)).x,hash2(i+vec2(1.,1.)).x,u.x),u.y);
}
void main(){
  vec2 p=(gl_FragCoord.xy*2.-r)/r.y;
  p=mat2(cos(t*.1),sin(t*.1),-sin(t*.1),cos(t*.1))*p;
  vec2 u=p*vec2(4.,5.5)+vec2(0.,t*.3);
  vec2 g=floor(u),fr=fract(u);
  float d1=9.,d2=9.;vec2 id=vec2(0.),v1=vec2(0.);
  for(int j=-1;j<=1;j++)for(int i=-1;i<=1;i++){
    vec2 c=vec2(float(i),float(j));
    vec2 h=.2+.6*hash2(g+c);
    vec2 dv=c+h-fr;
    float d=dot(dv,dv);
    if(d<d1){d2=d1;d1=d;id=g+c;v1=dv;}else if(d<d2)d2=d;
  }
  float e=sqrt(d2)-sqrt(d1);
  float dome=smoothstep(0.,.45,e);
  vec3 n=normalize(vec3(-v1*1.5*(1.-dome*.5),.6+dome));
  float lit=clamp(dot(n,normalize(vec3(.4,.6,.7))),0.,1.);
  float band=vnz(id*.35+vec2(t*.05,0.));
  float hue=fract(.25+t*.035);
  vec3 c1=vec3(.5+.4*cos(6.28*hue),.55+.35*cos(6.28*(hue+.33)),.3+.3*cos(6.28*(hue+.67)));
  vec3 c2=vec3(.35,.2,.1);
  vec3 sc=mix(c1,c2,smoothstep(.45,.6,band));
  sc=mix(sc,vec3(.95,.9,.6),step(.93,hash2(id+3.).x));
  vec3 col=sc*(.25+.9*lit)*smoothstep(0.,.08,e)+vec3(.9)*pow(lit,20.)*.4;
  o=vec4(col,1.);
}
