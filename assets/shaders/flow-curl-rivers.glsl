// mode: classic
// family: flow
// title: glowing rivers where curl-noise paths converge
// author: synthkd (original)
precision highp float;
uniform vec2 resolution;
uniform vec2 mouse;
uniform float time;
uniform sampler2D backbuffer;
vec2 g2(vec2 c){ vec3 q=fract(vec3(c.xyx)*vec3(.1031,.103,.0973)); q+=dot(q,q.yzx+33.33); return fract((q.xx+q.yz)*q.zy)*2.-1.; }
float gnoise(vec2 p){
  vec2 i=floor(p),f=fract(p),u=f*f*(3.-2.*f);
  return mix(mix(dot(g2(i),f),dot(g2(i+vec2(1.,0.)),f-vec2(1.,0.)),u.x),mix(dot(g2(i+vec2(0.,1.)),f-vec2(0.,1.)),dot(g2(i+vec2(1.,1.)),f-vec2(1.,1.)),u.x),u.y);
}
vec2 curl(vec2 p){
  float e=.05;
  float n=gnoise(p);
  return vec2(gnoise(p+vec2(0.,e))-n,-(gnoise(p+vec2(e,0.))-n))/e;
}
void main(){
  vec2 p=gl_FragCoord.xy/resolution.y*3.+vec2(time*.1,0.);
  vec2 q=p;
  float dens=0.;
  for(int i=0;i<9;i++){
    vec2 v=curl(q*.8+vec2(0.,time*.05));
    q+=v*.1;
    dens+=smoothstep(.14,.0,abs(fract(q.y*1.5+q.x*.3)-.5));
  }
  dens/=9.;
  vec2 v0=curl(p*.8+vec2(0.,time*.05));
  vec3 ground=(.33+.12*gnoise(p*4.))*(.6+.4*cos(6.2831*(q.x*.1+vec3(.0,.15,.3)+time*.05)));
  vec3 water=.5+.5*cos(6.2831*(length(v0)*.2+q.y*.1+vec3(.5,.6,.75)+time*.07));
  vec3 col=mix(ground,water,smoothstep(.05,.6,dens));
  col+=.5*water*dens*dens;
  gl_FragColor=vec4(col,1.);
}
