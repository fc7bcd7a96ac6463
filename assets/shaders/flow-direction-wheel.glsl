// mode: geek300
// family: flow
// title: colour-wheel map of a wave-sum vector field with streak texture
// author: synthkd (original)
#version 300 es
precision highp float;
uniform vec2 r;
uniform float t;
out vec4 o;
vec2 fld(vec2 p){
  return vec2(sin(p.y*1.7+t*.5)+.6*sin(p.x*2.9+p.y*.7-t*.4),cos(p.x*1.5-t*.35)+.6*cos(p.y*3.1-p.x*1.1+t*.3));
}
void main(){
  vec2 p=(gl_FragCoord.xy*2.-r)/r.y*2.5;
  vec2 v=fld(p);
  float ang=atan(v.y,v.x);
  float mag=length(v);
  vec2 q=p; float str=0.;
  for(int i=0;i<10;i++){ vec2 w=fld(q); q+=w/(length(w)+.3)*.04; str+=sin(dot(q,vec2(21.,13.))+sin(q.x*7.)*3.); }
  str=str/10.;
  vec3 c=.5+.5*cos(ang+vec3(0.,2.094,4.189)+t*.2);
  c*=.35+.45*clamp(mag*.5,0.,1.)+.3*str;
  c+=.08*smoothstep(.9,1.,sin(ang*6.));
  o=vec4(c,1.);
}
