// mode: geek300
// family: cellular
// title: giraffe-like patches with ragged warped cell borders
// author: synthkd (original)
#version 300 es
precision highp float;
uniform vec2 r;
uniform float t;
out vec4 o;
vec2 hv(vec2 q){q=vec2(dot(q,vec2(37.9,91.3)),dot(q,vec2(73.1,23.7)));return fract(sin(q)*7919.123);}
float vn(vec2 q){
  vec2 i=floor(q),u=fract(q);
  u=u*u*(3.-2.*u);
  return mix(mix(hv(i).x,hv(i+vec2(1,0)).x,u.x),mix(hv(i+vec2(0,1)).x,hv(i+vec2(1,1)).x,u.x),u.y);
}
void main(){
  vec2 p=(gl_FragCoord.xy*2.-r)/r.y*3.2+vec2(t*.15,t*.08);
  vec2 w=p+.25*vec2(vn(p*2.5)-.5,vn(p*2.5+9.)-.5)+.1*vec2(vn(p*7.)-.5,vn(p*7.+3.)-.5);
  vec2 g=floor(w),fr=fract(w);
  float d1=9.,d2=9.;vec2 id=vec2(0.);
  for(int j=-1;j<=1;j++)for(int i=-1;i<=1;i++){
    vec2 c=vec2(float(i),float(j));
    vec2 h=.5+.4*sin(t*.2+6.2832*hv(g+c));
    float d=length(c+h-fr);
    if(d<d1){d2=d1;d1=d;id=g+c;}else if(d<d2)d2=d;
  }
  float e=d2-d1;
  float kind=floor(mod(t*.3,2.));
  vec3 patch=mix(vec3(.62,.33,.12),vec3(.45,.22,.08),hv(id).x);
  vec3 line=vec3(.93,.86,.68);
  if(kind>.5){patch=mix(vec3(.25,.2,.3),vec3(.45,.3,.5),hv(id).x);line=vec3(.85,.8,.55);}
  patch*=.7+.5*smoothstep(.0,.6,d1);
  patch*=.9+.2*vn(gl_FragCoord.xy*.5);
  float bw=.07+.05*vn(w*4.);
  vec3 c=mix(line*(.9+.1*vn(p*20.)),patch,smoothstep(bw,bw+.04,e));
  o=vec4(c,1.);
}
