// mode: geeker
// family: tiling
// title: rhombille tiling shaded as stacked isometric cubes
// author: synthkd (original)
float hh(vec2 q){return fract(sin(dot(q,vec2(12.9898,78.233)))*43758.5453);}
vec3 pal(float x){return .55+.45*cos(6.2831*(x+vec3(.0,.33,.67)));}
void main(){
 vec2 p=(gl_FragCoord.xy*2.-r)/r.y*(2.4+.7*sin(t*.17))+vec2(t*.2,t*.13);
 vec2 s=vec2(1.,1.7320508);
 vec2 a=mod(p,s)-s*.5,c2=mod(p-s*.5,s)-s*.5;
 vec2 g=dot(a,a)<dot(c2,c2)?a:c2;
 vec2 id=floor((p-g)*2.+.5);
 float h=hh(id);
 float hx=max(abs(g.x),abs(g.x)*.5+abs(g.y)*.8660254);
 if(h>.82)g=-g;
 float an=atan(g.x,g.y);
 vec2 n30=vec2(-.5,.8660254),n150=vec2(.5,.8660254);
 float face,edge;
 if(abs(an)<1.0471976){face=0.;edge=min(abs(dot(g,n30)),abs(dot(g,n150)));}
 else if(an<0.){face=1.;edge=min(abs(dot(g,n150)),abs(g.x));}
 else{face=2.;edge=min(abs(dot(g,n30)),abs(g.x));}
 float lt=t*.3;
 vec3 L=normalize(vec3(cos(lt),sin(lt),1.4));
 vec3 nrm=face<.5?vec3(0.,0.,1.):face<1.5?vec3(-.8660254,-.5,.3):vec3(.8660254,-.5,.3);
 float shade=.35+.75*max(dot(normalize(nrm),L),0.);
 vec3 base=pal(h*1.3+t*.05+id.y*.02);
 vec3 c=base*shade;
 float ln=abs(fract(hx*5.-t*.4+h)-.5);
 c*=.85+.15*smoothstep(.1,.25,ln);
 c*=smoothstep(.0,.025,edge)*.6+.4;
 c*=smoothstep(.5,.47,hx)*.5+.5;
 gl_FragColor=vec4(c,1.);
}
