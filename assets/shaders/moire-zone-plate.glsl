// mode: classic
// family: moire
// title: two offset fresnel zone plates with chromatic aliasing
// author: synthkd (original)
precision highp float;
uniform vec2 resolution;
uniform vec2 mouse;
uniform float time;
uniform sampler2D backbuffer;
void main(){
 vec2 p=(gl_FragCoord.xy*2.-resolution)/resolution.y;
 vec2 c1=vec2(.35*sin(time*.3),.25*cos(time*.41));
 vec2 c2=-c1.yx*1.3;
 float r1=dot(p-c1,p-c1),r2=dot(p-c2,p-c2);
 float k=40.+25.*sin(time*.15);
 vec3 z1=.5+.5*cos(r1*k*vec3(1.,1.08,1.16));
 vec3 z2=.5+.5*cos(r2*k*vec3(1.16,1.,.92)+time);
 float v=z1.x*z2.x;
 vec3 c=.5+.5*cos(6.2831*(vec3(0.,.33,.67)+(z1.y+z2.z)*.35+time*.05));
 c*=.25+.9*(z1*z2);
 gl_FragColor=vec4(c,1.);
}
