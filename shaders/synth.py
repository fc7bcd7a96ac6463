"""Random shader programs: a small grammar of building blocks that writes new TwiGL-style programs.

``synthesize(seed)`` returns the text of one program in TwiGL's *geekest (300 es)* mode: the body of
``main`` only, using the editor's names (``FC`` for the fragment coordinate, ``r`` resolution, ``t`` time,
``o`` the colour output, helpers ``snoise2D``/``snoise3D``, ``fsnoise``, ``hsv``, ``rotate2D``, ``PI``,
``PI2``). A user can paste it into TwiGL unchanged. The text starts with the same ``// key: value``
header as the hand-written corpus, including the seed, so any rendered image can be traced back to the
exact program (``synthesize(seed)`` is deterministic).

A program is one pass through four stages, each a weighted random choice of blocks:

1. **coordinates** (1-4 transforms): rotation, drift, zoom pulse, polar or log-polar maps, mirror folds,
   N-fold kaleidoscope, iterated box folds, tiling (``fract``/``mod`` repetition, optionally with a
   random turn per tile), twist, swirl, circle inversion, domain warps (simplex, fbm, sine);
2. **pattern** (one, sometimes blended with a second one): escape-time loops (Mandelbrot / Julia and
   variants, smooth iteration count plus an orbit trap), fbm noise (plain, turbulent, ridged, banded),
   SDF primitives (circle, box, segment, ring, star) combined with min / max / smooth min, stripes /
   rings / checker / weave, voronoi-like cell distances, interference of sine waves, kaliset-like folds;
   a pattern writes a value ``v`` (position along the palette) and a shade ``g`` (brightness);
3. **colouring**: cosine palette ``a + b cos(2 pi (c x + d))`` with random coefficients, HSV ramps, or
   two-tone mixes with an accent colour;
4. **post** (0-3): vignette, contour lines, emboss lighting from screen-space slopes, contrast, gamma,
   grain, channel rotation.

Time ``t`` drives rotations, phases, drifts and warps, so the frames of one program differ. Loops have
constant bounds (at most 64 iterations) and the usual NaN sources are guarded (``max(x, 1e-4)`` before
logs and divisions, no ``normalize`` of a possibly zero vector, ``pow`` only of clamped values), and every
literal is written so that the text is also valid GLSL ES 3.00 (TwiGL runs WebGL 2).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np

GRAMMAR = "grammar v1"
HEADER_KEYS = ("mode", "family", "title", "seed", "author")


def synthesize(seed: int) -> str:
    """The program for ``seed``: complete geekest300 source text, header comment included."""
    return _Synth(seed).program()


def program_seeds(seed: int, count: int) -> list[int]:
    """The seeds of the ``count`` programs a run with ``--seed seed`` synthesizes.

    Program ``i`` gets the first 48 bits of ``numpy.random.SeedSequence([seed, 7, i])`` (``seed`` taken
    modulo 2**64), so the list for a larger count extends the list for a smaller one.
    """
    out = []
    for i in range(count):
        lo, hi = np.random.SeedSequence([seed % 2**64, 7, i]).generate_state(2, np.uint32).tolist()
        out.append(((hi & 0xFFFF) << 32) | lo)
    return out


# ---------------------------------------------------------------- formatting helpers


def _f(x: float, digits: int = 2) -> str:
    """A GLSL float literal (always with a decimal point, never '-0.0')."""
    s = f"{x:.{digits}f}".rstrip("0")
    if s.endswith("."):
        s += "0"
    return "0.0" if s in ("-0.0", "-0") else s


def _v2(x: float, y: float, digits: int = 2) -> str:
    return f"vec2({_f(x, digits)}, {_f(y, digits)})"


def _v3(x: float, y: float, z: float, digits: int = 2) -> str:
    return f"vec3({_f(x, digits)}, {_f(y, digits)}, {_f(z, digits)})"


class _Code:
    """Lines of GLSL with indentation."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.depth = 0

    def __call__(self, *lines: str) -> None:
        self.lines += ["    " * self.depth + line if line else "" for line in lines]

    @contextmanager
    def block(self, head: str = "{") -> Iterator[None]:
        self(head)
        self.depth += 1
        yield
        self.depth -= 1
        self("}")


class _Rng(random.Random):
    def u(self, lo: float, hi: float) -> float:
        return self.uniform(lo, hi)

    def sign(self) -> float:
        return 1.0 if self.random() < 0.5 else -1.0

    def speed(self, lo: float = 0.1, hi: float = 0.6) -> float:
        """An animation rate (radians or units per second) of either sign."""
        return self.sign() * self.uniform(lo, hi)

    def pick(self, weighted: dict):
        keys = list(weighted)
        return self.choices(keys, [weighted[k] for k in keys])[0]

    def hue(self) -> float:
        return self.random()


def _t(speed: float) -> str:
    """``t * speed``, the way time enters every animated quantity."""
    return f"t * {_f(speed)}"


# ---------------------------------------------------------------- the grammar


class _Synth:
    def __init__(self, seed: int):
        self.seed = seed
        self.rng = _Rng(seed)
        self.code = _Code()
        self.has_id = False  # a per-tile id (vec2 id) exists
        # A rough model of what the transforms did to p, so that patterns pick sizes that show at 32 px:
        # freq = units of p per unit of uv (local stretch), extent = half-range of p's values.
        self.freq = 1.0
        self.extent = 1.0
        self.used: set[str] = set()

    # -- program ------------------------------------------------------------------------------------

    def program(self) -> str:
        rng, code = self.rng, self.code
        scale = rng.u(0.8, 2.0)
        self.freq = self.extent = scale
        code("// coordinates: centred, y up, one unit = half the image height",
             "vec2 uv = (FC.xy * 2. - r) / r.y;",
             f"vec2 p = uv * {_f(scale)};")
        n = rng.choices([1, 2, 3, 4], [3, 4, 3, 1])[0]
        transforms = []
        for _ in range(n):
            name = self._transform()
            if name:
                transforms.append(name)
        code("")
        first = self._pattern("1", "p")
        patterns = first
        if rng.random() < 0.35:
            second_src = rng.pick({"p": 2, "uv": 1})
            second = self._pattern("2", second_src)
            patterns += " with " + second
            combine = self._combine()
            patterns += f" ({combine})"
        else:
            code("float v = v1;", "float g = g1;")
        code("")
        colour = self._colour()
        post = self._post()
        code("o = vec4(c, 1.);")

        parts = [", ".join(transforms) or "plain view", patterns, colour]
        if post:
            parts.append(", ".join(post))
        title = " / ".join(parts)
        header = ["// mode: geekest300", "// family: synth", f"// title: {title}", f"// seed: {self.seed}",
                  f"// author: synthkd synthesizer ({GRAMMAR})"]
        return "\n".join(header + [_tidy(line) for line in self.code.lines]) + "\n"

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


_SIGNS = ((" + t * -", " - t * "), (" - t * -", " + t * "), ("(t * -", "(-t * "), (", t * -", ", -t * "),
          ("= t * -", "= -t * "))


def _tidy(line: str) -> str:
    """``a + t * -0.3`` -> ``a - t * 0.3``: the same value, easier to read."""
    for old, new in _SIGNS:
        line = line.replace(old, new)
    return line


def _hsv_rgb(h: float, s: float, v: float) -> tuple[float, float, float]:
    """The same conversion as TwiGL's ``hsv`` helper, for colour constants written into the source."""
    out = []
    for off in (0.0, 4.0, 2.0):
        k = min(max(abs((h * 6.0 + off) % 6.0 - 3.0) - 1.0, 0.0), 1.0)
        out.append(v * (1.0 + (k - 1.0) * s))
    return out[0], out[1], out[2]
