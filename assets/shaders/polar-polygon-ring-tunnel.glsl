// mode: classic300
// family: polar
// title: neon polygonal ring tunnel with twisting walls
// author: synthkd (original)
#version 300 es
precision highp float;
uniform vec2 resolution;
uniform float time;
out vec4 outColor;
void main(){
  vec2 p=(gl_FragCoord.xy*2.-resolution)/resolution.y;
  p+=.2*vec2(sin(time*.6),cos(time*.45));
  float a=atan(p.y,p.x);
  float N=5.+mod(floor(time*.3),3.);
  float seg=6.28318/N;
  float z0=.45/(length(p)+1e-3);
  float tw=a+z0*.35*sin(time*.4);
  float d=length(p)*cos(mod(tw,seg)-seg*.5)/cos(seg*.5);
  float z=.45/(d+1e-3)+time*2.;
  float ring=fract(z);
  float glow=smoothstep(.12,.0,abs(ring-.5)-.3);
  float lines=smoothstep(.08,.0,abs(fract(tw/seg)-.5)*2.-.9);
  vec3 hue=.5+.5*cos(6.2832*(floor(z)*.13+time*.05+vec3(0.,.33,.67)));
  vec3 col=hue*(.25+.75*glow)+vec3(.9,.95,1.)*lines*.35;
  col*=.4+.6*sin(tw*N*2.+z*3.)*.5+.3;
  col*=smoothstep(.0,.5,d);
  col+=hue.zxy*.5*exp(-d*9.);
  outColor=vec4(col,1.);
}
