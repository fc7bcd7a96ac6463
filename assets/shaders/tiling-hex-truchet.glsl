// mode: geekest
// family: tiling
// title: hexagonal truchet of three-arc tiles forming loops
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*(1.5+.4*sin(t*.14))*rotate2D(-t*.05)+vec2(t*.25,-t*.1);
vec2 s=vec2(1.,1.7320508);
vec2 a=mod(p,s)-s*.5,c2=mod(p-s*.5,s)-s*.5;
vec2 g=dot(a,a)<dot(c2,c2)?a:c2;
vec2 id=floor((p-g)*2.+.5);
float h=fsnoise(id);
float rot=h>.5?1.:0.;
float R=.57735,d=1e3,best=0.,ang=0.;
for(int k=0;k<3;k++){
 float an=(float(k)*2.+rot)*1.0471976+.5235988;
 vec2 v=R*vec2(cos(an),sin(an));
 float dd=abs(length(g-v)-R*.5);
 if(dd<d){d=dd;best=float(k);vec2 q=g-v;ang=atan(q.y,q.x);}
}
float w=.11;
float hd=max(abs(g.x),abs(g.x)*.5+abs(g.y)*.8660254);
vec3 bg=hsv(fract(.7+h*.1+t*.03),.4,.2+.1*sin(hd*40.));
vec3 rb=hsv(fract(best*.33+id.x*.02+t*.07),.8,1.);
float stp=.6+.4*sin(ang*6.-t*5.);
vec3 c=mix(bg,rb*stp,smoothstep(w,w-.03,d));
c=mix(c,vec3(1.),smoothstep(.015,.0,abs(d-w+.01))*.6);
c*=.85+.15*smoothstep(.5,.46,hd);
gl_FragColor=vec4(c,1.);
