// mode: geekest300
// family: fractal
// title: smooth-coloured Mandelbrot zoom into seahorse valley
// author: synthkd (original)
vec2 p=(FC.xy*2.-r)/r.y;
float k=.16*exp(-.33*t);
vec2 c=vec2(-.743643,.131825)+rotate2D(t*.3)*p*k;
vec2 z=vec2(0.);float n=0.;
for(int i=0;i<128;i++){z=vec2(z.x*z.x-z.y*z.y,2.*z.x*z.y)+c;if(dot(z,z)>400.)break;n+=1.;}
float s=n-log2(log2(max(dot(z,z),4.)))+4.;
vec3 col=.5+.5*cos(.35*sqrt(max(s,0.))*3.+t*.4+vec3(0.,2.1,4.2)+vec3(.3,0.,-.4)*s*.05);
col*=.75+.25*sin(s*1.3);
if(n>127.)col=hsv(.6+.1*z.x+t*.03,.7,.25+.15*sin(atan(z.y,z.x)*3.));
o=vec4(col,1.);
