// mode: geekest
// family: kaleido
// title: nested star outlines from a polar mirror fold with changing point count
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*rotate2D(t*.15);
float N=5.+floor(mod(t*.7,4.)),w=PI/N;
float l=length(p),a=abs(mod(atan(p.y,p.x),2.*w)-w);
vec2 q=l*vec2(cos(a),sin(a));
vec2 e=vec2(cos(w*.45),sin(w*.45));
float d=dot(q,vec2(e.y,e.x))*1.3+q.y*.4;
float band=fract(d*4.-t*.4);
float id=floor(d*4.-t*.4);
vec3 col=hsv(id*.13+t*.05,.75,.35+.65*smoothstep(.0,.15,band)*smoothstep(1.,.75,band));
col+=.3*hsv(id*.13+.4,.5,1.)*smoothstep(.05,.0,abs(q.y-.02))*step(l,1.4);
col*=.85+.15*sin(l*40.+a*20.);
gl_FragColor=vec4(col,1.);
