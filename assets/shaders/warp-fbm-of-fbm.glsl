// mode: classic
// family: warp
// title: classic two-stage fbm domain warp coloured by warp vectors
// author: synthkd (original)
precision highp float;
uniform vec2 resolution;
uniform vec2 mouse;
uniform float time;
uniform sampler2D backbuffer;
float hq(vec2 q){return fract(sin(dot(q,vec2(27.13,113.9)))*61871.3);}
float vn(vec2 q){
  vec2 i=floor(q),u=fract(q);
  u=u*u*(3.-2.*u);
  return mix(mix(hq(i),hq(i+vec2(1.,0.)),u.x),mix(hq(i+vec2(0.,1.)),hq(i+vec2(1.,1.)),u.x),u.y);
}
float fbm(vec2 q){
  float a=.5,n=0.;
  mat2 R=mat2(.8,.6,-.6,.8);
  for(int i=0;i<5;i++){n+=a*vn(q);q=R*q*2.02;a*=.5;}
  return n;
}
void main(){
  vec2 p=gl_FragCoord.xy/resolution.y*3.;
  float T=time*.15;
  vec2 a=vec2(fbm(p+vec2(0.,T)),fbm(p+vec2(5.2,1.3-T)));
  vec2 bv=vec2(fbm(p+3.5*a+vec2(1.7,9.2)+T),fbm(p+3.5*a+vec2(8.3,2.8)));
  float n=fbm(p+3.5*bv);
  vec3 c1=vec3(.55+.4*sin(time*.2),.2,.35);
  vec3 c2=vec3(.1,.45,.55+.3*cos(time*.17));
  vec3 c=mix(c1,c2,clamp(n*n*3.,0.,1.));
  c=mix(c,vec3(.95,.85,.45),clamp(length(a)*.8-.3,0.,1.));
  c=mix(c,vec3(.08,.05,.2),clamp(bv.y*bv.y*1.5,0.,1.)*.7);
  c*=.6+n*.9;
  gl_FragColor=vec4(c,1.);
}
