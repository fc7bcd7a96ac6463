// mode: geeker300
// family: moire
// title: cmy halftone dot screens at rosette angles over a soft image
// author: synthkd (original)
float scr(vec2 p,float a,float k,float v){
 vec2 q=mat2(cos(a),-sin(a),sin(a),cos(a))*p*k;
 vec2 g=fract(q)-.5;
 return smoothstep(.04,-.04,length(g)-.62*sqrt(clamp(v,0.,1.)));
}
void main(){
 vec2 p=(gl_FragCoord.xy*2.-r)/r.y;
 vec3 img=.5+.45*vec3(sin(p.x*2.1+t*.5+sin(p.y*3.)),sin(p.y*2.7-t*.4+sin(p.x*2.)),sin(length(p)*3.5-t*.6));
 float k=18.+6.*sin(t*.13);
 float dr=.02*sin(t*.3);
 float C=scr(p,.2618+dr,k,img.x);
 float M=scr(p,1.309-dr,k*1.03,img.y);
 float Y=scr(p,0.+dr*2.,k*.97,img.z);
 vec3 c=vec3(1.);
 c*=1.-C*vec3(1.,.1,0.);
 c*=1.-M*vec3(.05,.9,.1);
 c*=1.-Y*vec3(0.,.1,.9);
 o=vec4(c,1.);
}
