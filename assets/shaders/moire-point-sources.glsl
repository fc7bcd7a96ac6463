// mode: geekest300
// family: moire
// title: interference of four drifting point sources, chromatic
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
vec3 acc=vec3(0.);
for(int i=0;i<4;i++){
 float fi=float(i);
 vec2 sp=.7*vec2(sin(t*.3*(1.+fi*.21)+fi*1.7),cos(t*.23*(1.+fi*.17)+fi*2.9));
 float d=length(p-sp);
 vec3 k=vec3(38.,42.,46.)+fi*3.;
 acc+=sin(k*d-t*4.)/(1.+d*1.5);
}
vec3 c=.5+.5*cos(6.2831*(acc.x*.18+vec3(0.,.33,.67)+t*.04));
c*=.3+.7*clamp(abs(acc.y)*.8,0.,1.);
c+=.25*clamp(acc.z,0.,1.);
o=vec4(c,1.);
