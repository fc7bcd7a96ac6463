// mode: geek-mrt
// family: moire
// title: thin-film newton rings with swirling soap-film colours
// author: synthkd (original)
#version 300 es
precision highp float;
uniform vec2 r;
uniform float t;
layout(location = 0) out vec4 o0;
layout(location = 1) out vec4 o1;
void main(){
 vec2 p=(gl_FragCoord.xy*2.-r)/r.y;
 vec2 c=vec2(.2*sin(t*.3),.15*cos(t*.2));
 vec2 d=p-c;
 float sw=sin(d.x*3.+sin(d.y*4.+t*.5)*1.2+t*.3)*.5+sin(d.y*5.-t*.4+d.x*2.)*.3;
 float th=dot(d,d)*(.35+.1*sin(t*.17))+.06*sw+.05;
 vec3 lam=vec3(.65,.53,.45);
 vec3 ph=6.2831*2.*1.33*th*4./lam;
 vec3 col=.5+.5*cos(ph);
 col=col*col*(3.-2.*col);
 col=mix(col,vec3(dot(col,vec3(.333))),smoothstep(1.2,2.,th)*.6);
 col*=.85+.15*cos(t*.2+vec3(0.,1.,2.));
 o0=vec4(col,1.);
 o1=vec4(th,sw,0.,1.);
}
