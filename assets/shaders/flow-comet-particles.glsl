// mode: geekest
// family: flow
// title: comet-like particles streaming along a rotating noise field
// author: synthkd (original)
vec2 p=FC.xy/r.y*3.;
vec2 q=p;
float lit=0.,hue=0.;
for(int i=0;i<20;i++){
  float a=1.5*sin(q.x*.8+t*.2)+1.5*sin(q.y*.9-t*.15+q.x*.3)+t*.1;
  q-=vec2(cos(a),sin(a))*.035;
  vec2 g=q*3.;
  vec2 id=floor(g);
  vec2 j=vec2(fsnoise(id),fsnoise(id+.5));
  vec2 cpos=.2+.6*fract(j+t*.0);
  float dd=length(fract(g)-cpos);
  float w=1.-float(i)/20.;
  float hit=smoothstep(.14,.03,dd)*w*step(.45,j.x);
  if(hit>lit){ lit=hit; hue=j.y; }
}
float a0=1.5*sin(p.x*.8+t*.2)+1.5*sin(p.y*.9-t*.15+p.x*.3)+t*.1;
vec3 bg=hsv(a0*.05+.62+t*.02,.6,.18+.08*sin(a0*4.));
vec3 c=bg+lit*hsv(hue*.3+t*.05,.6+.4*(1.-lit),1.);
gl_FragColor=vec4(c,1);
