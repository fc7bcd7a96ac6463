// mode: geekest
// family: raymarch
// title: twisted striped square column with rim light
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
vec3 ro=vec3(0.,0.,-4.);
vec3 rd=normalize(vec3(p,2.));
mat2 cam=rotate2D(t*.3);
ro.xz*=cam; rd.xz*=cam;
float d=0.,h=1.;
vec3 q,w;
float tw=1.2*sin(t*.5)+.3;
for(int i=0;i<64;i++){
  q=ro+rd*d;
  w=q; w.xz*=rotate2D(q.y*tw+t*.4);
  vec2 bq=abs(w.xz)-vec2(.55);
  h=(length(max(bq,0.))+min(max(bq.x,bq.y),0.)-.06)*.6;
  if(h<.002||d>9.)break;
  d+=h;
}
vec3 bg=hsv(p.y*.1+.62+t*.03,.7,.35)+.15*hsv(.9,.5,1.)*exp(-8.*abs(p.y-.3*sin(p.x*4.+t)));
vec3 c=bg;
if(d<9.){
  vec2 ax=abs(w.xz);
  vec3 nl=ax.x>ax.y?vec3(sign(w.x),0.,0.):vec3(0.,0.,sign(w.z));
  float face=ax.x>ax.y?1.:0.;
  float stripe=step(.5,fract(q.y*2.5+(ax.x>ax.y?w.z:w.x)*.5+t*.3));
  vec3 base=mix(hsv(.02+t*.05,.8,1.),hsv(.55+t*.05,.7,.9),stripe);
  base*=.7+.3*face;
  float rim=pow(1.-abs(dot(normalize(vec3(p,2.)),normalize(vec3(nl.x,.0,nl.z)+1e-4))),3.);
  c=base*(.4+.6*(.5+.5*sin(q.y*2.+t)))+rim*.3;
}
gl_FragColor=vec4(c,1);
