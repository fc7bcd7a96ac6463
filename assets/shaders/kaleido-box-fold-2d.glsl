// mode: geekest300
// family: kaleido
// title: planar box-fold and ball-fold iteration (2D mandelbox slice)
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
vec2 c=p*(2.2+.8*sin(t*.3))*rotate2D(t*.07)+vec2(.3*sin(t*.2),0.);
vec2 z=c;float dr=1.,sc=-1.8-.5*sin(t*.41),tr=9.,k=0.;
for(int i=0;i<14;i++){
  z=clamp(z,-1.,1.)*2.-z;
  float r2=dot(z,z);
  if(r2<.25){z*=4.;dr*=4.;k+=1.;}else if(r2<1.){z/=r2;dr/=r2;k+=.5;}
  z=z*sc+c;dr=dr*abs(sc)+1.;
  tr=min(tr,abs(z.x*z.y));
}
float lz=length(z)/abs(dr);
vec3 col=.5+.5*cos(PI2*(vec3(.1,.35,.6)+k*.07+log(lz+1e-6)*.06+t*.03));
col*=.4+.6*exp(-tr*.3);
o=vec4(col,1.);
