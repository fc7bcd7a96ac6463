// mode: geekest300
// family: tiling
// title: triangle grid randomly subdivided into a multi-scale mosaic
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*(1.6+.5*sin(t*.1))*rotate2D(t*.06)+vec2(t*.1,t*.07);
vec2 u=vec2(p.x-p.y*.57735,p.y*1.1547005);
vec2 id=floor(u),f2=fract(u);
float up=step(1.,f2.x+f2.y);
vec3 bc=up>.5?vec3(1.-f2.y,1.-f2.x,f2.x+f2.y-1.):vec3(f2.x,f2.y,1.-f2.x-f2.y);
vec2 key=id*2.+up;
float inv=0.,sc=1.,ep=floor(t*.5);
for(int i=0;i<3;i++){
 if(fsnoise(key+float(i)*7.31+ep*.01)<.4+.15*float(i))break;
 float ch;
 if(bc.x>.5){bc=vec3(2.*bc.x-1.,2.*bc.y,2.*bc.z);ch=1.;}
 else if(bc.y>.5){bc=vec3(2.*bc.x,2.*bc.y-1.,2.*bc.z);ch=2.;}
 else if(bc.z>.5){bc=vec3(2.*bc.x,2.*bc.y,2.*bc.z-1.);ch=3.;}
 else{bc=1.-2.*bc;ch=4.;inv=1.-inv;}
 key=key*5.+ch;
 sc*=2.;
}
float h=fsnoise(key*.1+3.);
float e=min(min(bc.x,bc.y),bc.z)/sc;
vec3 c=hsv(fract(h*.35+t*.05+log2(sc)*.12),.55+.4*h,.5+.5*fract(h*7.));
c*=.8+.2*bc.x+.2*inv;
c*=.8+.2*sin(e*sc*45.);
c=mix(vec3(.05),c,smoothstep(.004,.012,e));
o=vec4(c,1.);
