// mode: geekest
// family: warp
// title: radial flame corona from warped polar noise
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
float rad=length(p)+1e-3;
float an=atan(p.y,p.x);
vec2 q=vec2(an*3./PI,log(rad)*2.-t*.7);
float n=0.,a=.55;
vec2 z=q+vec2(snoise2D(q*.9+t*.1),0.)*.6;
for(int i=0;i<5;i++){
  n+=a*snoise2D(vec2(mod(z.x,6.),z.y));
  z=z*2.+vec2(0.,-t*.3);
  a*=.5;
}
float fl=clamp(1.2-rad*1.1+n*.9,0.,1.5);
float core=smoothstep(.35,0.,rad);
float hh=fract(.02+t*.045+an*.02);
vec3 c=hsv(hh,.9,fl)*fl;
c+=hsv(fract(hh+.1),.6,1.)*pow(fl*.8,3.);
c+=vec3(1.,.95,.8)*core;
c+=hsv(fract(hh+.55),.6,.25)*(1.-smoothstep(0.,1.,fl));
gl_FragColor=vec4(c,1.);
