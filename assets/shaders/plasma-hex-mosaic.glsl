// mode: geek
// family: plasma
// title: plasma sampled on a bevelled hexagon mosaic
// author: synthkd (original)
precision highp float;
uniform vec2 r;
uniform vec2 m;
uniform float t;
uniform float f;
uniform sampler2D b;
float plasma(vec2 p){
  return sin(p.x*.9+t*.7)+sin(p.y*1.1-t*.5)+sin((p.x-p.y)*.6+t*.4)+sin(length(p+vec2(2.*sin(t*.2),1.5))*1.3-t);
}
void main(){
  vec2 p=(gl_FragCoord.xy*2.-r)/r.y*(4.5+1.5*sin(t*.15));
  vec2 s=vec2(1.,1.7320508);
  vec2 a=mod(p,s)-s*.5,bb=mod(p-s*.5,s)-s*.5;
  vec2 g=dot(a,a)<dot(bb,bb)?a:bb;
  vec2 c=p-g;
  vec2 ag=abs(g);
  float hd=max(ag.x,dot(ag,vec2(.5,.8660254)));
  float v=plasma(c);
  vec3 col=.5+.5*cos(6.2832*(v*.12+t*.05+vec3(.0,.2,.45)));
  float bev=smoothstep(.5,.38,hd);
  float lit=dot(normalize(g+1e-4),vec2(-.6,.8))*smoothstep(.35,.5,hd);
  col*=.3+.7*bev;
  col+=lit*.25*(1.-bev);
  gl_FragColor=vec4(col,1.);
}
