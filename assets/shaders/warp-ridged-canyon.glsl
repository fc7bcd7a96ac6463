// mode: geekest-mrt
// family: warp
// title: hill-shaded ridged canyon terrain seen from above
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*1.2+vec2(t*.08,-t*.05);
float e=1.5/r.y;
vec3 hgt=vec3(0.);
for(int k=0;k<3;k++){
  vec2 z=p+(k==1?vec2(e,0.):k==2?vec2(0.,e):vec2(0.));
  z+=.4*vec2(snoise2D(z*.6+7.),snoise2D(z*.6-4.));
  float n=0.,a=.5;
  for(int i=0;i<4;i++){float v=1.-abs(snoise2D(z));n+=a*v*v;z=rotate2D(.9)*z*2.05;a*=.5;}
  if(k==0)hgt.x=n;else if(k==1)hgt.y=n;else hgt.z=n;
}
vec3 nr=normalize(vec3((hgt.x-hgt.y)/e,(hgt.x-hgt.z)/e,5.));
vec3 L=normalize(vec3(cos(t*.3),sin(t*.3),.7));
float dif=clamp(dot(nr,L),0.,1.);
float h=hgt.x;
vec3 col=mix(hsv(.05,.6,.5),hsv(.09,.45,.85),smoothstep(.2,.7,h));
col=mix(col,hsv(.3+.1*sin(t*.2),.5,.45),smoothstep(.35,.2,h));
col=mix(col,hsv(.58,.7,.6),smoothstep(.12,.05,h));
vec3 c=col*(.3+.9*dif);
o0=vec4(c,1.);
o1=vec4(h,dif,0.,1.);
