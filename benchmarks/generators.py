"""Benchmark of the procedural generators against straightforward baselines, in one run.

Leaves, at 32, 64 and 224 px: (a) a PIL ImageDraw painter that draws each image's shapes back to front
(the same shapes the generator uses, up to the one that completes the cover), against (b) the generator's
chunk function (numba, front to back, only uncovered pixels). Noise, at 32 px per kind: (a) one image
at a time with NumPy, against (b) the generator's vectorised chunk function.
Prints a table and ends with one JSON line of the figures. Usage: python -m benchmarks.generators [--quick]
"""

from __future__ import annotations

import argparse
import json
import math
import time

import numpy as np
from PIL import Image, ImageDraw

from synthkd.procgen import leaves, noise

LEAVES = {32: 20000, 64: 8000, 224: 800}  # images for (b); (a) draws a twentieth


def pil_leaves(settings: leaves.LeavesSettings, size: int, seeds: np.ndarray, used: np.ndarray) -> None:
    """The baseline: for each image, sample its shapes and paint them back to front with PIL."""
    for seed, count in zip(seeds.tolist(), used.tolist(), strict=True):
        shapes = leaves.sample_shapes(settings, seed, count)
        canvas = Image.new("RGB", (size, size))
        draw = ImageDraw.Draw(canvas)
        for k in range(count - 1, -1, -1):
            x, y, r = shapes["cx"][k] * size, shapes["cy"][k] * size, shapes["r"][k] * size
            colour = tuple(int(c) for c in shapes["colour"][k])
            kind = leaves.SHAPES[shapes["kind"][k]]
            if kind == "circle":
                draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
                continue
            if kind in ("triangle", "quadrilateral"):
                angles = shapes["angles"][k][: 3 if kind == "triangle" else 4]
                corners = [(x + r * math.cos(a), y + r * math.sin(a)) for a in angles]
            else:
                half_b = r * shapes["aspect"][k] if kind == "rectangle" else r
                theta = 0.0 if kind == "square" else shapes["theta"][k]
                c, s = math.cos(theta), math.sin(theta)
                corners = [(x + u * c - v * s, y + u * s + v * c) for u, v in ((r, half_b), (-r, half_b),
                                                                               (-r, -half_b), (r, -half_b))]
            draw.polygon(corners, fill=colour)
        np.asarray(canvas)


def rate(count: int, fn, *args) -> float:
    """Images per second of ``fn(*args)``, which makes ``count`` images."""
    start = time.perf_counter()
    fn(*args)
    return count / (time.perf_counter() - start)


def one_at_a_time(settings: noise.NoiseSettings, count: int) -> None:
    for i in range(count):
        noise.make_chunk(settings, 32, 0, i, 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="a tenth of the images")
    args = ap.parse_args()
    scale = 10 if args.quick else 1
    figures: dict = {"leaves": {}, "noise": {}}
    settings = leaves.LeavesSettings()
    leaves.make_chunk(settings, 16, 0, 0, 4)  # builds (or loads) the numba machine code
    for size, n in LEAVES.items():
        n //= scale
        seeds = leaves.image_seeds(0, 0, n)
        fast = rate(n, leaves.make_chunk, settings, size, 0, 0, n)
        few = max(10, n // 20)
        _, used, _ = leaves.render_images(settings, size, seeds[:few])
        slow = rate(few, pil_leaves, settings, size, seeds[:few], used)
        figures["leaves"][str(size)] = {"generator_img_s": round(fast, 1), "pil_painter_img_s": round(slow, 1),
                                        "speedup": round(fast / slow, 1), "shapes_per_image": round(float(used.mean()))}
        print(f"leaves {size:>4} px: generator {fast:>9.1f} img/s | PIL painter {slow:>8.1f} img/s | "
              f"x{fast / slow:.1f} | {used.mean():.0f} shapes per image", flush=True)
    n = 20000 // scale
    for kind in noise.KINDS:
        s = noise.NoiseSettings(kind=kind)
        fast = rate(n, noise.make_chunk, s, 32, 0, 0, n)
        few = max(10, n // 10)
        slow = rate(few, one_at_a_time, s, few)
        figures["noise"][kind] = {"generator_img_s": round(fast, 1), "one_at_a_time_img_s": round(slow, 1),
                                  "speedup": round(fast / slow, 1)}
        print(f"noise {kind:>9} 32 px: generator {fast:>9.1f} img/s | one at a time {slow:>8.1f} img/s | "
              f"x{fast / slow:.1f}", flush=True)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
