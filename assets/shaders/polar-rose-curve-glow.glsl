// mode: geekest300
// family: polar
// title: glowing nested rose curves
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y*1.15;
float l=length(p),a=atan(p.y,p.x);
vec3 col=hsv(l*.35+t*.03,.7,.16+.07*sin(a*10.+l*20.-t*2.));
for(float k=2.;k<8.;k++){
  float ph=a+t*(.08+.04*k)*(mod(k,2.)*2.-1.);
  float R=.25+.14*(k-2.)+.05*sin(t+k);
  float d=abs(l-R*abs(cos(k*ph)));
  vec3 h=hsv(k/6.+t*.07,.85,1.);
  col+=h*(smoothstep(.035,0.,d)*.8+.012/(d+.02));
}
col=col/(1.+col*.35);
o=vec4(col,1);
