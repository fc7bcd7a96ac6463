// mode: geeker300
// family: moire
// title: doppler wavefronts of a moving source crossing a plane wave
// author: synthkd (original)
vec2 path(float x){return vec2(.8*sin(x*.5),.5*sin(x*.8+1.));}
void main(){
 vec2 p=(gl_FragCoord.xy*2.-r)/r.y;
 float sp=.9;
 float ring=0.,ord=0.;
 for(int i=1;i<17;i++){
  float dt=float(i)*.13;
  vec2 s=path(t-dt);
  float d=abs(length(p-s)-dt*sp);
  float v=exp(-d*60.)*(1.-float(i)/17.);
  if(v>ring){ring=v;ord=float(i);}
 }
 float ang=t*.2;
 float pw=.5+.5*sin(dot(p,vec2(cos(ang),sin(ang)))*45.-t*3.);
 vec3 c=mix(vec3(.05,.05,.12),vec3(.2,.3,.5),pw);
 vec3 rc=.5+.5*cos(6.2831*(ord*.06+t*.05+vec3(0.,.33,.67)));
 c=mix(c,rc,ring);
 c+=rc*ring*pw*.5;
 vec2 s0=path(t);
 c+=vec3(1.,.9,.6)*smoothstep(.05,.0,length(p-s0));
 o=vec4(c,1.);
}
