// mode: classic300
// family: moire
// title: counter-wound logarithmic spiral gratings interfering
// author: synthkd (original)
#version 300 es
precision highp float;
uniform vec2 resolution;
uniform float time;
out vec4 fragOut;
void main(){
 vec2 p=(gl_FragCoord.xy*2.-resolution)/resolution.y;
 vec2 c=vec2(.15*sin(time*.23),.1*cos(time*.31));
 vec2 d=p-c;
 float rr=max(length(d),1e-3);
 float a=atan(d.y,d.x);
 float lr=log(rr);
 float n1=12.,n2=13.+floor(mod(time*.5,3.));
 float s1=sin(a*n1+lr*25.-time*1.5);
 float s2=sin(a*n2-lr*27.+time);
 float s3=sin(a*5.+lr*8.+time*.3);
 float v=.5+.5*s1*s2;
 vec3 col=.5+.5*cos(6.2831*(vec3(.95,.6,.25)*(lr*.3+time*.03)+vec3(.1,.25,.55)+v*.3));
 col*=.35+.75*v;
 col=mix(col,col.gbr,smoothstep(.3,1.,s3)*.5);
 col*=smoothstep(.0,.15,rr)*.8+.2;
 fragOut=vec4(col,1.);
}
