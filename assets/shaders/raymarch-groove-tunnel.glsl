// mode: geek
// family: raymarch
// title: ribbed cylindrical tunnel with bolts and neon seams
// author: synthkd (original)
precision highp float;
uniform vec2 r;
uniform vec2 m;
uniform float t;
uniform float f;
uniform sampler2D b;
float tun(vec3 p){
  vec2 c=p.xy-vec2(.4*sin(p.z*.3),.3*cos(p.z*.25));
  float ang=atan(c.y,c.x);
  float rad=1.1+.08*sin(p.z*6.)+.05*step(.5,fract(ang*1.273));
  float d=rad-length(c);
  float sec=mod(ang+.3927,.7854)-.3927;
  vec3 q=vec3(sec*length(c),length(c)-rad+.02,mod(p.z,1.)-.5);
  d=min(d,length(q)-.09);
  return d;
}
void main(){
  vec2 uv=(gl_FragCoord.xy*2.-r)/r.y;
  float z=t*1.7;
  vec3 ro=vec3(.4*sin(z*.3),.3*cos(z*.25),z);
  vec3 ta=vec3(.4*sin((z+1.)*.3),.3*cos((z+1.)*.25),z+1.);
  vec3 fw=normalize(ta-ro), rt=normalize(cross(vec3(sin(t*.2),1.,0.),fw)), up=cross(fw,rt);
  vec3 rd=normalize(uv.x*rt+uv.y*up+1.1*fw);
  float d=0.,h; vec3 p;
  for(int i=0;i<60;i++){ p=ro+rd*d; h=tun(p); if(h<.002||d>20.)break; d+=h*.7; }
  vec2 e=vec2(.003,0.);
  vec3 n=normalize(vec3(tun(p+e.xyy)-tun(p-e.xyy),tun(p+e.yxy)-tun(p-e.yxy),tun(p+e.yyx)-tun(p-e.yyx))+1e-6);
  vec2 c=p.xy-vec2(.4*sin(p.z*.3),.3*cos(p.z*.25));
  float ang=atan(c.y,c.x);
  float seam=smoothstep(.03,0.,abs(fract(p.z*.5)-.5)-.0)+smoothstep(.04,0.,abs(fract(ang*1.273+.5)-.5)*.3);
  vec3 metal=vec3(.35,.33,.38)*(.4+.6*max(dot(n,-rd),0.));
  metal*=.8+.2*sin(p.z*40.);
  vec3 neon=.5+.5*cos(6.2831*(p.z*.05+t*.08+vec3(0.,.33,.67)));
  vec3 col=metal+seam*neon*1.2;
  col*=exp(-.08*d);
  col+=neon*.15*(1.-exp(-.05*d));
  gl_FragColor=vec4(col,1.);
}
