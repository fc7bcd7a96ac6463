// mode: geekest300
// family: tiling
// title: hexagon cells filled with pulsing concentric hex rings
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*(3.+sin(t*.2))+vec2(t*.2,sin(t*.3));
vec2 s=vec2(1.,1.7320508);
vec2 a=mod(p,s)-s*.5,c2=mod(p-s*.5,s)-s*.5;
vec2 g=dot(a,a)<dot(c2,c2)?a:c2;
vec2 id=floor((p-g)*2.+.5);
float hd=max(abs(g.x),abs(g.x)*.5+abs(g.y)*.8660254);
float h=fsnoise(id);
float ang=atan(g.y,g.x);
float k=h>.6?sin(ang*6.+t*2.+hd*20.):sin(hd*(30.+20.*h)-t*(2.+h*3.));
vec3 c=hsv(fract(h*.7+t*.05+hd*.4),.65+.3*h,.55+.4*(k*.5+.5));
c=mix(c,c*c*1.6,step(.85,h));
c*=smoothstep(.5,.45,hd);
c+=hsv(fract(t*.05+.5),.3,.25)*smoothstep(.44,.5,hd);
o=vec4(c,1.);
