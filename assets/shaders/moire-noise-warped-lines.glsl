// mode: geekest
// family: moire
// title: noise-warped line grating over a straight one
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
float k=26.+6.*sin(t*.17);
vec2 q=p*rotate2D(.5+.1*sin(t*.2));
float dsp=snoise3D(vec3(p*1.3,t*.15))*.35+snoise2D(p*3.+t*.1)*.08;
float a=step(.5,fract(q.y*k));
float b=step(.5,fract((q.y+dsp)*k));
float x=a*(1.-b)+b*(1.-a);
float bl=.5+.5*sin((dsp)*k*6.2831);
vec3 c1=hsv(fract(q.x*.25+t*.04),.8,.95);
vec3 c2=hsv(fract(q.x*.25+t*.04+.35),.6,.2);
vec3 c=mix(c2,c1,x);
c=mix(c,c*vec3(.6,.9,1.2),bl*.4);
gl_FragColor=vec4(c,1.);
