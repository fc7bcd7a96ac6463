// mode: classic300
// family: flow
// title: paper marbling: dropped ink rings pulled by combs and waves
// author: synthkd (original)
#version 300 es
precision highp float;
uniform vec2 resolution;
uniform float time;
out vec4 outColor;
vec3 pal(float k){
  k=fract(k);
  vec3 a=vec3(.85,.2,.15), b=vec3(.95,.8,.3), c=vec3(.1,.3,.6), d=vec3(.95,.93,.85), e=vec3(.15,.5,.35);
  float s=k*5.;
  return s<1.?a:s<2.?b:s<3.?c:s<4.?d:e;
}
void main(){
  vec2 p=gl_FragCoord.xy/resolution.y*1.1-.05;
  float tt=time*.1;
  // undo a sine wave stroke
  p.x-=.05*sin(p.y*9.+time*.3);
  // undo a comb: vertical tines pulling along y
  float tine=.12;
  float dx=abs(mod(p.x+.06,tine)-tine*.5);
  p.y-=(.25+.1*sin(time*.2))*exp(-dx*40.);
  // undo a comb in the other direction, half pitch offset
  float dy=abs(mod(p.y+tt,.18)-.09);
  p.x+=.12*exp(-dy*30.)*sin(time*.25+1.);
  // ink drops: concentric layers around a few centres
  vec3 col=pal(floor(p.y*9.+p.x*2.)/5.+.3);
  float best=10.;
  for(int i=0;i<7;i++){
    float fi=float(i);
    vec2 c=vec2(fract(fi*.37+.1),fract(fi*.61+.3))+.05*vec2(sin(time*.1+fi),cos(time*.13+fi));
    float dd=length(p-c);
    float sz=.4+.12*sin(fi*3.);
    if(dd<sz&&dd/sz<best){ best=dd/sz; col=pal(floor(dd*13.)/5.+fi*.4+floor(time*.5)*.2); }
  }
  col*=.85+.15*smoothstep(.0,.3,fract(best*8.));
  outColor=vec4(col,1.);
}
