"""Stage 1 of a synthesized program: the coordinate transforms of ``p`` (rotations, maps, folds, tiling, warps).

Each ``_x_<name>`` writes one transform and updates the rough model of ``p`` (``freq``, ``extent``) that later
patterns size themselves by; ``_transform`` picks which one comes next.
"""

from __future__ import annotations

from synthkd.shaders.synth_state import _SynthState
from synthkd.shaders.synth_text import _f, _t, _v2


class _Transforms(_SynthState):
    # -- coordinate transforms ----------------------------------------------------------------------

    def _transform(self) -> str | None:
        weights = {
            "rotate": 3.0, "drift": 1.5, "zoom": 1.0, "polar": 1.5, "logpolar": 1.0, "mirror": 1.5,
            "kaleido": 2.5, "boxfold": 2.0, "tile": 2.5, "modrep": 1.0, "twist": 1.5, "swirl": 1.5,
            "warp": 2.0, "fbmwarp": 1.5, "sinewarp": 1.5, "inversion": 1.0,
        }
        once = {"polar", "logpolar", "kaleido", "boxfold", "tile", "fbmwarp", "inversion", "modrep"}
        for k in self.used & once:
            weights[k] = 0.0
        if self.used & {"polar", "logpolar", "tile", "modrep", "boxfold"}:
            weights["polar"] = weights["logpolar"] = 0.0  # one pole per image: never one per tile
        name = self.rng.pick(weights)
        self.used.add(name)
        self.code("")
        return getattr(self, f"_x_{name}")()

    def _x_rotate(self) -> str:
        self.code("// transform: rotation driven by time",
                  f"p *= rotate2D({_t(self.rng.speed(0.05, 0.5))} + {_f(self.rng.u(0, 6.28))});")
        return "rotation"

    def _x_drift(self) -> str:
        self.code("// transform: slow drift",
                  f"p += vec2(sin({_t(self.rng.speed(0.1, 0.4))}), cos({_t(self.rng.speed(0.1, 0.4))}"
                  f")) * {_f(self.rng.u(0.2, 0.9))};")
        return "drift"

    def _x_zoom(self) -> str:
        z = self.rng.u(0.6, 1.6)
        self.freq *= z
        self.extent *= z
        self.code("// transform: breathing zoom",
                  f"p *= {_f(z)} * (1. + {_f(self.rng.u(0.1, 0.35))} * sin({_t(self.rng.speed(0.2, 0.8))}));")
        return "zoom pulse"

    def _x_polar(self) -> str:
        k = self.rng.choice([1, 2, 3, 4, 5, 6])
        rs = self.rng.u(0.7, 2.0)
        self.freq = max(self.freq * rs, 0.45 * k)
        self.extent = max(self.extent * rs, k)
        self.code("// transform: polar coordinates (angle, radius)",
                  f"p = vec2(atan(p.y, p.x) * {_f(k / 3.14159265, 4)}, length(p) * {_f(rs)}"
                  f" + {_t(self.rng.speed(0.1, 0.5))});")
        return "polar map"

    def _x_logpolar(self) -> str:
        k = self.rng.choice([1, 2, 3, 4, 5, 6, 8])
        self.freq = 0.45 * k
        self.extent = max(k, 1.5)
        self.code("// transform: log-polar map (self-similar spiral when followed by tiling)",
                  f"p = vec2(log(max(length(p), 1e-4)) + {_t(self.rng.speed(0.1, 0.5))}, atan(p.y, p.x))"
                  f" * {_f(k / 3.14159265, 4)};")
        if self.rng.random() < 0.5:
            self.code(f"p *= rotate2D({_f(self.rng.u(-0.8, 0.8))});  // shear the rings into spirals")
        return "log-polar spiral"

    def _x_mirror(self) -> str:
        kind = self.rng.pick({"both": 2, "x": 1, "diag": 1})
        if kind == "both":
            self.code("// transform: mirror fold in x and y",
                      f"p = abs(p) - {_v2(self.rng.u(0, 0.6), self.rng.u(0, 0.6))};")
        elif kind == "x":
            self.code("// transform: mirror fold in x", f"p.x = abs(p.x) - {_f(self.rng.u(0, 0.6))};")
        else:
            self.code("// transform: mirror fold across the diagonal",
                      "p = p.x < p.y ? p.yx : p;",
                      f"p = abs(p) - {_f(self.rng.u(0, 0.4))};")
        return "mirror fold"

    def _x_kaleido(self) -> str:
        n = self.rng.choice([3, 4, 5, 6, 6, 7, 8, 10, 12])
        code = self.code
        code(f"// transform: kaleidoscope, {n}-fold mirror")
        with code.block():
            code("float a = atan(p.y, p.x);",
                 f"float w = PI / {_f(n)};",
                 "a = abs(mod(a, 2. * w) - w);",
                 "p = length(p) * vec2(cos(a), sin(a));")
        if self.rng.random() < 0.6:
            code(f"p.x -= {_f(self.rng.u(0.2, 0.9))};  // move off the centre of the mirror")
        return f"{n}-fold kaleidoscope"

    def _x_boxfold(self) -> str:
        n = self.rng.choice([2, 3, 4, 5, 6])
        scale = self.rng.u(1.0, 2.0 ** (1.0 / n))
        self.freq *= scale ** n
        self.extent = 0.6 * scale ** n
        code = self.code
        code(f"// transform: {n} iterated box folds with a turn each time")
        with code.block(f"for (int i = 0; i < {n}; i++) {{"):
            code(f"p = abs(p) - {_v2(self.rng.u(0.2, 0.8), self.rng.u(0.1, 0.7))};",
                 f"p *= rotate2D({_f(self.rng.u(0.2, 1.4))} + {_t(self.rng.speed(0.02, 0.2))});")
            if scale > 1.05:
                code(f"p *= {_f(scale)};")
        return "box folds"

    def _x_tile(self) -> str:
        code = self.code
        ts = self.rng.u(1.0, 3.0) / self.freq  # 1 to 3 tiles per unit of uv
        self.freq *= ts
        self.extent = 0.5
        code("// transform: repetition into square tiles (id = the tile's integer position)",
             f"p *= {_f(ts)};",
             "vec2 id = floor(p + .5);",
             "p -= id;")
        self.has_id = True
        if self.rng.random() < 0.5:
            code(f"p *= rotate2D(fsnoise(id) * PI2 + {_t(self.rng.speed(0.2, 1.0))});  // each tile turns its own way")
            return "turning tiles"
        if self.rng.random() < 0.4:
            code(f"p *= 1. + {_f(self.rng.u(0.2, 0.8))} * sin(fsnoise(id + 3.) * PI2 + {_t(self.rng.speed(0.3, 1.2))});"
                 "  // each tile breathes")
            return "breathing tiles"
        return "tiling"

    def _x_modrep(self) -> str:
        w = self.rng.u(0.4, 1.5)
        self.extent = min(self.extent, 1.0)
        axis = self.rng.choice(["x", "y"])
        self.code(f"// transform: repetition along {axis} with period {_f(w)}",
                  f"p.{axis} = mod(p.{axis} + {_f(w / 2)}, {_f(w)}) - {_f(w / 2)};")
        return f"repetition in {axis}"

    def _x_twist(self) -> str:
        self.code("// transform: twist (rotation growing with the radius)",
                  f"p *= rotate2D(length(p) * {_f(self.rng.sign() * self.rng.u(0.5, 2.5) / self.extent)}"
                  f" + {_t(self.rng.speed(0.1, 0.5))});")
        self.freq *= 1.5
        return "twist"

    def _x_swirl(self) -> str:
        self.code("// transform: swirl around the centre, fading with distance",
                  f"p *= rotate2D({_f(self.rng.u(1.5, 5.0))}"
                  f" * exp(-dot(p, p) * {_f(self.rng.u(0.5, 2.0) / self.extent ** 2, 3)})"
                  f" * sin({_t(self.rng.speed(0.2, 0.7))}));")
        return "swirl"

    def _x_warp(self) -> str:
        f_uv = self.rng.u(0.6, 2.0)  # noise features per unit of uv
        f, s = f_uv / self.freq, self.rng.speed(0.1, 0.4)
        amp = _f(self.rng.u(0.15, 0.5) / max(f_uv, 1.0) * self.freq)
        self.code("// transform: domain warp by simplex noise",
                  f"p += {amp} * vec2(snoise2D(p * {_f(f)} + {_t(s)}), "
                  f"snoise2D(p * {_f(f)} + {_v2(self.rng.u(2, 9), self.rng.u(2, 9))} - {_t(s)}));")
        return "noise warp"

    def _x_fbmwarp(self) -> str:
        code = self.code
        octaves = self.rng.choice([3, 4])
        f_uv = self.rng.u(0.6, 1.5)
        code(f"// transform: domain warp by {octaves}-octave fbm")
        with code.block():
            code("vec2 w = vec2(0.);",
                 f"vec2 q = p * {_f(f_uv / self.freq, 3)};",
                 "float amp = .5;")
            with code.block(f"for (int i = 0; i < {octaves}; i++) {{"):
                s = self.rng.speed(0.05, 0.3)
                code(f"w += amp * vec2(snoise2D(q + {_t(s)}"
                     f"), snoise2D(q + {_v2(self.rng.u(2, 9), self.rng.u(2, 9))} - {_t(s)}));",
                     f"q = q * rotate2D({_f(self.rng.u(0.3, 1.2))}) * 2.03 + 1.7;",
                     "amp *= .5;")
            code(f"p += {_f(self.rng.u(0.3, 1.0) / f_uv * self.freq)} * w;")
        return "fbm warp"

    def _x_sinewarp(self) -> str:
        b = self.rng.u(1.5, 4.0)  # radians per unit of uv
        self.code("// transform: sine ripple warp",
                  f"p += {_f(self.rng.u(0.1, 0.6) / b * self.freq)} * sin(p.yx * {_f(b / self.freq)}"
                  f" + {_t(self.rng.speed(0.3, 1.2))});")
        return "sine warp"

    def _x_inversion(self) -> str:
        self.code("// transform: circle inversion (inside and outside swap)",
                  f"p += {_v2(self.rng.u(-0.3, 0.3), self.rng.u(-0.3, 0.3))};",
                  f"p *= {_f(self.rng.u(0.4, 1.2))} / max(dot(p, p), .05);")
        self.freq, self.extent = 2.0 * self.freq, 1.0
        return "circle inversion"
