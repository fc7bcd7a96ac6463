// mode: geeker300
// family: tiling
// title: basket weave of triple reed strands over and under
// author: synthkd (original)
float h1(vec2 q){return fract(sin(dot(q,vec2(41.3,289.1)))*15731.7);}
vec3 hsv3(float h,float s2,float v){return v*mix(vec3(1.),clamp(abs(mod(h*6.+vec3(0.,4.,2.),6.)-3.)-1.,0.,1.),s2);}
void main(){
 vec2 p=(gl_FragCoord.xy*2.-r)/r.y;
 float a=.3*sin(t*.07)+.4;
 p=mat2(cos(a),-sin(a),sin(a),cos(a))*p*(2.4+.7*sin(t*.15))+vec2(t*.12,t*.07);
 vec2 id=floor(p),g=fract(p);
 float hz=mod(id.x+id.y,2.);
 vec2 l=hz>.5?g:g.yx;
 float sid=floor(l.y*3.);
 float across=fract(l.y*3.)*2.-1.;
 float along=l.x;
 float sh=sqrt(max(0.,1.-across*across));
 float gap=smoothstep(.98,.85,abs(across));
 vec2 sidv=hz>.5?vec2(id.y*3.+sid,0.):vec2(0.,id.x*3.+sid);
 float hh=h1(sidv+hz*17.);
 vec3 base=hz>.5?hsv3(.08+.05*hh+.1*sin(t*.2),.6,.85):hsv3(.55+.08*hh+.1*sin(t*.17+1.),.55,.75);
 float fib=.85+.15*sin(along*60.+hh*20.+across*3.);
 float dip=.75+.25*sin(along*3.14159);
 vec3 c=base*sh*fib*dip*gap;
 c+=vec3(.25)*pow(sh,12.)*gap;
 c=mix(vec3(.04,.03,.02),c,gap);
 o=vec4(c,1.);
}
