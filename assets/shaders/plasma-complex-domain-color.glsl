// mode: geeker300
// family: plasma
// title: domain colouring of a rational complex function
// author: synthkd (original)
vec2 cm(vec2 a,vec2 b){return vec2(a.x*b.x-a.y*b.y,a.x*b.y+a.y*b.x);}
vec2 cd(vec2 a,vec2 b){return vec2(a.x*b.x+a.y*b.y,a.y*b.x-a.x*b.y)/max(dot(b,b),1e-8);}
vec3 hue(float h){return clamp(abs(mod(h*6.+vec3(0.,4.,2.),6.)-3.)-1.,0.,1.);}
void main(){
  vec2 z=(gl_FragCoord.xy*2.-r)/r.y*1.6;
  vec2 a=vec2(cos(t*.4),sin(t*.3))*.9,b=vec2(-.6,.5*sin(t*.5)),c=vec2(.5*cos(t*.23),-.7),d=vec2(sin(t*.37)*.8,.6);
  vec2 w=cd(cm(cm(z-a,z-b),z-b),cm(z-c,z-d));
  float mag=length(w)+1e-6;
  float ang=atan(w.y,w.x)/6.28318;
  float lm=log(mag)/log(2.);
  vec3 col=hue(fract(ang+t*.03));
  col*=.55+.45*fract(lm);
  float grid=smoothstep(.06,.0,abs(fract(ang*12.)-.5)-.44);
  col=mix(col,vec3(1.),grid*.3);
  o=vec4(col,1.);
}
