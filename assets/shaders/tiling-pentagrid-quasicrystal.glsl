// mode: geekest300
// family: tiling
// title: de bruijn pentagrid quasi-periodic tiling cells
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*(2.6+.8*sin(t*.11))*rotate2D(t*.03);
float S=0.,L=1e3,A=0.;
for(int k=0;k<5;k++){
 float an=float(k)*1.2566371;
 float v=dot(p,vec2(cos(an),sin(an)))+.2+.13*float(k)+.05*sin(t*.4+float(k));
 float fk=floor(v);
 S+=fk;
 A+=mod(fk,2.)*exp2(float(k));
 L=min(L,.5-abs(fract(v)-.5));
}
float cls=mod(S,5.);
vec3 c=hsv(fract(cls*.2+t*.04),.55+.1*cls,.55+.45*fract(A*.618));
c=mix(c,hsv(fract(A*.13+t*.06),.8,.9),.35);
c*=.8+.2*cos(L*50.);
c=mix(vec3(.08,.05,.1),c,smoothstep(.015,.045,L));
o=vec4(c,1.);
