// mode: geek300
// family: raymarch
// title: value-noise mountains under a moving sun with fog
// author: synthkd (original)
#version 300 es
precision highp float;
uniform vec2 r;
uniform float t;
out vec4 o;
float hsh(vec2 p){ p=fract(p*vec2(123.34,456.21)); p+=dot(p,p+45.32); return fract(p.x*p.y); }
float vn(vec2 p){
  vec2 i=floor(p),f=fract(p); f=f*f*(3.-2.*f);
  return mix(mix(hsh(i),hsh(i+vec2(1,0)),f.x),mix(hsh(i+vec2(0,1)),hsh(i+vec2(1,1)),f.x),f.y);
}
float ht(vec2 p){
  float a=0.,w=.5; mat2 m=mat2(1.6,1.2,-1.2,1.6);
  for(int i=0;i<4;i++){ a+=w*vn(p); p=m*p; w*=.5; }
  return a*1.8-.4;
}
void main(){
  vec2 uv=(gl_FragCoord.xy*2.-r)/r.y;
  vec3 ro=vec3(t*.7,1.9,t*.9);
  vec3 rd=normalize(vec3(uv.x,uv.y-.35,1.2));
  float ca=.4*sin(t*.15)+.7; rd.xz=mat2(cos(ca),sin(ca),-sin(ca),cos(ca))*rd.xz;
  float d=.1; vec3 p; bool hit=false;
  for(int i=0;i<64;i++){
    p=ro+rd*d;
    float h=p.y-ht(p.xz);
    if(h<.003*d){hit=true;break;}
    d+=max(h*.5,.02);
    if(d>14.)break;
  }
  vec3 sun=normalize(vec3(cos(t*.3),.35+.25*sin(t*.2),sin(t*.3)));
  vec3 sky=mix(vec3(.85,.6,.45),vec3(.25,.45,.85),clamp(rd.y*2.5+.2,0.,1.));
  sky+=vec3(1.,.7,.4)*pow(max(dot(rd,sun),0.),30.);
  vec3 col=sky;
  if(hit){
    vec2 e=vec2(.02,0.);
    vec3 n=normalize(vec3(ht(p.xz-e.xy)-ht(p.xz+e.xy),2.*e.x,ht(p.xz-e.yx)-ht(p.xz+e.yx)));
    float dif=max(dot(n,sun),0.);
    vec3 rock=mix(vec3(.45,.3,.2),vec3(.35,.5,.2),smoothstep(.6,.95,n.y));
    rock=mix(rock,vec3(.95),smoothstep(.9,1.2,p.y+.1*n.y));
    rock=mix(rock,vec3(.15,.3,.5),smoothstep(.05,-.1,p.y));
    col=rock*(.2+.9*dif)+.1*sky*n.y;
    col=mix(sky,col,exp(-.02*d*d*.6));
  }
  o=vec4(pow(col,vec3(.9)),1.);
}
