// mode: geekest300
// family: kaleido
// title: iterated absolute-value fold with circle inversion, palette by orbit change
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*(.9+.3*sin(t*.27));
vec2 k=vec2(.62+.12*sin(t*.31),.58+.1*cos(t*.23));
float acc=0.,pl=0.,mn=9.;
for(int i=0;i<10;i++){
  p=abs(p)/max(dot(p,p),.02)-k;
  float l=length(p);
  acc+=abs(l-pl);pl=l;mn=min(mn,l);
}
acc/=10.;
vec3 col=.5+.5*cos(PI2*(acc*.35+vec3(0.,.2,.45)+t*.05));
col*=.35+.65*smoothstep(.0,.5,mn);
col+=vec3(1.,.7,.3)*pow(max(0.,1.-mn*3.),3.)*.6;
o=vec4(col,1.);
