// mode: geekest300
// family: tiling
// title: quadtree quilt of random motifs at several scales
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*(1.3+.3*sin(t*.2))+vec2(t*.12,-t*.05);
float sz=1.;vec2 cell=floor(p);
for(int i=0;i<3;i++){
 if(fsnoise(cell+sz*11.3)<.45)break;
 sz*=.5;cell=floor(p/sz);
}
vec2 g=(p/sz-cell)-.5;
float h=fsnoise(cell*1.7+sz*3.1+5.);
float kind=floor(fract(h*13.)*5.);
float d;
if(kind<1.)d=length(g)-.3-.08*sin(t*2.+h*6.);
else if(kind<2.){vec2 q=g*sign(h-.5+1e-3)*vec2(1.,1.);q.x*=h>.5?1.:-1.;q-=sign(q.x+q.y+1e-4)*.5;d=abs(length(q)-.5)-.12;}
else if(kind<3.)d=abs(fract((g.x+g.y)*3.+t*.5)-.5)-.2;
else if(kind<4.)d=min(abs(g.x),abs(g.y))-.1;
else{vec2 q=abs(g*rotate2D(t+h*6.));d=max(q.x,q.y)-.25;}
vec3 A=hsv(fract(h*.5+t*.04),.7,.95),B=hsv(fract(h*.5+t*.04+.5+.1*kind),.5,.35);
vec3 c=mix(B,A,smoothstep(.02,-.02,d*sz*2.-.0));
c*=.8+.2*smoothstep(.5,.44,max(abs(g.x),abs(g.y)));
c=mix(c,vec3(.95),smoothstep(.49,.5,max(abs(g.x),abs(g.y)))*.7);
o=vec4(c,1.);
