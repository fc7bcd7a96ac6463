// mode: geekest300
// family: flow
// title: line-integral streaks of noise along a swirling field
// author: synthkd (original)
vec2 p0=FC.xy/r.y*2.;
float acc=0.,wsum=0.;
for(int k=0;k<2;k++){
  vec2 q=p0;
  float dirs=k==0?1.:-1.;
  for(int i=0;i<10;i++){
    float a=1.7*sin(q.x*1.9+t*.3)+1.7*cos(q.y*1.6-t*.23)+sin((q.x-q.y)*3.1+t*.5);
    q+=dirs*vec2(cos(a),sin(a))*.021;
    float w=1.-float(i)/10.;
    acc+=fsnoise(floor(q*40.)+1.)*w;
    wsum+=w;
  }
}
acc/=wsum;
float a0=1.7*sin(p0.x*1.9+t*.3)+1.7*cos(p0.y*1.6-t*.23)+sin((p0.x-p0.y)*3.1+t*.5);
vec3 tint=hsv(a0*.08+t*.05,.7,1.);
float k=smoothstep(.3,.7,acc);
vec3 c=mix(tint*.15,tint,k)+.15*k*k;
o=vec4(c,1);
