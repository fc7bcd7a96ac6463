// mode: classic
// family: cellular
// title: voronoi F1 distance contour bands with per-cell hues
// author: synthkd (original)
precision highp float;
uniform vec2 resolution;
uniform vec2 mouse;
uniform float time;
uniform sampler2D backbuffer;
vec2 hh(vec2 q){return fract(sin(vec2(dot(q,vec2(93.9,17.1)),dot(q,vec2(41.3,67.7))))*15731.7);}
void main(){
  vec2 p=(gl_FragCoord.xy*2.-resolution)/resolution.y;
  p*=1.6+.5*sin(time*.23);
  p+=vec2(time*.05,0.);
  vec2 g=floor(p),fr=fract(p);
  float d1=9.,d2=9.;vec2 id=vec2(0.);
  for(int j=-1;j<=1;j++)for(int i=-1;i<=1;i++){
    vec2 c=vec2(float(i),float(j));
    vec2 h=.5+.4*sin(time*.35+6.2832*hh(g+c));
    float d=length(c+h-fr);
    if(d<d1){d2=d1;d1=d;id=g+c;}else if(d<d2)d2=d;
  }
  vec2 hc=hh(id+1.7);
  float bands=fract(d1*7.-time*.6*(hc.y+.3));
  vec3 ca=.5+.5*cos(6.2832*(hc.x+vec3(0.,.33,.67)));
  vec3 cb=.5+.5*cos(6.2832*(hc.x+.4+time*.05+vec3(0.,.33,.67)));
  vec3 col=mix(ca,cb,smoothstep(.4,.6,bands));
  col*=1.-.3*smoothstep(.9,1.,bands);
  col*=smoothstep(.0,.05,d2-d1);
  col+=vec3(1.)*smoothstep(.06,.02,d1);
  gl_FragColor=vec4(col,1.);
}
