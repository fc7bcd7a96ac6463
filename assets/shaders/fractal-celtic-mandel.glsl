// mode: geek
// family: fractal
// title: Celtic Mandelbrot variant with banded smooth colouring
// author: synthkd (original)
precision highp float;
uniform vec2 r;
uniform vec2 m;
uniform float t;
uniform float f;
uniform sampler2D b;
void main(){
  vec2 p=(gl_FragCoord.xy*2.-r)/r.y;
  vec2 c=vec2(-.6+.45*cos(t*.23),.35*sin(t*.29))+p*(.55+.35*sin(t*.41));
  vec2 z=c;float n=0.;
  for(int i=0;i<90;i++){
    z=vec2(abs(z.x*z.x-z.y*z.y),2.*z.x*z.y)+c;
    if(dot(z,z)>256.)break;
    n+=1.;
  }
  float s=n+1.-log2(log2(max(dot(z,z),2.))*.5);
  float w=s*.12+t*.15;
  vec3 col=vec3(.5+.5*sin(w),.5+.5*sin(w*1.3+1.7),.5+.5*sin(w*.7+3.1));
  col=mix(col,col.gbr,.5+.5*sin(s*.9));
  if(n>89.)col=vec3(.9,.8,.6)*(.25+.2*sin(z.x*12.)*sin(z.y*12.));
  gl_FragColor=vec4(col,1.);
}
