// mode: geek
// family: flow
// title: streaks spiralling into drifting sinks and out of sources
// author: synthkd (original)
precision highp float;
uniform vec2 r;
uniform vec2 m;
uniform float t;
uniform float f;
uniform sampler2D b;
void main(){
  vec2 p=(gl_FragCoord.xy*2.-r)/r.y*1.3;
  float phase=0.,dens=0.;
  for(int i=0;i<3;i++){
    float fi=float(i);
    vec2 c=vec2(sin(t*.21+fi*2.2),cos(t*.17+fi*1.4))*.75;
    vec2 d=p-c;
    float rr=length(d)+.02;
    float sg=mod(fi,2.)<.5?1.:-1.;
    phase+=sg*(atan(d.y,d.x)*2.+log(rr)*4.*(1.+.3*fi));
    dens+=.15/rr;
  }
  float streak=.5+.5*sin(phase*3.+t*2.);
  float fine=.5+.5*sin(phase*11.-t*3.);
  vec3 c=.5+.5*cos(phase*.5+vec3(0.,1.5,3.)+t*.15);
  vec3 col=mix(c*.15,c,streak)*(.75+.25*fine);
  col+=vec3(1.,.9,.7)*smoothstep(1.,3.,dens)*.5;
  gl_FragColor=vec4(col,1.);
}
