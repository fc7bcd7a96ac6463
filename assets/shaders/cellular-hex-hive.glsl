// mode: geekest300
// family: cellular
// title: honeycomb hex cells filled to varying levels
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*(3.+1.5*sin(t*.17))+vec2(t*.2,t*.1);
vec2 S=vec2(1.,1.7320508);
vec2 a=mod(p,S)-S*.5;
vec2 bb=mod(p-S*.5,S)-S*.5;
vec2 h=dot(a,a)<dot(bb,bb)?a:bb;
vec2 id=floor(p-h+.01);
vec2 ah=abs(h);
float hexd=max(dot(ah,normalize(S)),ah.x);
float rim=smoothstep(.5,.44,hexd);
float lvl=fsnoise(id);
float fill=fract(lvl+t*.08*(.5+fsnoise(id+2.)));
float liquid=step(h.y/.9+.5,fill);
float hue=fract(.1+.08*lvl+t*.02);
vec3 wax=hsv(.12,.55,.75)*(.7+.3*rim);
vec3 honey=hsv(hue,.85,.55+.45*(1.-hexd*1.8));
vec3 emp=hsv(.1,.35,.25+.3*hexd);
vec3 c=mix(emp,honey,liquid);
c+=vec3(.3,.25,.1)*pow(max(0.,1.-length(h-vec2(-.15,.15))*3.),3.)*liquid;
c=mix(wax,c,rim);
o=vec4(c,1.);
