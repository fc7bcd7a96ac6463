// mode: geeker300
// family: polar
// title: moire of two opposing Archimedean spirals
// author: synthkd (original)
vec3 pal(float x){return .5+.5*cos(6.2832*(x+vec3(.0,.3,.62)));}
float spiral(vec2 p,float k,float arms,float sp){
  float a=atan(p.y,p.x);
  return sin(length(p)*k-a*arms-sp);
}
void main(){
  vec2 p=(gl_FragCoord.xy*2.-r)/r.y;
  vec2 c1=vec2(.35*sin(t*.4),.2*cos(t*.3));
  vec2 c2=-c1+vec2(.1,-.15);
  float s1=spiral(p-c1,18.,3.,t*2.);
  float s2=spiral(p-c2,18.,-3.,-t*1.7);
  float m=s1*s2;
  float b=smoothstep(-.2,.2,s1)+smoothstep(-.2,.2,s2);
  vec3 col=pal(m*.25+b*.2+t*.05+length(p)*.2);
  col*=.55+.45*smoothstep(-.6,.6,m);
  o=vec4(col,1.);
}
