// mode: shadertoy
// family: plasma
// title: jittering electric arcs between drifting nodes
// author: synthkd (original)
float h11(float x){return fract(sin(x*91.345)*47453.21);}
float vn(float x){float i=floor(x),f=fract(x);f=f*f*(3.-2.*f);return mix(h11(i),h11(i+1.),f)*2.-1.;}
float arc(vec2 p,vec2 a,vec2 b,float seed,float T){
  vec2 ab=b-a;float L=length(ab);
  vec2 dir=ab/max(L,1e-4),nr=vec2(-dir.y,dir.x);
  vec2 pa=p-a;
  float s=clamp(dot(pa,dir)/max(L,1e-4),0.,1.);
  float env=sin(s*3.14159);
  float off=(vn(s*8.+seed+T*9.)*.6+vn(s*21.-T*13.+seed)*.3+vn(s*47.+T*17.)*.1)*env*.25*L;
  vec2 q=a+dir*s*L+nr*off;
  return length(p-q);
}
void mainImage(out vec4 fragColor,in vec2 fragCoord){
  vec2 p=(fragCoord*2.-iResolution.xy)/iResolution.y;
  float T=iTime;
  vec3 col=(.09+.07*(sin(p.x*4.+T)+sin(p.y*5.-T*.7)+2.))*(.5+.5*cos(6.2832*(T*.03+p.y*.2+vec3(.6,.8,.0))));
  vec2 n0=vec2(sin(T*.3),cos(T*.4))*.7,n1=vec2(cos(T*.23+2.),sin(T*.31+1.))*.8,n2=vec2(sin(T*.19+4.),cos(T*.27+3.))*.75;
  vec3 ca=.5+.5*cos(6.2832*(T*.05+vec3(.0,.33,.67)));
  vec3 cb=.5+.5*cos(6.2832*(T*.05+vec3(.5,.83,.17)));
  float d0=arc(p,n0,n1,1.3,T),d1=arc(p,n1,n2,7.1,T),d2=arc(p,n2,n0,3.7,T);
  col+=ca*(.016/(d0+.018))+smoothstep(.012,.0,d0)*.6;
  col+=cb*(.016/(d1+.018))+smoothstep(.012,.0,d1)*.6;
  col+=ca.zxy*(.016/(d2+.018))+smoothstep(.012,.0,d2)*.6;
  for(int i=0;i<3;i++){vec2 nn=i==0?n0:i==1?n1:n2;col+=ca*.03/(length(p-nn)+.03);}
  fragColor=vec4(col/(1.+col*.25),1.);
}
