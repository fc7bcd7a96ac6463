// mode: classic300
// family: cellular
// title: moving planar slice through 3D voronoi cells
// author: synthkd (original)
#version 300 es
precision highp float;
uniform vec2 resolution;
uniform float time;
out vec4 outColor;
vec3 h33(vec3 q){
  q=vec3(dot(q,vec3(127.1,311.7,74.7)),dot(q,vec3(269.5,183.3,246.1)),dot(q,vec3(113.5,271.9,124.6)));
  return fract(sin(q)*17.31*2573.1);
}
void main(){
  vec2 p=(gl_FragCoord.xy*2.-resolution)/resolution.y*2.5;
  float a=time*.1;
  vec3 q=vec3(p.x*cos(a),p.y,p.x*sin(a)+time*.35);
  vec3 g=floor(q),fr=fract(q);
  float d1=9.,d2=9.;vec3 id=vec3(0.);
  for(int k=-1;k<=1;k++)for(int j=-1;j<=1;j++)for(int i=-1;i<=1;i++){
    vec3 c=vec3(float(i),float(j),float(k));
    vec3 dv=c+h33(g+c)-fr;
    float d=dot(dv,dv);
    if(d<d1){d2=d1;d1=d;id=g+c;}else if(d<d2)d2=d;
  }
  float e=sqrt(d2)-sqrt(d1);
  vec3 hc=h33(id+5.);
  vec3 col=.5+.45*cos(6.2832*(hc.x*.5+vec3(.0,.15,.3)+time*.02+hc.y*.2));
  col*=.55+.45*sqrt(d1)*1.4;
  col=mix(vec3(.02,.02,.05),col,smoothstep(.0,.07,e));
  col+=vec3(.9,.9,1.)*smoothstep(.03,.0,abs(e-.15))*.25;
  outColor=vec4(col,1.);
}
