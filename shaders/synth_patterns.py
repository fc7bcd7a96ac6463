"""Stage 2 of a synthesized program: the patterns that turn coordinates into a value ``v`` and a shade ``g``.

Escape-time loops, fbm noise, SDF primitives, waves, voronoi cells, interference and fold iterations, each a
``_p_<name>`` method; ``_pattern`` picks one, ``_combine`` mixes two.
"""

from __future__ import annotations

from collections.abc import Callable

from synthkd.shaders.synth_state import _SynthState
from synthkd.shaders.synth_text import _f, _t, _v2


class _Patterns(_SynthState):
    # -- patterns -----------------------------------------------------------------------------------

    def _pattern(self, k: str, src: str) -> str:
        """Emit ``float v<k>, g<k>`` computed in a scope from coordinates ``src``; returns the block title."""
        name = self.rng.pick({"escape": 3.0, "fbm": 3.0, "sdf": 3.0, "waves": 2.0, "voronoi": 2.0,
                              "interference": 2.0, "kaliset": 1.0})
        code = self.code
        code(f"// pattern {k}: value v{k} picks the colour, shade g{k} the brightness",
             f"float v{k} = 0.;", f"float g{k} = 1.;")
        with code.block():
            title = getattr(self, f"_p_{name}")(k, src)
        return title

    def _per_uv(self, src: str, lo: float, hi: float) -> float:
        """A scale for ``src`` that gives lo..hi units per unit of uv (texture-like patterns)."""
        return self.rng.u(lo, hi) / (self.freq if src == "p" else 1.0)

    def _span(self, src: str, lo: float, hi: float) -> float:
        """A scale for ``src`` whose values then span about +-(lo..hi) (object-like patterns)."""
        return self.rng.u(lo, hi) / (self.extent if src == "p" else 1.0)

    def _shade(self, styles: dict[str, tuple[float, Callable[[], tuple[str, ...]]]]) -> str:
        """Pick one of a pattern's colouring ``styles`` (name -> (weight, lines)) and write its lines; the lines
        are made after the pick, so only the chosen style draws random numbers. Returns the style's name."""
        style = self.rng.pick({name: weight for name, (weight, _) in styles.items()})
        self.code(*styles[style][1]())
        return style

    def _p_escape(self, k: str, src: str) -> str:
        code = self.code
        variant = self.rng.pick({"z^2": 4, "burning ship": 1.5, "tricorn": 1, "z^3": 1})
        julia = variant != "burning ship" and self.rng.random() < 0.55  # its Julia sets are mostly dust
        n = self.rng.choice([16, 24, 32, 32, 48, 64])
        if julia:
            seeds = {"z^2": [(-0.8, 0.156), (0.285, 0.01), (-0.4, 0.6), (-0.70176, -0.3842), (0.355, 0.355),
                             (-0.835, -0.2321), (-0.12, 0.75), (0.37, 0.1), (-0.54, 0.54)],
                     "tricorn": [(-0.6, 0.3), (0.2, 0.6), (-1.0, 0.1)],
                     "z^3": [(0.4, 0.0), (-0.5, 0.55), (0.3, 0.6)]}[variant]
            cx, cy = self.rng.choice(seeds)
            code(f"// escape-time loop: {variant} Julia set, smooth iteration count and orbit trap",
                 f"vec2 z = {src} * {_f(self._span(src, 1.0, 1.8), 3)};",
                 f"vec2 c = {_v2(cx, cy, 4)} + {_f(self.rng.u(0.01, 0.06), 3)}"
                 f" * vec2(cos({_t(self.rng.speed(0.2, 0.7))}),"
                 f" sin({_t(self.rng.speed(0.2, 0.7))}));")
        else:
            views = {"z^2": [(-0.5, 0.0, 1.3), (-0.745, 0.11, 0.06), (-0.16, 1.035, 0.05), (-1.3, 0.0, 0.15),
                             (0.3, 0.02, 0.08), (-0.1, 0.9, 0.25), (-1.0, 0.25, 0.3), (0.25, 0.5, 0.25)],
                     "burning ship": [(-0.4, -0.5, 1.2), (-1.75, -0.03, 0.07), (-1.6, 0.0, 0.2)],
                     "tricorn": [(-0.3, 0.0, 1.3), (-1.0, 0.0, 0.35)],
                     "z^3": [(0.0, 0.0, 1.0), (0.4, 0.4, 0.3)]}[variant]
            cx, cy, zoom = self.rng.choice(views)
            zoom = zoom * self._span(src, 0.7, 1.3)
            code(f"// escape-time loop: {variant} Mandelbrot set, smooth iteration count and orbit trap",
                 "vec2 z = vec2(0.);",
                 f"vec2 c = {_v2(cx, cy, 4)} + {src} * {_f(zoom, 3)}"
                 f" * (1. + .1 * sin({_t(self.rng.speed(0.2, 0.6))}));")
        trap = self.rng.pick({"point": 1, "circle": 1, "line": 1, "cross": 1})
        tp = _v2(self.rng.u(-0.5, 0.5), self.rng.u(-0.5, 0.5))
        trap_expr = {"point": f"length(z - {tp})",
                     "circle": f"abs(length(z) - {_f(self.rng.u(0.3, 1.0))})",
                     "line": f"abs(z.y - {_f(self.rng.u(-0.5, 0.5))})",
                     "cross": "min(abs(z.x), abs(z.y))"}[trap]
        step = {"z^2": ["z = vec2(z.x * z.x - z.y * z.y, 2. * z.x * z.y) + c;"],
                "burning ship": ["z = abs(z);", "z = vec2(z.x * z.x - z.y * z.y, 2. * z.x * z.y) + c;"],
                "tricorn": ["z = vec2(z.x * z.x - z.y * z.y, -2. * z.x * z.y) + c;"],
                "z^3": ["z = vec2(z.x * z.x * z.x - 3. * z.x * z.y * z.y,",
                        "         3. * z.x * z.x * z.y - z.y * z.y * z.y) + c;"],
                }[variant]
        early = self.rng.choice([4, 6, 8, 10])
        code("float n = 0.;", f"float trap = 1e3;  // orbit trap: closest approach to a {trap} in the first steps")
        with code.block(f"for (int i = 0; i < {n}; i++) {{"):
            code(*step, f"if (i < {early}) trap = min(trap, {trap_expr});", "if (dot(z, z) > 256.) break;",
                 "n += 1.;")
        code("float sn = n - log2(max(log2(max(dot(z, z), 1.0001)), 1e-4));  // smooth count",
             "float inside = step(dot(z, z), 256.);  // 1 where the orbit never escaped",
             f"v{k} = mix(sn * {_f(self.rng.u(0.6, 2.0) / n, 4)}, trap * {_f(self.rng.u(2.0, 5.0))}"
             f" + {_f(self.rng.u(0.0, 1.0))}, inside);",
             f"g{k} = {_f(self.rng.u(0.3, 0.6))} + {_f(self.rng.u(0.4, 0.7))}"
             f" * exp(-trap * {_f(self.rng.u(1.0, 5.0))});")
        return f"{variant} {'Julia' if julia else 'Mandelbrot'} ({trap} trap)"

    def _p_fbm(self, k: str, src: str) -> str:
        code = self.code
        kind = self.rng.pick({"plain": 2, "turbulent": 1.5, "ridged": 1.5})
        slice3d = self.rng.random() < 0.4
        octaves = self.rng.choice([3, 4, 5, 5, 6])
        noise = "3D simplex noise (time is the third axis)" if slice3d else "drifting simplex noise"
        code(f"// fbm noise: {octaves} octaves of {noise}",
             f"vec2 q = {src} * {_f(self._per_uv(src, 1.0, 3.0), 3)};",
             "float n = 0.;", "float amp = .5;")
        if slice3d:
            sample = f"snoise3D(vec3(q, {_t(self.rng.speed(0.1, 0.4))}))"
        else:
            sample = f"snoise2D(q + t * {_v2(self.rng.speed(0.05, 0.4), self.rng.speed(0.05, 0.4))})"
        term = {"plain": sample, "turbulent": f"abs({sample})", "ridged": f"(1. - abs({sample}))"}[kind]
        with code.block(f"for (int i = 0; i < {octaves}; i++) {{"):
            code(f"n += amp * {term};",
                 f"q = q * rotate2D({_f(self.rng.u(0.3, 1.2))}) * {_f(self.rng.u(1.8, 2.3))}"
                 f" + {_v2(self.rng.u(1, 9), self.rng.u(1, 9))};",
                 "amp *= .5;")
        value = {"plain": ".5 + .5 * n", "turbulent": "n * 1.6", "ridged": "n * n * 1.4"}[kind]
        code(f"v{k} = {value};")
        style = self.rng.pick({"smooth": 2, "bands": 1, "shaded": 1})
        if style == "bands":
            code(f"g{k} = .55 + .45 * smoothstep(.0, .25, abs(fract(v{k} * {_f(self.rng.u(3, 9))}"
                 f") - .5));  // contour bands")
        elif style == "shaded":
            code(f"g{k} = smoothstep({_f(self.rng.u(0.1, 0.4))}, {_f(self.rng.u(0.6, 1.0))}, v{k}) * .8 + .2;")
        return f"{kind} fbm{' bands' if style == 'bands' else ''}"

    def _sdf_shape(self, i: int) -> str:
        """One SDF primitive as ``float d<i>``; returns its name."""
        code = self.code
        shape = self.rng.pick({"circle": 2, "box": 2, "segment": 1.5, "ring": 1.5, "star": 1.5})
        centre = (f"{_v2(self.rng.u(-0.6, 0.6), self.rng.u(-0.5, 0.5))} + {_f(self.rng.u(0.0, 0.4))} * "
                  f"vec2(sin({_t(self.rng.speed(0.2, 0.8))}), cos({_t(self.rng.speed(0.2, 0.8))}))")
        if shape == "circle":
            code(f"float d{i} = length(q - ({centre})) - {_f(self.rng.u(0.2, 0.6))};  // circle")
        elif shape == "box":
            code(f"vec2 b{i} = abs((q - ({centre})) * rotate2D({_t(self.rng.speed(0.1, 0.6))})) - "
                 f"{_v2(self.rng.u(0.1, 0.5), self.rng.u(0.1, 0.5))};  // box",
                 f"float d{i} = length(max(b{i}, 0.)) + min(max(b{i}.x, b{i}.y), 0.);")
        elif shape == "segment":
            a = _v2(self.rng.u(-0.7, 0.7), self.rng.u(-0.7, 0.7))
            code(f"vec2 a{i} = {a};  // segment from a to e, thickened",
                 f"vec2 e{i} = {centre};",
                 f"vec2 ba{i} = e{i} - a{i};",
                 f"float h{i} = clamp(dot(q - a{i}, ba{i}) / max(dot(ba{i}, ba{i}), 1e-4), 0., 1.);",
                 f"float d{i} = length(q - a{i} - ba{i} * h{i}) - {_f(self.rng.u(0.03, 0.15))};")
        elif shape == "ring":
            code(f"float d{i} = abs(length(q - ({centre})) - {_f(self.rng.u(0.3, 0.7))}"
                 f") - {_f(self.rng.u(0.03, 0.12))};  // ring")
        else:
            pts = self.rng.choice([3, 4, 5, 6, 7, 8])
            code(f"vec2 s{i} = q - ({centre});  // {pts}-pointed star (radius modulated by angle)",
                 f"float d{i} = length(s{i}) - {_f(self.rng.u(0.3, 0.6))} * (1. + {_f(self.rng.u(0.15, 0.4))} * "
                 f"cos({_f(pts)} * atan(s{i}.y, s{i}.x) + {_t(self.rng.speed(0.2, 1.0))}));")
        return shape

    def _p_sdf(self, k: str, src: str) -> str:
        code = self.code
        count = self.rng.choices([1, 2, 3], [2, 4, 3])[0]
        sc = self._span(src, 0.8, 1.4)
        eff = sc * (self.freq if src == "p" else 1.0)  # units of q per unit of uv
        code("// signed distance field: primitives combined",
             f"vec2 q = {src} * {_f(sc, 3)};")
        shapes = [self._sdf_shape(i) for i in range(count)]
        code("float d = d0;")
        ops = []
        for i in range(1, count):
            op = self.rng.pick({"union": 2, "smooth union": 2, "intersection": 0.7, "subtraction": 1})
            ops.append(op)
            if op == "union":
                code(f"d = min(d, d{i});  // union")
            elif op == "intersection":
                code(f"d = max(d, d{i});  // intersection")
            elif op == "subtraction":
                code(f"d = max(d, -d{i});  // subtraction")
            else:
                sk = _f(self.rng.u(0.1, 0.4))
                code(f"float m{i} = clamp(.5 + .5 * (d{i} - d) / {sk}, 0., 1.);  // smooth union",
                     f"d = mix(d{i}, d, m{i}) - {sk} * m{i} * (1. - m{i});")
        u, speed = self.rng.u, self.rng.speed

        def iso_lines() -> tuple[str, ...]:
            return (f"v{k} = d * {_f(u(0.5, 2.0))};",
                    f"g{k} = .55 + .45 * cos(d * {_f(u(9, 25) / eff)} - {_t(speed(1.0, 4.0))});  // distance rings")

        def glow() -> tuple[str, ...]:
            return (f"v{k} = d * {_f(u(0.5, 2.0))} + {_f(u(0, 1))};",
                    f"g{k} = smoothstep(.02, -.02, d) * {_f(u(0.5, 0.9))} + {_f(u(0.15, 0.35))}"
                    f" + .6 * exp(-abs(d) * {_f(u(2.0, 8.0))});  // filled shapes with a glow")

        def bands() -> tuple[str, ...]:
            per = u(1.5, 5.0) / eff
            return (f"v{k} = floor(d * {_f(per)}) * {_f(u(0.05, 0.2))};",
                    f"g{k} = .6 + .4 * fract(d * {_f(per)});  // stepped bands")

        style = self._shade({"iso-lines": (2, iso_lines), "glow": (2, glow), "bands": (1.5, bands)})
        name = shapes[0] if count == 1 else " ".join(f"{s} {o}" for s, o in zip(shapes, ops, strict=False))
        if count > 1:
            name += f" {shapes[-1]}"
        return f"SDF {name} ({style})"

    def _p_waves(self, k: str, src: str) -> str:
        code = self.code
        kind = self.rng.pick({"stripes": 2, "rings": 2, "checker": 1.5, "weave": 1.5, "grid": 1})
        if kind in ("checker", "grid"):
            code(f"// {kind}", f"vec2 q = {src} * {_f(self._per_uv(src, 1.5, 4.0), 3)};")
        else:  # q in radians: one to three periods per unit of uv
            code(f"// {kind}", f"vec2 q = {src} * {_f(self._per_uv(src, 6.0, 18.0), 3)};")
        if kind == "stripes":
            code(f"v{k} = .5 + .5 * sin(q.x + sin(q.y * {_f(self.rng.u(0.3, 1.0))}"
                 f" + {_t(self.rng.speed(0.3, 1.2))}) * {_f(self.rng.u(0.5, 2.5))});",
                 f"g{k} = .75 + .25 * sin(q.y * {_f(self.rng.u(0.2, 0.8))} + {_t(self.rng.speed(0.3, 1.0))});")
        elif kind == "rings":
            code(f"v{k} = .5 + .5 * sin(length(q) - {_t(self.rng.speed(0.5, 2.0))});",
                 f"g{k} = .7 + .3 * cos(atan(q.y, q.x) * {_f(self.rng.choice([2, 3, 4, 5, 6]))} + "
                 f"{_t(self.rng.speed(0.2, 1.0))});")
        elif kind == "checker":
            code("vec2 cell = floor(q);",
                 "vec2 f = fract(q) - .5;",
                 f"v{k} = mod(cell.x + cell.y, 2.) * {_f(self.rng.u(0.3, 0.6))}"
                 f" + fsnoise(cell) * {_f(self.rng.u(0.1, 0.5))}"
                 f" + {_t(self.rng.speed(0.02, 0.1))};",
                 f"g{k} = .5 + max(abs(f.x), abs(f.y));  // bevelled squares")
        elif kind == "weave":
            code(f"v{k} = .5 + .5 * sin(q.x + {_t(self.rng.speed(0.3, 1.0))}) * sin(q.y * {_f(self.rng.u(0.7, 1.5))}"
                 f" - {_t(self.rng.speed(0.3, 1.0))});",
                 f"g{k} = .6 + .4 * abs(sin(q.x + q.y * {_f(self.rng.u(0.5, 1.5))}));")
        else:
            code("vec2 f = abs(fract(q) - .5);",
                 f"v{k} = min(f.x, f.y) * 2. + length(floor(q)) * {_f(self.rng.u(0.05, 0.2))};",
                 f"g{k} = smoothstep(.0, .12, min(f.x, f.y)) * .6 + .4;  // grid lines")
        return kind

    def _p_voronoi(self, k: str, src: str) -> str:
        code = self.code
        metric = self.rng.pick({"euclidean": 3, "manhattan": 1, "chebyshev": 1})
        dist = {"euclidean": "length(d)", "manhattan": "abs(d.x) + abs(d.y)",
                "chebyshev": "max(abs(d.x), abs(d.y))"}[metric]
        code(f"// voronoi-like cells: nearest and second-nearest moving seed ({metric} distance)",
             f"vec2 q = {src} * {_f(self._per_uv(src, 1.5, 3.5), 3)};",
             "vec2 cell = floor(q);", "vec2 f = fract(q);",
             "float f1 = 8.;", "float f2 = 8.;", "vec2 best = vec2(0.);")
        with code.block("for (int j = -1; j <= 1; j++) {"), code.block("for (int i = -1; i <= 1; i++) {"):
            code("vec2 nb = vec2(float(i), float(j));",
                 "float h = fsnoise(cell + nb);",
                 f"vec2 d = nb + .5 + {_f(self.rng.u(0.2, 0.45))} * sin({_t(self.rng.speed(0.3, 1.2))}"
                 " + PI2 * vec2(h, fract(h * 13.7))) - f;",
                 f"float e = {dist};")
            code("if (e < f1) {",
                 "    f2 = f1;",
                 "    f1 = e;",
                 "    best = cell + nb;",
                 "} else if (e < f2) {",
                 "    f2 = e;",
                 "}")
        u = self.rng.u
        style = self._shade({
            "distance": (1.5, lambda: (f"v{k} = f1 * {_f(u(0.6, 1.5))} + fsnoise(best) * {_f(u(0.0, 0.3))};",
                                       f"g{k} = 1. - f1 * {_f(u(0.3, 0.7))};")),
            "edges": (1.5, lambda: (f"v{k} = (f2 - f1) * {_f(u(0.8, 2.0))};",
                                    f"g{k} = smoothstep(.0, {_f(u(0.05, 0.2))}"
                                    f", f2 - f1) * .8 + .2;  // dark cell borders")),
            "mosaic": (2, lambda: (f"v{k} = fsnoise(best) * {_f(u(0.3, 1.0))};",
                                   f"g{k} = (1. - f1 * {_f(u(0.2, 0.6))}) * smoothstep(.0, .06, f2 - f1);"
                                   "  // mosaic tiles")),
        })
        return f"voronoi {style}"

    def _p_interference(self, k: str, src: str) -> str:
        code = self.code
        kind = self.rng.pick({"point sources": 1, "plane waves": 1})
        n = self.rng.choice([3, 4, 5, 6, 7])
        sc = self._span(src, 0.8, 1.5)
        rad = self.rng.u(8.0, 20.0) / (sc * (self.freq if src == "p" else 1.0))  # radians per unit of q
        code(f"// interference: {n} {kind} summed", f"vec2 q = {src} * {_f(sc, 3)};", "float w = 0.;")
        with code.block(f"for (int i = 0; i < {n}; i++) {{"):
            code("float fi = float(i);")
            if kind == "point sources":
                code(f"vec2 src = {_f(self.rng.u(0.4, 1.2))} * vec2(cos(fi * {_f(self.rng.u(1.0, 3.0))} + "
                     f"{_t(self.rng.speed(0.1, 0.5))}), sin(fi * {_f(self.rng.u(1.0, 3.0))}"
                     f" + {_t(self.rng.speed(0.1, 0.5))}));",
                     f"w += sin(length(q - src) * {_f(rad)} - {_t(self.rng.speed(0.5, 2.0))});")
            else:
                code(f"vec2 dir = vec2(cos(fi * PI / {_f(n)} + {_t(self.rng.speed(0.02, 0.2))}),"
                     f" sin(fi * PI / {_f(n)} + {_t(self.rng.speed(0.02, 0.2))}));",
                     f"w += cos(dot(q, dir) * {_f(rad)} + {_t(self.rng.speed(0.3, 1.5))});")
        code(f"v{k} = .5 + .5 * w / {_f(n)};",
             f"g{k} = .5 + .5 * abs(w) / {_f(n)};")
        return f"{n} {kind} interference"

    def _p_kaliset(self, k: str, src: str) -> str:
        code = self.code
        n = self.rng.choice([3, 4, 4, 5])
        lo = _f(self.rng.u(0.5, 0.8))  # the clamp bounds the stretch per step (2x at most), so detail stays visible
        code(f"// fold iteration: z = |z| / clamp(|z|^2, {lo}, 1) - c, {n} times, collecting orbit closeness",
             f"vec2 z = {src} * {_f(self._per_uv(src, 0.6, 1.5), 3)};",
             f"vec2 c = {_v2(self.rng.u(0.5, 1.0), self.rng.u(0.4, 1.0))} + {_f(self.rng.u(0.01, 0.08), 3)} * "
             f"vec2(sin({_t(self.rng.speed(0.1, 0.5))}), cos({_t(self.rng.speed(0.1, 0.5))}));",
             "float acc = 0.;", "float low = 1e3;")
        with code.block(f"for (int i = 0; i < {n}; i++) {{"):
            code(f"z = abs(z) / clamp(dot(z, z), {lo}, 1.) - c;",
                 f"acc += exp(-abs(length(z) - {_f(self.rng.u(0.3, 1.0))}) * {_f(self.rng.u(1.0, 2.5))});",
                 "low = min(low, length(z));")
        code(f"v{k} = acc * {_f(self.rng.u(0.08, 0.3))};",
             f"g{k} = .45 + .55 * exp(-low * {_f(self.rng.u(0.5, 2.0))});")
        return "kaliset folds"

    def _combine(self) -> str:
        code = self.code
        how = self.rng.pick({"blend": 1, "modulate": 1.5, "detail": 1})
        if how == "blend":
            code(f"float v = mix(v1, v2, {_f(self.rng.u(0.3, 0.7))});  // blend the two patterns",
                 "float g = mix(g1, g2, .5);")
        elif how == "modulate":
            code("float v = v1;",
                 f"float g = g1 * ({_f(self.rng.u(0.3, 0.6))} + {_f(self.rng.u(0.4, 0.7))} * clamp(v2, 0., 1.));"
                 "  // pattern 2 shades pattern 1")
        else:
            code(f"float v = v1 + {_f(self.rng.u(0.1, 0.35))} * v2;  // pattern 2 adds detail", "float g = g1 * g2;")
        return how
