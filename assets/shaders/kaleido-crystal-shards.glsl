// mode: geek
// family: kaleido
// title: mirrored polar wedge of Voronoi glass shards with dark leading
// author: synthkd (original)
precision highp float;
uniform vec2 r;
uniform vec2 m;
uniform float t;
uniform float f;
uniform sampler2D b;
vec2 h2(vec2 c){return fract(sin(vec2(dot(c,vec2(127.1,311.7)),dot(c,vec2(269.5,183.3))))*43758.5453);}
void main(){
  vec2 p=(gl_FragCoord.xy*2.-r)/r.y;
  float N=8.,w=3.14159/N;
  float l=length(p),a=atan(p.y,p.x)+t*.07;
  a=abs(mod(a,2.*w)-w);
  vec2 q=l*vec2(cos(a),sin(a))*(3.5+1.2*sin(t*.25))+vec2(t*.3,0.);
  vec2 ci=floor(q),cf=fract(q);
  float d1=9.,d2=9.;vec2 id=vec2(0.);
  for(int j=-1;j<=1;j++)for(int i=-1;i<=1;i++){
    vec2 o=vec2(float(i),float(j));
    vec2 pt=o+.5+.4*sin(t*.5+6.2831*h2(ci+o));
    float d=length(pt-cf);
    if(d<d1){d2=d1;d1=d;id=ci+o;}else if(d<d2){d2=d;}
  }
  float hh=h2(id).x;
  vec3 col=.5+.5*cos(6.2831*(hh+l*.25+vec3(0.,.3,.6)+t*.04));
  col*=.65+.35*(1.-d1);
  col*=smoothstep(.02,.08,d2-d1)*.9+.1;
  col*=smoothstep(1.5,1.1,l)*.6+.4;
  gl_FragColor=vec4(col,1.);
}
