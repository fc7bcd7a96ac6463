// mode: geekest
// family: tiling
// title: overlapping circle lattice coloured by coverage count
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*(2.+.6*sin(t*.15))*rotate2D(t*.04)+vec2(t*.1,0.);
vec2 A=vec2(1.,0.),B=vec2(.5,.8660254);
float v=p.y/B.y,u=p.x-v*B.x;
vec2 base=floor(vec2(u,v));
float n=0.,e=1e3,sumA=0.;
for(int i=-1;i<=2;i++)for(int j=-1;j<=2;j++){
 vec2 c=(base.x+float(i))*A+(base.y+float(j))*B;
 float rad=.98+.08*sin(t*.7);
 vec2 d=p-c;
 float l=length(d);
 if(l<rad){n+=1.;sumA+=atan(d.y,d.x);}
 e=min(e,abs(l-rad));
}
vec3 col=hsv(fract(n*.17+t*.05),.85,.25+.17*n);
col=mix(col,hsv(fract(sumA*.05+t*.1),.8,.9),.2);
col=mix(col,vec3(1.,.95,.8),smoothstep(.03,.005,e));
col*=.85+.15*sin(e*40.);
gl_FragColor=vec4(col,1.);
