// mode: geek300
// family: tiling
// title: quilt blocks of banded chevron zigzags in alternating directions
// author: synthkd (original)
#version 300 es
precision highp float;
uniform vec2 r;
uniform float t;
out vec4 o;
float hs(float x){return fract(sin(x*91.7)*4375.85);}
void main(){
 vec2 p=(gl_FragCoord.xy*2.-r)/r.y*(1.2+.3*sin(t*.21))+vec2(t*.07,0.);
 vec2 bid=floor(p),bp=fract(p);
 float fl=mod(bid.x+bid.y,2.);
 if(fl>.5)bp=bp.yx;
 float k=3.+mod(bid.x*3.+bid.y,3.);
 float zz=abs(fract(bp.x*k)-.5)*(.6+.3*sin(t*.4+bid.x));
 float y=bp.y*5.+zz*2.-t*.6*(fl*2.-1.);
 float band=floor(y);
 float hb=hs(band+bid.x*13.+bid.y*7.);
 vec3 c=.55+.45*cos(6.2831*(hb*.6+vec3(0.,.3,.6)+t*.05+fl*.15));
 float fy=fract(y);
 c*=.7+.3*smoothstep(.0,.15,fy)*smoothstep(1.,.85,fy);
 c*=.9+.1*sin(gl_FragCoord.x*2.1+gl_FragCoord.y*1.3);
 vec2 e=min(bp,1.-bp);
 c=mix(vec3(.95,.92,.85),c,smoothstep(.0,.03,min(e.x,e.y)));
 o=vec4(c,1.);
}
