// mode: geek
// family: cellular
// title: weighted power-diagram cells filled with concentric rings
// author: synthkd (original)
precision highp float;
uniform vec2 r;
uniform vec2 m;
uniform float t;
uniform float f;
uniform sampler2D b;
vec3 rn3(vec2 q){return fract(sin(vec3(dot(q,vec2(12.3,45.6)),dot(q,vec2(78.9,10.1)),dot(q,vec2(23.4,56.7))))*24681.3);}
void main(){
  vec2 p=(gl_FragCoord.xy*2.-r)/r.y*2.4+vec2(-t*.1,t*.06);
  vec2 g=floor(p),fr=fract(p);
  float best=99.,second=99.;vec2 id=vec2(0.);float bd=0.;
  for(int j=-1;j<=1;j++)for(int i=-1;i<=1;i++){
    vec2 c=vec2(float(i),float(j));
    vec3 h=rn3(g+c);
    vec2 sp=c+.5+.3*vec2(sin(t*.4+h.x*6.28),cos(t*.3+h.y*6.28))-fr;
    float wt=.35*h.z*h.z*(.7+.3*sin(t*.5+h.x*9.));
    float d=dot(sp,sp)-wt;
    if(d<best){second=best;best=d;id=g+c;bd=length(sp);}else if(d<second)second=d;
  }
  vec3 h=rn3(id);
  float ringf=6.+10.*h.y;
  float rings=.5+.5*sin(bd*ringf*6.28-t*2.*(h.x-.5));
  vec3 c1=.55+.45*cos(6.2832*(h.x+vec3(0.,.3,.6)+t*.03));
  vec3 c2=.55+.45*cos(6.2832*(h.z+vec3(.5,.1,.8)-t*.02));
  vec3 col=mix(c1,c2,rings);
  float edge=second-best;
  col*=smoothstep(.0,.15,edge);
  gl_FragColor=vec4(col,1.);
}
