// mode: classic300
// family: tiling
// title: octagon and square tiling with interlaced eight-point stars
// author: synthkd (original)
#version 300 es
precision highp float;
uniform vec2 resolution;
uniform float time;
out vec4 outColor;
vec3 pal(float x){return .5+.5*cos(6.2831*(x+vec3(.0,.1,.2)));}
void main(){
 vec2 p=(gl_FragCoord.xy*2.-resolution)/resolution.y;
 float a=time*.05;
 p=mat2(cos(a),-sin(a),sin(a),cos(a))*p*(2.+.6*sin(time*.19))+vec2(time*.15,0.);
 vec2 id=floor(p),g=fract(p)-.5;
 vec2 q=abs(g);
 float sq=max(q.x,q.y);
 float dm=(q.x+q.y)*.70710678;
 float oct=max(sq,dm);
 float R=.3+.05*sin(time*.6);
 float star=min(sq,dm);
 float l1=abs(sq-R),l2=abs(dm-R);
 float lines=min(l1,l2);
 float ins=step(star,R);
 float core=step(max(sq,dm),R);
 float cs=step(.5,oct);
 float k=mod(id.x+id.y,2.);
 vec3 c=pal(.1+k*.15+time*.03)*.35;
 c=mix(c,pal(.45+time*.03)*.8,ins);
 c=mix(c,pal(.75+k*.1+time*.03+oct)*.95,core);
 c=mix(c,pal(.6+time*.05)*.9*(.6+.4*cos(oct*60.)),cs);
 float ring=abs(oct-.45);
 c*=.75+.25*smoothstep(.0,.05,ring);
 float lw=.025;
 float over=l1<l2?step(.5,fract(atan(g.y,g.x)*1.273+.25)):1.-step(.5,fract(atan(g.y,g.x)*1.273+.25));
 c=mix(c,vec3(.1,.07,.05),smoothstep(lw+.02,lw,lines));
 c=mix(c,vec3(.98,.9,.7)*(.8+.2*over),smoothstep(lw,lw-.015,lines));
 c=mix(c,vec3(.15,.1,.1),smoothstep(.015,.0,abs(oct-.5)));
 outColor=vec4(c,1.);
}
