// mode: geekest300
// family: raymarch
// title: smooth-union metaballs drifting with soap-film colours
// author: synthkd (original)
float smin(float a,float c,float k){ float h=clamp(.5+.5*(c-a)/k,0.,1.); return mix(c,a,h)-k*h*(1.-h); }
float blobs(vec3 p){
  float d=p.y+1.2+.08*sin(p.x*3.+t)*sin(p.z*3.);
  for(int i=0;i<5;i++){
    float fi=float(i);
    vec3 c=vec3(sin(t*.7+fi*1.9)*1.1,sin(t*.9+fi*2.7)*.6,cos(t*.5+fi*1.3)*1.1);
    d=smin(d,length(p-c)-.42-.1*sin(fi),.5);
  }
  return d;
}
void main(){
  vec2 uv=(FC.xy*2.-r)/r.y;
  vec3 ro=vec3(0.,.6,-3.5);
  vec3 rd=normalize(vec3(uv,1.5));
  rd.yz*=rotate2D(.1);
  float d=0.,h;
  for(int i=0;i<40;i++){ h=blobs(ro+rd*d); if(h<.004||d>8.)break; d+=h; }
  vec3 p=ro+rd*d; vec2 e=vec2(.004,-.004);
  vec3 n=normalize(e.xyy*blobs(p+e.xyy)+e.yyx*blobs(p+e.yyx)+e.yxy*blobs(p+e.yxy)+e.xxx*blobs(p+e.xxx)+1e-7);
  float fr=1.-abs(dot(n,rd));
  vec3 L=normalize(vec3(.7,.6,-.4));
  float dif=max(dot(n,L),0.);
  vec3 film=.5+.5*cos(6.28*(fr*1.5+vec3(0.,.33,.67)+t*.1+p.y*.4));
  vec3 col=film*(.3+.7*dif)+pow(max(dot(reflect(rd,n),L),0.),30.)*.8;
  vec3 bg=hsv(.55+.3*uv.x+t*.03,.4,.6+.3*uv.y);
  col=mix(bg,col,exp(-.02*d*d));
  o=vec4(col,1);
}
