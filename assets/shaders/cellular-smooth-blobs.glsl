// mode: geekest300
// family: cellular
// title: soft blended voronoi of orbiting coloured seeds
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*2.2;
vec2 g=floor(p),fr=fract(p);
vec3 acc=vec3(0.);
float wsum=0.,dmin=9.;
for(int j=-1;j<=1;j++)for(int i=-1;i<=1;i++){
  vec2 c=vec2(float(i),float(j));
  float h1=fsnoise(g+c),h2=fsnoise(g+c+vec2(3.3,8.1));
  vec2 sd=.5+.38*vec2(cos(t*(.5+h1)+h2*PI2),sin(t*(.7+h2)+h1*PI2));
  float d=length(c+sd-fr);
  float wt=exp(-9.*d);
  acc+=wt*hsv(fract(h1+t*.03),.8,1.);
  wsum+=wt;
  dmin=min(dmin,d);
}
vec3 c=acc/max(wsum,1e-6);
c*=1.-.5*dmin;
c+=vec3(1.)*smoothstep(.09,.03,dmin);
c*=.8+.2*sin(dmin*30.-t*4.);
o=vec4(c,1.);
