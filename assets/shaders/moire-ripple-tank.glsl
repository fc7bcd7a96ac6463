// mode: geekest300
// family: moire
// title: ripple tank water surface with mirrored wave sources
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
vec2 s0=vec2(.35*sin(t*.21),.3*cos(t*.17));
float hgt=0.;vec2 gr=vec2(0.);
for(int i=0;i<5;i++){
 vec2 s=s0;
 if(i==1)s.x=2.-s0.x;
 if(i==2)s.x=-2.-s0.x;
 if(i==3)s.y=2.-s0.y;
 if(i==4)s=vec2(-.5,.6)+.1*vec2(sin(t),cos(t*.8));
 vec2 d=p-s;
 float l=length(d)+1e-3;
 float k=i==4?22.:28.;
 float ph=k*l-t*5.;
 float am=1./(1.+l*2.);
 hgt+=sin(ph)*am;
 gr+=cos(ph)*k*am*d/l;
}
vec3 n=normalize(vec3(-gr*.03,1.));
vec3 L=normalize(vec3(.4,.5,.8));
float dif=max(dot(n,L),0.);
float spec=pow(max(dot(reflect(-L,n),vec3(0.,0.,1.)),0.),24.);
vec3 deep=hsv(fract(.5+.2*sin(t*.2)),.85,.35),shallow=hsv(fract(.42+.2*sin(t*.2)),.55,.85);
vec3 c=mix(deep,shallow,.5+.5*hgt*.6)*(.5+.6*dif)+spec*vec3(1.,.95,.8);
c+=.15*vec3(.2,.8,1.)*smoothstep(.3,1.,sin(hgt*6.));
o=vec4(c,1.);
