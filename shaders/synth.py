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

This module assembles a program; the stages live in ``synth_transforms`` (1), ``synth_patterns`` (2) and
``synth_colour`` (3, 4), their shared state in ``synth_state`` and the GLSL text helpers in ``synth_text``.
"""

from __future__ import annotations

import numpy as np

from synthkd.shaders.synth_colour import _Colour
from synthkd.shaders.synth_patterns import _Patterns
from synthkd.shaders.synth_text import _f, _tidy
from synthkd.shaders.synth_transforms import _Transforms

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


# ---------------------------------------------------------------- the grammar


class _Synth(_Transforms, _Patterns, _Colour):
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
