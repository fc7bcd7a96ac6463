// mode: geek300
// family: kaleido
// title: ring of mirror circles, repeated circle inversions coloured by depth
// author: synthkd (original)
#version 300 es
precision highp float;
uniform vec2 r;
uniform float t;
out vec4 o;
void main(){
  vec2 p=(gl_FragCoord.xy*2.-r)/r.y*1.15;
  float N=5.+floor(mod(t*.4,3.));
  float ang=3.14159/N;
  float R=1./cos(ang);
  float cr=tan(ang)*(.98+.02*sin(t));
  float a0=t*.1;
  float depth=0.,last=-1.;
  for(int i=0;i<40;i++){
    bool hit=false;
    for(int j=0;j<8;j++){
      if(float(j)>=N)break;
      float aj=a0+float(j)*2.*ang;
      vec2 c=R*vec2(cos(aj),sin(aj));
      vec2 d=p-c;
      float d2=dot(d,d);
      if(d2<cr*cr&&float(j)!=last){p=c+d*cr*cr/max(d2,1e-8);depth+=1.;last=float(j);hit=true;break;}
    }
    if(!hit)break;
  }
  float l=length(p);
  vec3 col=.5+.5*cos(6.2831*(depth*.15+vec3(0.,.33,.67))+t*.3);
  col*=.55+.45*cos(l*14.-t*2.);
  col=mix(col,vec3(1.),smoothstep(.03,0.,abs(l-.5-.1*sin(t*.6)))*.5);
  col*=.6+.4*smoothstep(1.4,.9,length(gl_FragCoord.xy*2.-r)/r.y*1.15)+.0;
  o=vec4(col,1.);
}
