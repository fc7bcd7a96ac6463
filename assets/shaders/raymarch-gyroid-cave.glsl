// mode: geekest300
// family: raymarch
// title: flight through a glowing gyroid cave
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
vec3 ro=vec3(.3*sin(t*.7),.2*cos(t*.5),t*.8);
vec3 rd=normalize(vec3(p,1.6));
rd.xy*=rotate2D(t*.15);
rd.xz*=rotate2D(.3*sin(t*.4));
float d=0.,g=0.,h;
vec3 q;
for(int i=0;i<56;i++){
  q=ro+rd*d;
  h=abs(dot(sin(q*2.3),cos(q.yzx*2.3)))/2.3-.04;
  h=max(h,-(length(q.xy-vec2(.3*sin(q.z*.7),.2*cos(q.z*.5)))-.35));
  g+=.012/(.02+h*h*40.);
  if(h<.002||d>9.)break;
  d+=h*.8;
}
vec2 e=vec2(.01,0);
vec3 n=normalize(vec3(
  abs(dot(sin((q+e.xyy)*2.3),cos((q+e.xyy).yzx*2.3)))-abs(dot(sin((q-e.xyy)*2.3),cos((q-e.xyy).yzx*2.3))),
  abs(dot(sin((q+e.yxy)*2.3),cos((q+e.yxy).yzx*2.3)))-abs(dot(sin((q-e.yxy)*2.3),cos((q-e.yxy).yzx*2.3))),
  abs(dot(sin((q+e.yyx)*2.3),cos((q+e.yyx).yzx*2.3)))-abs(dot(sin((q-e.yyx)*2.3),cos((q-e.yyx).yzx*2.3)))
)+1e-5);
float dif=.5+.5*dot(n,normalize(vec3(.4,.8,-.5)));
vec3 col=hsv(q.z*.08+t*.03+.1*snoise3D(q*1.5),.65,1.)*dif;
col*=.6+.4*sin(q.z*6.+q.x*4.);
float fog=exp(-d*.28);
vec3 sky=hsv(.6+t*.02,.7,.25)+g*.03*hsv(t*.05+.5,.5,1.);
o=vec4(mix(sky,col,fog)+g*.01*hsv(q.z*.1,.6,1.),1);
