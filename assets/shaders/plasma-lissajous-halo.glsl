// mode: geekest300
// family: plasma
// title: neon lissajous figure with distance-field halo rings
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*1.1;
float A=3.+mod(floor(t*.35),3.),B=A+1.+mod(floor(t*.2),2.);
float st=PI2/72.,ph=t*.5;
vec2 zx=vec2(cos(ph),sin(ph)),zy=vec2(1.,0.);
vec2 rx=vec2(cos(A*st),sin(A*st)),ry=vec2(cos(B*st),sin(B*st));
vec2 prev=vec2(zx.y,zy.y)*.82;
float best=1e3,bs=0.;
for(int i=1;i<=72;i++){
  zx=vec2(zx.x*rx.x-zx.y*rx.y,zx.x*rx.y+zx.y*rx.x);
  zy=vec2(zy.x*ry.x-zy.y*ry.y,zy.x*ry.y+zy.y*ry.x);
  vec2 cur=vec2(zx.y,zy.y)*.82;
  vec2 pa=p-prev,ba=cur-prev;
  vec2 v=pa-ba*clamp(dot(pa,ba)/max(dot(ba,ba),1e-8),0.,1.);
  float d=dot(v,v);
  bs=mix(bs,float(i)/72.,step(d,best));
  best=min(best,d);
  prev=cur;
}
best=sqrt(best);
vec3 lc=hsv(bs*2.+t*.07,.8,1.);
vec3 col=hsv(.62+t*.03+best*.8,.7,.12+.1*smoothstep(.4,.6,fract(best*14.-t*1.5)));
col+=lc*(.01/(best+.012));
col=mix(col,vec3(1.),smoothstep(.008,.0,best)*.6);
col=col/(1.+col*.3);
o=vec4(col,1);
