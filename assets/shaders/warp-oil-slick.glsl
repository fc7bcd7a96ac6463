// mode: geekest300
// family: warp
// title: thin-film interference colours on a warped oil slick
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*1.1;
vec2 z=p*1.5;
float a=.5,n=0.;
vec2 wv=vec2(0.);
for(int i=0;i<2;i++){wv+=a*vec2(snoise3D(vec3(z,t*.1)),snoise3D(vec3(z+8.3,t*.1)));z*=2.;a*=.5;}
z=p*2.+wv*1.2;a=.5;
for(int i=0;i<4;i++){n+=a*snoise3D(vec3(z,t*.07+5.));z=rotate2D(.8)*z*1.9;a*=.5;}
float th=n*1.1+length(p)*.5+t*.09;
vec3 film=.5+.5*sin(PI2*(th*vec3(1.,1.17,1.36))+vec3(0.,1.7,3.9));
float mask=smoothstep(-.45,.2,n+.2*sin(t*.3));
vec3 tar=hsv(fract(.6+t*.02),.35,.12+.1*(n+.5));
vec3 c=mix(tar,film*(.7+.3*mask),mask);
c+=pow(max(0.,1.-length(p-vec2(.5,.4))),6.)*.4;
o=vec4(c,1.);
