// mode: geekest300
// family: warp
// title: rising coloured smoke from warped turbulence
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
vec3 z=vec3(p*1.4,t*.15);
z.y-=t*.4;
vec3 w=vec3(snoise3D(z*.7),snoise3D(z*.7+vec3(3.1,7.7,1.3)),0.);
vec3 y=z+w*.9;
float n=0.,a=.55;
for(int i=0;i<4;i++){n+=a*abs(snoise3D(y));y=y*2.05+vec3(0.,-t*.2,.4);a*=.5;}
float col=smoothstep(1.4,.1,abs(p.x+.3*w.x+.2*sin(p.y*2.+t)));
float dens=clamp(n*1.6*col+.15*n,0.,1.);
vec3 bg=mix(hsv(.7+.05*sin(t*.2),.6,.22),hsv(.58,.5,.45),.5+.5*p.y);
vec3 sm=hsv(fract(.5+n*.5+t*.03+p.y*.08),.55,1.);
vec3 c=mix(bg,sm,dens);
c+=.15*hsv(fract(t*.05+.1),.8,1.)*pow(dens,3.);
o=vec4(c,1.);
