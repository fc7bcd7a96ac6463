"""The state one synthesized program is written with: its random stream, its lines, and a model of ``p``.

Every stage of the grammar (transforms, patterns, colour) extends ``_SynthState``, so they share one seeded
random stream and one ``_Code``, and draw their numbers in the order a program is written.
"""

from __future__ import annotations

import random

from synthkd.shaders.synth_text import _Code


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


class _SynthState:
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
