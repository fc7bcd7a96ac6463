// mode: classic300
// family: raymarch
// title: banded gas planet with a tilted ring and moon over stars
// author: synthkd (original)
#version 300 es
precision highp float;
uniform vec2 resolution;
uniform float time;
out vec4 fragColor;
mat2 rot(float a){ float c=cos(a),s=sin(a); return mat2(c,s,-s,c); }
float rnd(vec2 p){ return fract(sin(dot(p,vec2(12.7,311.7)))*43758.5); }
vec3 tilt(vec3 p){ p.xy=rot(.45)*p.xy; p.yz=rot(.25)*p.yz; return p; }
vec2 sdf(vec3 p){
  float pl=length(p)-1.;
  vec3 q=tilt(p);
  float ring=max(abs(q.y)-.01,abs(length(q.xz)-1.75)-.45);
  vec3 mp=p-vec3(2.6*cos(time*.4),.5*sin(time*.4),2.6*sin(time*.4));
  float moon=length(mp)-.22;
  vec2 res=vec2(pl,1.);
  if(ring<res.x) res=vec2(ring,2.);
  if(moon<res.x) res=vec2(moon,3.);
  return res;
}
void main(){
  vec2 uv=(gl_FragCoord.xy*2.-resolution)/resolution.y;
  vec3 ro=vec3(0.,.5,-5.);
  ro.xz=rot(time*.12)*ro.xz;
  vec3 fw=normalize(-ro), rt=normalize(cross(vec3(0,1,0),fw)), up=cross(fw,rt);
  vec3 rd=normalize(uv.x*rt+uv.y*up+1.6*fw);
  float d=0.; vec2 h=vec2(1.,0.);
  for(int i=0;i<64;i++){ h=sdf(ro+rd*d); if(h.x<.002||d>12.)break; d+=h.x; }
  vec2 sg=floor(gl_FragCoord.xy/2.);
  vec3 col=vec3(.02,.02,.06)+vec3(.2,.1,.3)*exp(-3.*length(uv-vec2(.6,-.5)))+step(.985,rnd(sg))*vec3(.9);
  vec3 L=normalize(vec3(cos(time*.2),.3,sin(time*.2)-1.));
  if(d<12.){
    vec3 p=ro+rd*d; vec2 e=vec2(.002,0.);
    vec3 n=normalize(vec3(sdf(p+e.xyy).x-sdf(p-e.xyy).x,sdf(p+e.yxy).x-sdf(p-e.yxy).x,sdf(p+e.yyx).x-sdf(p-e.yyx).x)+1e-6);
    float dif=max(dot(n,L),0.);
    vec3 q=tilt(p);
    if(h.y<1.5){
      float lat=q.y+.06*sin(q.x*5.+q.z*3.+time*.5);
      vec3 band=.55+.45*cos(6.2831*(lat*2.2+vec3(.0,.1,.25)+time*.03));
      band*=.8+.2*sin(lat*40.);
      col=band*(.05+dif);
    }else if(h.y<2.5){
      float rr=length(q.xz);
      float gaps=.5+.5*sin(rr*38.)*sin(rr*11.);
      col=mix(vec3(.9,.75,.55),vec3(.6,.5,.7),gaps)*(.2+.8*abs(dot(n,L)));
      float sh=length(p-dot(p,L)*L)<1.&&dot(p,L)<0.?.2:1.;
      col*=sh;
    }else{
      col=vec3(.7,.75,.8)*(.05+dif);
    }
  }
  fragColor=vec4(col,1.);
}
