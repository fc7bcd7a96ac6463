// mode: geek300
// family: fractal
// title: multibrot set with a morphing non-integer power
// author: synthkd (original)
#version 300 es
precision highp float;
uniform vec2 r;
uniform float t;
out vec4 o;
void main(){
  vec2 p=(gl_FragCoord.xy*2.-r)/r.y;
  float e=2.+2.6*(.5-.5*cos(t*.55));
  float a0=t*.15;
  p=mat2(cos(a0),sin(a0),-sin(a0),cos(a0))*p;
  vec2 c=p*.7+vec2(.55*cos(t*.3),.55*sin(t*.3));
  vec2 z=c;float n=0.,tr=9.;
  for(int i=0;i<40;i++){
    float l=length(z),a=atan(z.y,z.x);
    z=pow(l,e)*vec2(cos(a*e),sin(a*e))+c;
    tr=min(tr,abs(length(z)-.6));
    if(dot(z,z)>36.)break;
    n+=1.;
  }
  float s=n/40.;
  vec3 col=.5+.5*sin(vec3(1.,1.6,2.3)*(s*9.+t*.3)+vec3(0.,1.,2.));
  col=mix(col,vec3(.95,.85,.5)*(1.-sqrt(min(tr*3.,1.))),n>39.?.85:.15);
  col*=.35+.65*sqrt(s+.05);
  if(n>39.)col=.5+.5*cos(tr*14.+t*.7+vec3(0.,2.,4.)+atan(z.y,z.x));
  o=vec4(col,1.);
}
