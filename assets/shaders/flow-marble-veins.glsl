// mode: geekest300
// family: flow
// title: warped marble veins from nested noise displacement
// author: synthkd (original)
vec2 p=FC.xy/r.y*2.+vec2(t*.05,0.);
vec2 w=vec2(0.);
float a=.6;
for(int i=0;i<3;i++){
  float fi=float(i)+1.;
  w+=a*vec2(snoise3D(vec3(p*fi+w*1.4,t*.07)),snoise3D(vec3(p.yx*fi-w*1.4+9.1,t*.07)));
  a*=.55;
}
float v=sin(p.x*3.+p.y*1.5+w.x*5.+w.y*3.);
float v2=sin(p.y*5.-p.x+w.y*7.);
float vein=pow(1.-abs(v),3.);
float vein2=pow(1.-abs(v2),12.);
vec3 stone=mix(hsv(.38+t*.04,.6,.45),hsv(.5+t*.04,.5,.85),.5+.5*w.x);
stone=mix(stone,hsv(.3+t*.04,.7,.25),smoothstep(.2,.8,w.y));
vec3 c=mix(stone,hsv(.12+t*.04+w.y*.1,.75,1.),vein);
c=mix(c,hsv(.95+t*.04,.6,.35),vein2*.8);
c*=.92+.08*sin((p.x-p.y)*25.+w.y*20.);
o=vec4(c,1);
