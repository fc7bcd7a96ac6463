// mode: geekest300
// family: warp
// title: ridged multifractal lava crust with glowing cracks
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*1.6;
vec2 z=p+.5*vec2(snoise2D(p+t*.1),snoise2D(p.yx-t*.08));
float n=0.,a=.5,pr=1.;
for(int i=0;i<5;i++){
  float v=1.-abs(snoise2D(z+float(i)*1.3+t*.05*float(i)));
  v*=v;
  n+=a*v*pr;
  pr=v;
  z=rotate2D(1.1)*z*2.1;
  a*=.5;
}
float heat=clamp(n*1.3-.15,0.,1.);
float sh=fract(t*.03);
vec3 crust=hsv(fract(.07+sh),.5,.18+.12*snoise2D(p*8.));
vec3 glow=mix(hsv(fract(.0+sh),1.,.9),hsv(fract(.12+sh),.8,1.),smoothstep(.5,1.,heat));
vec3 c=mix(crust,glow,smoothstep(.25,.75,heat));
c+=vec3(1.,.9,.6)*pow(heat,6.)*.6;
o=vec4(c,1.);
