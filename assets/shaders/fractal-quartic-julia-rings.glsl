// mode: geekest
// family: fractal
// title: quartic Julia set with ring orbit-trap bands
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*1.15*rotate2D(t*.12);
vec2 c=vec2(.62*cos(t*.19+1.),.62*sin(t*.23+1.)+.05);
vec2 z=p;float tr=9.,n=0.;
for(int i=0;i<60;i++){
  vec2 w=vec2(z.x*z.x-z.y*z.y,2.*z.x*z.y);
  z=vec2(w.x*w.x-w.y*w.y,2.*w.x*w.y)+c;
  tr=min(tr,abs(length(z)-.5-.2*sin(t)));
  if(dot(z,z)>16.)break;
  n+=1.;}
float b=fract(tr*6.);
vec3 col=mix(hsv(.62+tr*2.5+t*.02,.7,.3+.2*sin(tr*40.)),hsv(.1+tr*1.5+t*.05,.8,1.),smoothstep(.0,.5,b)*smoothstep(1.,.6,b));
col+=hsv(.55+n*.03,.7,.6)*exp(-n*.08)*step(n,59.);
gl_FragColor=vec4(col,1.);
