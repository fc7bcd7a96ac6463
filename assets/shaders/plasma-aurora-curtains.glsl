// mode: classic
// family: plasma
// title: aurora curtains over a starry sky and hills
// author: synthkd (original)
precision highp float;
uniform vec2 resolution;
uniform vec2 mouse;
uniform float time;
uniform sampler2D backbuffer;
float h1(vec2 c){return fract(sin(dot(c,vec2(27.17,71.41)))*9173.123);}
void main(){
  vec2 u=gl_FragCoord.xy/resolution;
  vec2 p=u*2.-1.;
  vec3 col=mix(vec3(.02,.05,.15),vec3(.08,.02,.2),u.y);
  col+=vec3(.9)*step(.985,h1(floor(gl_FragCoord.xy*64./resolution)))*u.y;
  for(int i=0;i<4;i++){
    float fi=float(i);
    float base=-.4+fi*.17+.1*sin(p.x*(1.5+fi*.4)+time*(.3+fi*.1)+fi);
    float wave=base+.08*sin(p.x*5.+time*.7+fi*2.)+.03*sin(p.x*13.-time);
    float dy=p.y-wave;
    float curtain=exp(-max(dy,0.)*(2.2-fi*.3))*smoothstep(-.03,.02,dy);
    float rays=.55+.45*sin(p.x*40.+sin(p.x*7.+time)*3.+fi*5.);
    vec3 c=.5+.5*cos(6.2832*(fi*.12+dy*.6+time*.03+vec3(.35,.05,.65)));
    col+=c*curtain*rays*.6;
  }
  float hill=-.72+.12*sin(p.x*3.1+1.)+.07*sin(p.x*7.3);
  col=mix(col,vec3(.02,.04,.05)+.05*col,smoothstep(.01,-.01,p.y-hill));
  gl_FragColor=vec4(col,1.);
}
