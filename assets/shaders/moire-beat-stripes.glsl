// mode: geek
// family: moire
// title: beating stripe gratings of near-equal frequency per colour channel
// author: synthkd (original)
precision highp float;
uniform vec2 r;
uniform vec2 m;
uniform float t;
uniform float f;
uniform sampler2D b;
void main(){
 vec2 p=(gl_FragCoord.xy*2.-r)/r.y;
 float w=.15*sin(p.y*2.+t*.3);
 float x=p.x+w;
 float k=30.+6.*sin(t*.13);
 vec3 dk=vec3(1.2,2.1,3.3)*(1.+.5*sin(t*.21));
 vec3 s1=sin(x*k+vec3(0.,.5,1.)+t);
 vec3 s2=sin(x*(k+dk)-t*.7);
 vec3 s3=sin(p.y*(k*.5+dk*.5)+t*.4);
 vec3 c=.5+.25*(s1+s2)*(.7+.3*s3);
 c=clamp(c,0.,1.);
 c=c*c*(3.-2.*c);
 vec3 tint=.6+.4*cos(t*.2+vec3(0.,2.1,4.2)+p.y*1.5);
 c=c*tint+.15*(1.-c)*tint.brg;
 gl_FragColor=vec4(c+.05,1.);
}
