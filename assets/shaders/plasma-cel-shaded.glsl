// mode: classic300
// family: plasma
// title: posterised plasma with ink outlines between levels
// author: synthkd (original)
#version 300 es
precision highp float;
uniform vec2 resolution;
uniform float time;
out vec4 fragOut;
float fieldv(vec2 p){
  float v=sin(p.x*2.+time*.6)*cos(p.y*1.7-time*.4);
  v+=.6*sin(length(p-vec2(sin(time*.3),cos(time*.25)))*4.-time);
  v+=.4*sin(p.x*3.7+p.y*2.9+sin(p.y*2.+time)*1.5);
  return v;
}
void main(){
  vec2 p=(gl_FragCoord.xy*2.-resolution)/resolution.y*1.3;
  float e=2.6/resolution.y;
  float L=5.;
  float v=fieldv(p)*L*.5;
  float vx=fieldv(p+vec2(e,0.))*L*.5,vy=fieldv(p+vec2(0.,e))*L*.5;
  float lv=floor(v);
  float edge=max(abs(floor(vx)-lv),abs(floor(vy)-lv));
  vec3 col=.55+.45*cos(6.2832*(lv*.13+time*.04+vec3(.0,.1,.3)+vec3(.0,.05,.1)*lv));
  col*=.85+.15*fract(v);
  col=mix(col,vec3(.05,.03,.08),min(edge,1.));
  fragOut=vec4(col,1.);
}
