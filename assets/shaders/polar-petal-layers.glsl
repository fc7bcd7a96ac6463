// mode: geek
// family: polar
// title: stacked layers of shaded flower petals
// author: synthkd (original)
precision highp float;
uniform vec2 r;
uniform vec2 m;
uniform float t;
uniform float f;
uniform sampler2D b;
void main(){
  vec2 p=(gl_FragCoord.xy*2.-r)/r.y*1.1;
  p+=.08*vec2(sin(t*.6),cos(t*.5));
  float l=length(p),a=atan(p.y,p.x);
  vec3 col=mix(vec3(.05,.25,.12),vec3(.2,.45,.15),.5+.5*sin(p.x*9.+sin(p.y*7.+t)*2.));
  for(int i=0;i<7;i++){
    float fi=float(i);
    float k=5.+mod(fi,3.);
    float R=1.05-fi*.14;
    float ph=a*k*.5+fi*.9+t*.15*(mod(fi,2.)*2.-1.);
    float c=abs(cos(ph));
    float edge=R*(.55+.45*pow(c,1.5));
    if(l<edge){
      float sh=l/edge;
      vec3 pc=.55+.45*cos(6.2832*(fi*.11+t*.03+vec3(.95,.15,.35)+sh*.15));
      col=pc*(.35+.65*sh)*(.75+.25*c);
      col+=vec3(1.)*smoothstep(.92,1.,sh)*.25;
    }
  }
  float core=smoothstep(.14,.1,l);
  vec3 cc=vec3(.95,.7,.15)*(.6+.4*sin(a*12.+l*60.));
  col=mix(col,cc,core);
  gl_FragColor=vec4(col,1.);
}
