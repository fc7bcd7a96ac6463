// mode: geekest300
// family: warp
// title: veined marble slab from fbm-of-fbm warping
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y+vec2(t*.05,-t*.03);
vec2 w=vec2(0.);
for(int k=0;k<2;k++){
  vec2 z=p*.9+w*1.2+float(k)*2.9;
  vec2 n=vec2(0.);
  float a=.55;
  for(int i=0;i<4;i++){
    n+=a*vec2(snoise2D(z),snoise2D(z+vec2(4.7,-2.1)));
    z=rotate2D(.7)*z*1.9;
    a*=.45;
  }
  w=n+.2*vec2(sin(t*.37+float(k)),cos(t*.29));
}
float v=sin(dot(p,vec2(2.1,1.2))+w.x*4.+w.y*2.);
float vein=pow(1.-abs(v),5.);
float v2=sin(dot(p,vec2(-1.,2.5))*1.5+w.y*5.);
float fine=pow(1.-abs(v2),14.);
float hue=fract(.55+t*.047);
vec3 base=mix(vec3(.95,.93,.88),hsv(hue,.35,.8),smoothstep(-.4,.6,w.y));
vec3 vc=hsv(fract(hue+.45),.55,.28);
vec3 c=mix(base,vc,vein*.85);
c=mix(c,hsv(fract(hue+.1),.5,.45),fine*.6);
c*=.9+.2*snoise2D(p*6.+w*3.)*.5;
o=vec4(c,1.);
