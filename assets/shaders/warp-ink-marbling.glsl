// mode: geeker
// family: warp
// title: combed paper-marbling ink stripes from iterated sine warps
// author: synthkd (original)
vec3 ink(float k){
  float x=fract(k);
  if(x<.25)return vec3(.1,.2,.55);
  if(x<.5)return vec3(.92,.88,.78);
  if(x<.75)return vec3(.75,.15,.2);
  return vec3(.95,.7,.2);
}
void main(){
  vec2 p=(gl_FragCoord.xy*2.-r)/r.y;
  vec2 q=p*1.5;
  float amp=.35;
  for(int i=0;i<7;i++){
    float fi=float(i);
    q.x+=amp*sin(q.y*(2.3+fi*.7)+t*.4+fi);
    q.y+=amp*.7*cos(q.x*(1.9+fi*.5)-t*.3+fi*2.);
    amp*=.78;
  }
  float comb=sin(p.x*18.)*.05;
  float v=q.x*.45+q.y*.15+comb+t*.05;
  vec3 c=ink(v);
  vec3 c2=ink(v+.25);
  c=mix(c,c2,smoothstep(.8,1.,fract(v*4.)));
  float hs=.6*sin(t*.2);
  c=mat3(1.,hs*.1,0.,0.,1.,hs*.1,hs*.1,0.,1.)*c;
  c*=.88+.12*sin(q.y*40.+q.x*9.);
  gl_FragColor=vec4(c,1.);
}
