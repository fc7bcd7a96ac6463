// mode: classic300
// family: warp
// title: aurora curtains folded by warped noise above hills
// author: synthkd (original)
#version 300 es
precision highp float;
uniform vec2 resolution;
uniform float time;
out vec4 fragOut;
float hsh(float x){return fract(sin(x*127.37)*9173.113);}
float n1(float x){float i=floor(x),u=fract(x);u=u*u*(3.-2.*u);return mix(hsh(i),hsh(i+1.),u);}
float h2(vec2 q){return fract(sin(dot(q,vec2(12.41,71.9)))*38113.7);}
float n2(vec2 q){
  vec2 i=floor(q),u=fract(q);
  u=u*u*(3.-2.*u);
  return mix(mix(h2(i),h2(i+vec2(1.,0.)),u.x),mix(h2(i+vec2(0.,1.)),h2(i+vec2(1.,1.)),u.x),u.y);
}
void main(){
  vec2 uv=gl_FragCoord.xy/resolution;
  float T=time;
  vec3 c=mix(vec3(.02,.05,.16),vec3(.05,.12,.3),uv.y);
  float st=h2(floor(gl_FragCoord.xy));
  c+=step(.99,st)*.8;
  for(int k=0;k<3;k++){
    float fk=float(k);
    float x=uv.x*(2.+fk)+fk*3.7;
    float wx=x+.8*(n2(vec2(x*1.3,T*.2+fk))-.5)+.4*sin(T*.3+fk);
    float fold=n1(wx*3.+T*.5)*.6+n1(wx*9.-T)*.25;
    float base=.35+.15*fk+.15*(n1(wx*1.5+fk*5.)-.5);
    float dy=uv.y-base;
    float curtain=smoothstep(-.02,.0,dy)*exp(-max(dy,0.)*(3.5-fold*2.));
    float rays=.55+.45*sin(wx*22.+fold*8.);
    vec3 hue=.5+.5*cos(6.2832*(vec3(.3,.5,.65)+fk*.17+T*.03+dy*.8));
    c+=hue*curtain*rays*(.5+fold);
  }
  float hill=.12+.06*n1(uv.x*6.+3.)+.03*n1(uv.x*22.);
  c=mix(c,vec3(.02,.03,.05)+c*.15,smoothstep(hill+.005,hill-.005,uv.y));
  fragOut=vec4(c,1.);
}
