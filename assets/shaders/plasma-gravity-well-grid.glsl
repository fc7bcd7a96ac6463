// mode: geekest
// family: plasma
// title: graph-paper grid bent by moving gravity wells
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
vec2 disp=vec2(0);
float pot=0.;
for(int i=0;i<4;i++){
  float fi=float(i);
  vec2 c=vec2(sin(t*(.25+fi*.08)+fi*1.7)*.7,cos(t*(.2+fi*.07)+fi*2.9)*.6);
  vec2 d=p-c;
  float m=.05+.03*fi;
  float k=dot(d,d)+.03;
  disp-=d*m/k;
  pot+=m/sqrt(k);
}
vec2 g=(p+disp)*6.;
vec2 f=abs(fract(g)-.5);
float ln=smoothstep(.08,.0,.5-max(f.x,f.y));
float ln2=smoothstep(.05,.0,.5-max(abs(fract(g.x*.25)-.5),abs(fract(g.y*.25)-.5)));
vec3 col=hsv(.75-pot*.35+t*.03,.8,.2+.35*min(pot,1.5));
col=mix(col,hsv(.45+pot*.2+t*.03,.5,1.),max(ln*.75,ln2));
gl_FragColor=vec4(col,1);
