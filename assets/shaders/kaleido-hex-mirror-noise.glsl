// mode: geekest300
// family: kaleido
// title: six-fold mirror kaleidoscope over layered simplex noise
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
float l=length(p),a=atan(p.y,p.x)+t*.1,w=PI/6.;
a=abs(mod(a,2.*w)-w);
vec2 q=l*vec2(cos(a),sin(a))*2.2;
float n=0.,amp=.5;
vec3 s=vec3(q,t*.25);
for(int i=0;i<4;i++){n+=amp*snoise3D(s);s=s*2.03+vec3(1.7,-.6,.3);amp*=.5;}
float v=.5+.5*n;
vec3 col=hsv(.6*v+l*.3+t*.05,.7,.2+.8*smoothstep(.25,.75,v));
col+=vec3(1.,.8,.5)*smoothstep(.03,0.,abs(fract(v*5.)-.5)-.2)*.25;
o=vec4(col,1.);
