// mode: geek300
// family: moire
// title: two twisted checker screens xor-ed into a superlattice
// author: synthkd (original)
#version 300 es
precision highp float;
uniform vec2 r;
uniform float t;
out vec4 o;
void main(){
 vec2 p=(gl_FragCoord.xy*2.-r)/r.y;
 float k=9.+3.*sin(t*.1);
 float th=.07+.05*sin(t*.29);
 float a0=t*.03;
 mat2 R1=mat2(cos(a0),-sin(a0),sin(a0),cos(a0));
 mat2 R2=mat2(cos(th),-sin(th),sin(th),cos(th));
 vec2 q=R1*p*k*3.14159;
 vec2 q2=R2*q*(1.+.02*sin(t*.5))+t*.3;
 float A=cos(q.x)*cos(q.y),B=cos(q2.x)*cos(q2.y);
 float x=abs(step(0.,A)-step(0.,B));
 vec3 warm=.55+.45*cos(6.2831*(vec3(0.,.33,.67)+t*.04+p.x*.15));
 vec3 cool=.5+.5*cos(6.2831*(vec3(.45,.78,.12)+t*.04-p.y*.15));
 vec3 c=mix(cool*.35,warm,x);
 c*=.75+.25*abs(A*B);
 c+=.12*smoothstep(.9,1.,abs(B))*cool;
 o=vec4(c,1.);
}
