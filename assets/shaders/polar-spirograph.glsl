// mode: classic
// family: polar
// title: spirograph hypotrochoid ribbon on a polar gradient
// author: synthkd (original)
precision highp float;
uniform vec2 resolution;
uniform vec2 mouse;
uniform float time;
uniform sampler2D backbuffer;
float segd(vec2 p,vec2 a,vec2 b){
  vec2 pa=p-a,ba=b-a;
  float h=clamp(dot(pa,ba)/max(dot(ba,ba),1e-8),0.,1.);
  vec2 v=pa-ba*h;
  return dot(v,v);
}
vec2 cmul(vec2 a,vec2 b){return vec2(a.x*b.x-a.y*b.y,a.x*b.y+a.y*b.x);}
void main(){
  vec2 p=(gl_FragCoord.xy*2.-resolution)/resolution.y*1.05;
  float l=length(p),a=atan(p.y,p.x);
  vec3 col=.3+.22*cos(6.2832*(l*.6-time*.05+vec3(.5,.6,.8)));
  col*=.8+.2*smoothstep(.02,.0,abs(fract(l*5.)-.5)-.46)+.1*sin(a*12.+time);
  float kind=mod(floor(time*.3),3.);
  float q=kind==0.?.375:kind==1.?.4:.3;
  float turns=kind==0.?3.:kind==1.?2.:3.;
  float dd=.3+.22*sin(time*.5);
  float R=1.,k=(R-q)/q;
  float st=6.28318*turns/80.;
  vec2 r1=vec2(cos(st),sin(st)),r2=vec2(cos(k*st),-sin(k*st));
  vec2 z1=vec2(R-q,0.),z2=vec2(dd,0.);
  vec2 prev=(z1+z2)*.72;
  float best=1e3,bs=0.;
  for(int i=1;i<=80;i++){
    z1=cmul(z1,r1);z2=cmul(z2,r2);
    vec2 cur=(z1+z2)*.72;
    float ds=segd(p,prev,cur);
    float w=step(ds,best);
    best=min(best,ds);bs=mix(bs,float(i)/80.,w);
    prev=cur;
  }
  best=sqrt(best);
  vec3 rc=.5+.5*cos(6.2832*(bs*turns+time*.1+vec3(0.,.33,.67)));
  col+=rc*.3*exp(-best*18.);
  col=mix(col,rc,smoothstep(.03,.012,best));
  gl_FragColor=vec4(col,1.);
}
