"""Stages 3 and 4 of a synthesized program: colouring the value ``v`` and shade ``g``, then post-processing.

Colour constants written into the source are converted with ``_hsv_rgb``, the same conversion as TwiGL's
``hsv`` helper.
"""

from __future__ import annotations

from collections.abc import Callable

from synthkd.shaders.synth_state import _SynthState
from synthkd.shaders.synth_text import _f, _t, _v3


class _Colour(_SynthState):
    # -- colouring ----------------------------------------------------------------------------------

    def _colour(self) -> str:
        code = self.code
        kind = self.rng.pick({"cosine palette": 4, "hsv ramp": 3, "two-tone": 2})
        x = f"v * {_f(self.rng.sign() * self.rng.u(0.5, 1.8))} + {_t(self.rng.speed(0.02, 0.2))}"
        if self.has_id and self.rng.random() < 0.6:
            x += f" + fsnoise(id) * {_f(self.rng.u(0.2, 1.0))}"
        if kind == "cosine palette":
            a = [self.rng.u(0.35, 0.65) for _ in range(3)]
            b = [self.rng.u(0.25, 0.55) for _ in range(3)]
            c = [self.rng.choice([1.0, 1.0, self.rng.u(0.5, 2.0)]) for _ in range(3)]
            d = [self.rng.random() for _ in range(3)]
            code("// colour: cosine palette a + b * cos(2 pi (c * x + d))",
                 f"vec3 c = {_v3(*a)} + {_v3(*b)} * cos(PI2 * ({_v3(*c)} * ({x}) + {_v3(*d)}));")
        elif kind == "hsv ramp":
            code("// colour: hue ramp",
                 f"vec3 c = hsv({_f(self.rng.hue())} + ({x}) * {_f(self.rng.u(0.2, 0.7))}, {_f(self.rng.u(0.5, 0.95))},"
                 f" {_f(self.rng.u(0.75, 1.0))});")
        else:
            ca = _hsv_rgb(self.rng.hue(), self.rng.u(0.5, 1.0), self.rng.u(0.25, 0.6))
            cb = _hsv_rgb(self.rng.hue(), self.rng.u(0.4, 1.0), self.rng.u(0.75, 1.0))
            code("// colour: two tones mixed along a wave of the value",
                 f"vec3 c = mix({_v3(*ca)}, {_v3(*cb)}, .5 + .5 * sin(({x}) * PI2));")
        shade = self.rng.pick({"multiply": 3, "tint": 1.5, "glow": 1})
        if shade == "multiply":
            code(f"c *= {_f(self.rng.u(0.05, 0.3))} + {_f(self.rng.u(0.7, 1.0))} * g;")
        elif shade == "tint":
            tint = _hsv_rgb(self.rng.hue(), self.rng.u(0.3, 0.9), self.rng.u(0.02, 0.25))
            code(f"c = mix({_v3(*tint)}, c, clamp(g, 0., 1.));  // shadows take a tint")
        else:
            glow = _hsv_rgb(self.rng.hue(), self.rng.u(0.2, 0.8), 1.0)
            code(f"c = c * {_f(self.rng.u(0.5, 0.8))} + {_v3(*glow)} * g * g * {_f(self.rng.u(0.2, 0.5))}"
                 f";  // glow where g is high")
        return kind

    # -- post -----------------------------------------------------------------------------------------

    def _post(self) -> list[str]:
        code = self.code
        done: list[str] = []
        steps: list[tuple[float, str, Callable[[], None]]] = [
            (0.2, "emboss", lambda: code(
                "vec2 slope = vec2(dFdx(v), dFdy(v)) * r.y * " + _f(self.rng.u(0.01, 0.05), 3) + ";",
                "vec3 nrm = vec3(-slope, 1.) / sqrt(1. + dot(slope, slope));  // surface normal of the value",
                f"c *= .55 + .6 * max(dot(nrm, {_v3(0.45, 0.55, 0.7)}), 0.);")),
            (0.15, "contours", lambda: code(f"c *= .8 + .2 * cos(v * {_f(self.rng.u(8, 25))});")),
            (0.15, "channel rotation", lambda: code(
                f"c = mix(c, c.gbr, .5 + .5 * sin(uv.x * {_f(self.rng.u(1, 4))} + {_t(self.rng.speed(0.2, 0.8))}));")),
            (0.2, "contrast", lambda: code("c = smoothstep(0., 1., c);")),
            (0.15, "gamma", lambda: code(f"c = pow(clamp(c, 0., 1.), vec3({_f(self.rng.u(0.6, 1.3))}));")),
            (0.35, "vignette", lambda: code(f"c *= 1. - {_f(self.rng.u(0.1, 0.3))} * dot(uv, uv);")),
            (0.08, "grain", lambda: code("c += (fsnoise(FC.xy + fract(t)) - .5) * .05;")),
        ]
        for prob, name, emit in steps:
            if self.rng.random() < prob and not (name == "gamma" and "contrast" in done):
                if not done:
                    code("", "// post-processing")
                emit()
                done.append(name)
        return done


def _hsv_rgb(h: float, s: float, v: float) -> tuple[float, float, float]:
    """The same conversion as TwiGL's ``hsv`` helper, for colour constants written into the source."""
    out = []
    for off in (0.0, 4.0, 2.0):
        k = min(max(abs((h * 6.0 + off) % 6.0 - 3.0) - 1.0, 0.0), 1.0)
        out.append(v * (1.0 + (k - 1.0) * s))
    return out[0], out[1], out[2]
