// mode: geekest300
// family: warp
// title: checker pattern advected through an iterated noise flow
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*1.2;
vec2 q=p;
float ang=0.;
for(int i=0;i<5;i++){
  float fi=float(i);
  float a=snoise3D(vec3(q*1.1,t*.1+fi*.03))*PI*1.3+t*.2;
  q+=vec2(cos(a),sin(a))*.18;
  ang+=a;
}
vec2 g=q*2.5;
float chk=mod(floor(g.x)+floor(g.y),2.);
vec2 e=abs(fract(g)-.5);
float edge=smoothstep(.5,.42,max(e.x,e.y));
float hue=fract(ang*.03+t*.05);
vec3 c=mix(hsv(hue,.8,.95),hsv(fract(hue+.5),.7,.35),chk);
c*=.55+.45*edge;
c+=hsv(fract(hue+.25),.6,.4)*smoothstep(.1,0.,abs(length(q-p)-.5));
o=vec4(c,1.);
