// mode: geekest
// family: warp
// title: twin-hued nebula gas with scattered stars
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
vec3 z=vec3(p*1.2,t*.06);
vec3 w=vec3(0.);
float a=.5;
vec3 y=z;
for(int i=0;i<2;i++){w+=a*vec3(snoise3D(y),snoise3D(y+vec3(2.2,5.1,.7)),0.);y*=2.2;a*=.5;}
y=z+w*1.4;
float n=0.;a=.5;
for(int i=0;i<4;i++){n+=a*snoise3D(y);y=y*2.03+vec3(0.,0.,t*.03);a*=.5;}
float g=smoothstep(-.35,.55,n);
float h1=fract(.78+t*.031),h2=fract(h1+.33+.1*w.x);
vec3 c=hsv(fract(h1+.5),.6,.16+.08*p.y)+hsv(h1,.8,1.)*g*(.4+.6*g)+hsv(h2,.7,.8)*smoothstep(.2,.9,w.y+n)*.6;
c+=vec3(.9,.95,1.)*smoothstep(.1,.6,n)*.25;
float st=fsnoise(floor(FC.xy));
c+=vec3(1.)*step(.985,st)*(.5+.5*sin(t*3.+st*90.));
gl_FragColor=vec4(c,1.);
