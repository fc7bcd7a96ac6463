// mode: geekest300
// family: tiling
// title: herringbone parquet of grained wooden planks
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
p=p*rotate2D(.785398+.3*sin(t*.1))*(4.+1.5*sin(t*.17))+vec2(t*.3,t*.1);
vec2 c=floor(p),O=vec2(0.),rl=vec2(0.);
float vert=0.;
for(int i=0;i<4;i++){
  vec2 q=i==0?vec2(0.):i==1?vec2(1.,0.):i==2?vec2(0.,1.):vec2(0.,2.);
  vec2 oo=c-q;
  if(mod(oo.x+oo.y,2.)==0.&&mod(oo.x-oo.y,4.)==0.){O=oo;rl=q;vert=i>1?1.:0.;}
}
vec2 l=p-O;
if(vert>.5)l=vec2(l.y-1.,l.x);
vec2 e=min(l,vec2(2.,1.)-l);
float edge=min(e.x,e.y);
float h=fsnoise(O+vert*31.);
float grain=snoise2D(vec2(l.x*1.5,l.y*14.)+h*50.)*.5+.5*sin(l.y*40.+snoise2D(l*3.+h*9.)*4.);
vec3 wood=hsv(fract(.06+h*.05+.08*sin(t*.3+h*6.)),.55+.25*h,.45+.3*h);
vec3 col=wood*(.8+.25*grain);
col*=smoothstep(.0,.06,edge)*.8+.2;
col*=.85+.3*smoothstep(.5,1.,sin(dot(p,vec2(.3,.2))+t));
o=vec4(col,1.);
