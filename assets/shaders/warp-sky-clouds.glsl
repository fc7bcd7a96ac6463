// mode: geek300
// family: warp
// title: drifting warped cumulus over a changing sky
// author: synthkd (original)
#version 300 es
precision highp float;
uniform vec2 r;
uniform float t;
out vec4 o;
float h21(vec2 q){q=fract(q*vec2(.1731,.2313));q+=dot(q,q.yx+31.77);return fract((q.x+q.y)*q.x*7.13);}
float vn(vec2 q){
  vec2 i=floor(q),u=fract(q);
  u=u*u*(3.-2.*u);
  float a=h21(i),bb=h21(i+vec2(1,0)),c=h21(i+vec2(0,1)),d=h21(i+vec2(1,1));
  return mix(mix(a,bb,u.x),mix(c,d,u.x),u.y);
}
float fbm(vec2 q){
  float a=.5,n=0.;
  for(int i=0;i<6;i++){n+=a*vn(q);q=q*2.03+vec2(1.3,-.7);a*=.5;}
  return n;
}
void main(){
  vec2 uv=gl_FragCoord.xy/r;
  vec2 p=uv*3.+vec2(t*.25,0.);
  vec2 w=vec2(fbm(p+t*.05),fbm(p+vec2(5.3,2.8)));
  float n=fbm(p+w*1.5-vec2(t*.1,0.));
  float cov=.45+.15*sin(t*.4);
  float cl=smoothstep(cov,cov+.3,n);
  float day=.5+.5*sin(t*.45);
  vec3 top=mix(vec3(.12,.1,.35),vec3(.15,.4,.85),day);
  vec3 hor=mix(vec3(1.,.45,.25),vec3(.65,.85,1.),day);
  vec3 sky=mix(hor,top,pow(uv.y,.8));
  vec3 lit=mix(vec3(1.,.7,.55),vec3(1.),day);
  vec3 sh=mix(vec3(.35,.25,.45),vec3(.55,.6,.7),day);
  vec3 cc=mix(sh,lit,smoothstep(.2,.9,n-w.y*.3+.3));
  vec3 c=mix(sky,cc,cl);
  o=vec4(c,1.);
}
