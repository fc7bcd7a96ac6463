// mode: geekest
// family: kaleido
// title: polar-repeated feather fans with eye spots, like a peacock tail
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*1.3+vec2(0.,1.1);
float N=11.+2.*sin(t*.2),w=PI/N;
float l=length(p),a=atan(p.x,p.y)+.05*sin(t*.5);
float k=floor((a+w)/(2.*w));
a=mod(a+w,2.*w)-w;
vec2 q=l*vec2(sin(a),cos(a));
float R=1.35+.1*sin(k+t);
vec2 c=q-vec2(0.,R);
float e=length(c*vec2(1.,.8));
float barbs=.5+.5*sin(abs(q.x)*70.-q.y*25.);
vec3 col=mix(vec3(.1,.4,.3),vec3(.85,.7,.25),barbs*smoothstep(.0,1.5,l));
col=mix(col,hsv(.45+.1*sin(k),.9,.8),smoothstep(.34,.3,e));
col=mix(col,vec3(.9,.7,.2),smoothstep(.22,.19,e));
col=mix(col,hsv(.62+t*.03,.9,.6),smoothstep(.16,.13,e));
col=mix(col,vec3(.02,.02,.1),smoothstep(.08,.05,e));
col*=.75+.25*sin(k*1.7+t);
col=mix(col,col.brg,.5+.5*sin(t*.3));
gl_FragColor=vec4(col,1.);
