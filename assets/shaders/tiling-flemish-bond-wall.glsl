// mode: geek
// family: tiling
// title: flemish bond brick wall with glazed headers and mortar
// author: synthkd (original)
precision highp float;
uniform vec2 r;
uniform vec2 m;
uniform float t;
uniform float f;
uniform sampler2D b;
float hs(vec2 p){return fract(sin(dot(p,vec2(127.1,311.7)))*43758.5453);}
float vn(vec2 p){vec2 i=floor(p),u=fract(p);u=u*u*(3.-2.*u);
 return mix(mix(hs(i),hs(i+vec2(1.,0.)),u.x),mix(hs(i+vec2(0.,1.)),hs(i+vec2(1.,1.)),u.x),u.y);}
void main(){
 vec2 p=(gl_FragCoord.xy*2.-r)/r.y;
 float z=2.2+.8*sin(t*.23);
 p=p*z*vec2(1.,2.2)+vec2(t*.35,t*.05);
 float row=floor(p.y);
 float x=p.x+mod(row,2.)*.75;
 float cx=floor(x/1.5);
 float lx=x-cx*1.5;
 float hd=step(1.,lx);
 float bx=hd>.5?lx-1.:lx;
 float bw=hd>.5?.5:1.;
 vec2 id=vec2(cx*2.+hd,row);
 vec2 l=vec2(bx,fract(p.y));
 float mo=.05;
 float e=min(min(l.x,bw-l.x)*2.2,min(l.y,1.-l.y));
 float h=hs(id);
 vec3 brick=mix(vec3(.62,.22,.12),vec3(.85,.45,.25),h);
 brick=mix(brick,vec3(.45,.3,.25),step(.85,h));
 vec3 glaze=.5+.45*cos(6.2831*(vec3(0.,.33,.67)+t*.07+h*.2+row*.03));
 vec3 c=hd>.5?glaze*(.6+.4*h):brick;
 c*=.75+.35*vn(l*vec2(9.,5.)+id*7.)+.1*vn(p*30.);
 c*=.85+.15*smoothstep(.0,.3,e);
 vec3 mortar=vec3(.72,.7,.64)*(.7+.3*vn(p*25.));
 c=mix(mortar,c,smoothstep(mo,mo+.03,e));
 float soot=vn(p*vec2(.8,.4)-t*.1);
 c*=.65+.45*soot;
 gl_FragColor=vec4(c,1.);
}
