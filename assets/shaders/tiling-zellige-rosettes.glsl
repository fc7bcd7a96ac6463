// mode: classic
// family: tiling
// title: twelve-fold rosettes on a hexagonal lattice, zellige style
// author: synthkd (original)
precision highp float;
uniform vec2 resolution;
uniform vec2 mouse;
uniform float time;
uniform sampler2D backbuffer;
vec3 pal(float x){return .5+.45*cos(6.2831*(x+vec3(.6,.4,.2)));}
float hsh(vec2 q){return fract(sin(dot(q,vec2(269.5,183.3)))*43758.5453);}
void main(){
 vec2 p=(gl_FragCoord.xy*2.-resolution)/resolution.y;
 float ca=cos(time*.03),sa=sin(time*.03);
 p=mat2(ca,-sa,sa,ca)*p*(1.7+.4*sin(time*.13))+vec2(time*.1,0.);
 vec2 s=vec2(1.,1.7320508);
 vec2 a=mod(p,s)-s*.5,c2=mod(p-s*.5,s)-s*.5;
 vec2 g=dot(a,a)<dot(c2,c2)?a:c2;
 vec2 id=floor((p-g)*2.+.5);
 float rr=length(g);
 float an=atan(g.y,g.x);
 float sec=.5235988;
 float fa=mod(an,sec)-sec*.5;
 vec2 q=rr*vec2(cos(fa),sin(fa));
 q.y=abs(q.y);
 float R=.36+.03*sin(time*.5);
 float phi=.45+.12*sin(time*.21);
 vec2 n1=vec2(cos(phi),sin(phi));
 float l1=dot(q,n1)-R*cos(phi-.2618);
 vec2 n2=vec2(cos(phi*.35),-sin(phi*.35));
 float l2=dot(q,n2)-R*.62;
 float d=min(abs(l1),abs(l2));
 float hx=max(abs(g.x),abs(g.x)*.5+abs(g.y)*.8660254);
 d=min(d,abs(hx-.5));
 float reg=step(0.,l1)+2.*step(0.,l2);
 float h=hsh(id);
 vec3 c=pal(reg*.21+h*.15+time*.04);
 c*=.7+.3*step(.5,fract(reg*.37+h));
 c=mix(c,pal(.5+time*.04)*.6,step(hx,.1+.02*sin(time)));
 c*=.85+.15*cos(rr*50.);
 c=mix(c,vec3(.97,.95,.88),smoothstep(.03,.018,d));
 c=mix(c,vec3(.1,.06,.05),smoothstep(.012,.0,d)*.6);
 gl_FragColor=vec4(c,1.);
}
