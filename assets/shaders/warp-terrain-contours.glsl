// mode: geekest300
// family: warp
// title: topographic map with warped heights and contour lines
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*.9+vec2(t*.11,t*.05);
vec2 q=vec2(snoise2D(p*.8+5.),snoise2D(p*.8-3.));
vec2 z=p+q*.6;
float h=0.,a=.55;
for(int i=0;i<5;i++){h+=a*snoise2D(z);z=rotate2D(.5)*z*2.02;a*=.45;}
float sea=-.12+.08*sin(t*.5);
vec3 c;
if(h<sea){c=mix(hsv(.62,.8,.35),hsv(.55,.6,.8),smoothstep(-.6,sea,h));}
else{
  float e=(h-sea)/(1.-sea);
  c=mix(hsv(.13,.45,.85),hsv(.28,.6,.6),smoothstep(.0,.12,e));
  c=mix(c,hsv(.08,.45,.45),smoothstep(.25,.45,e));
  c=mix(c,vec3(.95),smoothstep(.42,.55,e));
}
float lv=h*7.;
float fw=fwidth(lv)+1e-4;
float line=smoothstep(fw*1.5,0.,min(fract(lv),1.-fract(lv)));
c*=1.-.45*line;
c=mix(c,c*hsv(fract(t*.07),.3,1.),.5);
o=vec4(c,1.);
