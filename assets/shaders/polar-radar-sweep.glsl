// mode: geek300
// family: polar
// title: radar scope sweep with rings, coastlines and blips
// author: synthkd (original)
#version 300 es
precision highp float;
uniform vec2 r;
uniform float t;
out vec4 o;
float hh(vec2 c){return fract(sin(dot(c,vec2(17.13,93.71)))*24634.634);}
void main(){
  vec2 p=(gl_FragCoord.xy*2.-r)/r.y*1.08;
  float l=length(p),a=atan(p.y,p.x);
  float sw=mod(t*1.7,6.28318);
  float lag=mod(sw-a,6.28318);
  float trail=exp(-lag*1.3);
  float land=sin(p.x*5.+sin(p.y*4.+1.3)*1.5)+sin(p.y*6.3-p.x*2.)*.7+sin(length(p-vec2(.4,-.3))*9.)*.5;
  float coast=smoothstep(.12,.0,abs(land-.4));
  float fill=step(.4,land);
  float rings=smoothstep(.015,.0,abs(fract(l*4.)-.5)-.47);
  float spokes=smoothstep(.012,.0,abs(fract(a/6.28318*12.+.5)-.5)*l*.52);
  vec2 cell=floor(vec2(a*2.5,l*7.));
  float bh=hh(cell+floor(t*.2));
  vec2 cc=(vec2(cell.x+.5,cell.y+.5));
  vec2 bp=cc.y/7.*vec2(cos(cc.x/2.5),sin(cc.x/2.5));
  float blip=step(.8,bh)*smoothstep(.05,.0,length(p-bp));
  float hue=fract(.33+.3*sin(t*.21));
  vec3 tint=.5+.5*cos(6.2832*(hue+vec3(0.,.33,.67)));
  tint=normalize(tint+.05)*1.2;
  float v=.07+fill*.13+coast*.35*(.4+trail)+rings*.35+spokes*.2+trail*.55+blip*(.3+trail*2.);
  vec3 col=tint*v+vec3(1.)*pow(trail,12.)*.4;
  col*=smoothstep(1.05,1.,l);
  col+=vec3(.12,.1,.08)*smoothstep(1.,1.06,l)*(.5+.5*sin(a*40.));
  o=vec4(col,1.);
}
