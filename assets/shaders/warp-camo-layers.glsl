// mode: geek
// family: warp
// title: four-tone camouflage from thresholded warped noise
// author: synthkd (original)
precision highp float;
uniform vec2 r;
uniform vec2 m;
uniform float t;
uniform float f;
uniform sampler2D b;
float hs(vec2 q){return fract(sin(q.x*91.31+q.y*517.9)*4271.17);}
float vn(vec2 q){
  vec2 i=floor(q),u=fract(q);
  u=u*u*(3.-2.*u);
  return mix(mix(hs(i),hs(i+vec2(1.,0.)),u.x),mix(hs(i+vec2(0.,1.)),hs(i+vec2(1.,1.)),u.x),u.y);
}
float fb(vec2 q){
  float a=.5,n=0.;
  for(int i=0;i<4;i++){n+=a*vn(q);q=q*2.1+vec2(.7,1.9);a*=.5;}
  return n;
}
void main(){
  vec2 p=gl_FragCoord.xy/r.y*4.+vec2(t*.3,t*.1);
  vec2 w=vec2(fb(p*.7),fb(p*.7+4.4))*2.;
  float n1=fb(p+w);
  float n2=fb(p*1.7-w+9.);
  float set=floor(mod(t*.35,3.));
  vec3 c1,c2,c3,c4;
  if(set<.5){c1=vec3(.3,.35,.2);c2=vec3(.5,.45,.3);c3=vec3(.15,.18,.12);c4=vec3(.62,.58,.42);}
  else if(set<1.5){c1=vec3(.72,.62,.45);c2=vec3(.55,.42,.28);c3=vec3(.85,.78,.62);c4=vec3(.4,.3,.22);}
  else{c1=vec3(.35,.4,.5);c2=vec3(.55,.6,.68);c3=vec3(.18,.2,.3);c4=vec3(.8,.82,.86);}
  vec3 c=c1;
  c=mix(c,c2,smoothstep(.48,.5,n1));
  c=mix(c,c3,smoothstep(.58,.6,n2));
  c=mix(c,c4,smoothstep(.62,.64,n1*.6+n2*.5));
  c*=.9+.2*vn(gl_FragCoord.xy*.7);
  gl_FragColor=vec4(c,1.);
}
