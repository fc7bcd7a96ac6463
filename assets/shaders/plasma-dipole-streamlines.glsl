// mode: geek300
// family: plasma
// title: streamline loops of rotating magnetic dipoles
// author: synthkd (original)
#version 300 es
precision highp float;
uniform vec2 r;
uniform float t;
out vec4 o;
void main(){
  vec2 p=(gl_FragCoord.xy*2.-r)/r.y*1.2;
  float psi=0.;
  for(int i=0;i<3;i++){
    float fi=float(i);
    vec2 c=vec2(sin(t*.21+fi*2.1),cos(t*.18+fi*2.1))*.6;
    float an=t*(.5+fi*.2)+fi;
    vec2 mo=vec2(cos(an),sin(an));
    vec2 d=p-c;
    psi+=(mo.x*d.y-mo.y*d.x)/(dot(d,d)+.004)*(1.-fi*.25);
  }
  float s=atan(psi*.35)*3.;
  float band=fract(s*1.5),id=floor(s*1.5);
  vec3 col=.5+.5*cos(6.2832*(id*.12+t*.05+vec3(.1,.4,.7)));
  col*=.4+.6*smoothstep(.0,.5,band)*smoothstep(1.,.6,band);
  col+=vec3(1.,.9,.8)*smoothstep(.1,.0,abs(band-.5)-.42)*.0;
  o=vec4(col,1.);
}
