"""Dead-leaves images: flat-coloured shapes dropped in painter's order until the canvas is covered.

The paper's "Leaves" data: circles, squares, oriented squares, rectangles, triangles and quadrilaterals,
each with one uniform random RGB colour and no texture, centres uniform over the image, and radii from a
truncated power law (density proportional to r^-sigma between rmin and rmax, as fractions of the image
size). Painting shapes back to front until the canvas is covered gives the same picture as going through
them *front to back* and filling only pixels that are still empty, stopping as soon as none is left: that
is what the numba kernel does, so each image costs about one visit per pixel of each shape's bounding box
rather than a full repaint per shape. Shape 0 is on top.

Determinism: an image is a pure function of its 63-bit seed; shape ``k`` of that image is drawn from a
counter-based hash (splitmix64 of ``seed + golden * counter``), so it does not depend on how many shapes
other images needed, on threads, or on the chunk it sits in. Image seeds come from a NumPy generator seeded
with ``(seed, chunk)``, so chunk ``c`` depends only on the seed, the settings and ``c``.

Shapes (``r`` is the sampled radius, ``theta`` a uniform rotation):
  circle           radius r
  square           axis-aligned, half-side r
  oriented_square  half-side r, rotated by theta
  rectangle        half-sides r and r * aspect (aspect uniform in ``aspect``, 0.25..0.75 by default, so a
                   rectangle never looks like a square), rotated by theta
  triangle         3 vertices at uniform random angles on the circle of radius r, sorted: convex
  quadrilateral    4 such vertices: convex
A pixel belongs to a shape when its centre does. With anti-aliasing (``supersample`` K > 1) every pixel is
the rounded mean of K x K samples of the same shapes at sub-pixel positions; for odd K the middle sample
is the pixel centre, so pixels away from edges keep exactly the colour they have without anti-aliasing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np

from synthkd.core.generate import chunk_seeds
from synthkd.core.settings import float_range, opt, positive_int, require, show_range, words

SHAPES = ("circle", "square", "oriented_square", "rectangle", "triangle", "quadrilateral")
CIRCLE, SQUARE, ORIENTED_SQUARE, RECTANGLE, TRIANGLE, QUADRILATERAL = range(6)
MAX_SUPERSAMPLE = 8
MAX_SHAPES = 1_000_000
ANTIALIAS = 4  # samples per pixel and axis with --antialias

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MUL1 = np.uint64(0xBF58476D1CE4E5B9)
_MUL2 = np.uint64(0x94D049BB133111EB)
_S11, _S27, _S30, _S31 = np.uint64(11), np.uint64(27), np.uint64(30), np.uint64(31)
_ONE = np.uint64(1)
_STRIDE = np.uint64(16)  # hash counters reserved per shape (13 used)
_UNIT = 1.0 / 2.0**53
_TWO_PI = 2.0 * math.pi


@dataclass(frozen=True, kw_only=True)
class LeavesSettings:
    """What defines a Leaves image besides its seed and size; invalid values raise UsageError."""

    shapes: tuple[str, ...] = opt(SHAPES, "comma-separated shapes to use", "--shapes", type=words, show=",".join)
    sigma: float = opt(3.0, "radius density is proportional to r^-sigma", "--sigma", type=float)
    rmin: float = opt(0.03, "smallest radius, as a fraction of the image size", "--rmin", type=float)
    rmax: float = opt(1.0, "largest radius, as a fraction of the image size", "--rmax", type=float)
    max_shapes: int = opt(5000, "stop after this many shapes even if the canvas is not covered (the rest stays "
                          "black)", "--max-shapes", type=positive_int)
    aspect: tuple[float, float] = opt((0.25, 0.75), "rectangles' short side / long side is uniform in this range",
                                      "--aspect", type=float_range, show=show_range, metavar="LO:HI")
    supersample: int = opt(1, f"smooth edges ({ANTIALIAS}x{ANTIALIAS} samples per pixel); the paper's shapes are "
                           "flat", "--antialias", action="store_const", const=ANTIALIAS)
    """Samples per pixel and axis; 1 = no anti-aliasing."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "shapes", tuple(self.shapes))
        object.__setattr__(self, "aspect", tuple(float(a) for a in self.aspect))
        unknown = [s for s in self.shapes if s not in SHAPES]
        require(bool(self.shapes) and not unknown,
                f"unknown shape {unknown[0]!r} (choose from {', '.join(SHAPES)})" if unknown
                else f"at least one shape is needed (choose from {', '.join(SHAPES)})")
        require(len(set(self.shapes)) == len(self.shapes), f"shapes are listed twice: {', '.join(self.shapes)}")
        require(math.isfinite(self.sigma) and self.sigma > 0, f"sigma must be a positive number, got {self.sigma}")
        require(math.isfinite(self.rmin) and math.isfinite(self.rmax) and 0 < self.rmin < self.rmax,
                f"radii must satisfy 0 < rmin < rmax, got rmin={self.rmin}, rmax={self.rmax}")
        require(1 <= self.max_shapes <= MAX_SHAPES, f"max_shapes must be in 1..{MAX_SHAPES}, got {self.max_shapes}")
        lo, hi = self.aspect
        require(len(self.aspect) == 2 and 0 < lo <= hi <= 1,
                f"aspect must be LO:HI with 0 < LO <= HI <= 1, got {lo}:{hi}")
        require(1 <= self.supersample <= MAX_SUPERSAMPLE,
                f"supersample must be in 1..{MAX_SUPERSAMPLE}, got {self.supersample}")

    def identity(self) -> dict:
        """These settings as recorded in a dataset's header."""
        return {"shapes": list(self.shapes), "sigma": self.sigma, "rmin": self.rmin, "rmax": self.rmax,
                "max_shapes": self.max_shapes, "aspect": list(self.aspect), "supersample": self.supersample}

    @property
    def kinds(self) -> np.ndarray:
        """The enabled shapes as kernel codes, in the order given (the order the type draw indexes)."""
        return np.array([SHAPES.index(s) for s in self.shapes], np.int64)


@numba.njit(cache=True, inline="always")
def _uniform(seed: np.uint64, counter: np.uint64) -> float:
    """Uniform in [0, 1) from position ``counter`` of the splitmix64 stream that starts at ``seed``."""
    z = seed + _GOLDEN * counter
    z = (z ^ (z >> _S30)) * _MUL1
    z = (z ^ (z >> _S27)) * _MUL2
    z = z ^ (z >> _S31)
    return float(z >> _S11) * _UNIT


@numba.njit(cache=True, inline="always")
def _power_law(u: float, sigma: float, rmin: float, rmax: float) -> float:
    """Inverse CDF of the density proportional to r^-sigma on [rmin, rmax]."""
    if abs(sigma - 1.0) < 1e-12:
        return rmin * (rmax / rmin) ** u
    e = 1.0 - sigma
    a = rmin**e
    return (a + u * (rmax**e - a)) ** (1.0 / e)


@numba.njit(cache=True, inline="always")
def _sort4(a: float, b: float, c: float, d: float) -> tuple[float, float, float, float]:
    if a > b:
        a, b = b, a
    if c > d:
        c, d = d, c
    if a > c:
        a, c = c, a
    if b > d:
        b, d = d, b
    if b > c:
        b, c = c, b
    return a, b, c, d


@numba.njit(cache=True)
def _shape(seed, k, kinds, sigma, rmin, rmax, aspect_lo, aspect_hi):
    """Parameters of shape ``k`` of the image with ``seed`` (image fractions; angles in radians).

    Returns (kind, cx, cy, r, theta, aspect, a0, a1, a2, a3, red, green, blue); the vertex angles
    a0..a3 are sorted (for a triangle a0..a2, and a3 is unused).
    """
    base = np.uint64(k) * _STRIDE + _ONE
    n = kinds.shape[0]
    kind = kinds[min(int(_uniform(seed, base) * n), n - 1)]
    cx = _uniform(seed, base + np.uint64(1))
    cy = _uniform(seed, base + np.uint64(2))
    r = _power_law(_uniform(seed, base + np.uint64(3)), sigma, rmin, rmax)
    theta = _TWO_PI * _uniform(seed, base + np.uint64(4))
    aspect = aspect_lo + (aspect_hi - aspect_lo) * _uniform(seed, base + np.uint64(5))
    a0 = _TWO_PI * _uniform(seed, base + np.uint64(6))
    a1 = _TWO_PI * _uniform(seed, base + np.uint64(7))
    a2 = _TWO_PI * _uniform(seed, base + np.uint64(8))
    a3 = _TWO_PI * _uniform(seed, base + np.uint64(9))
    if kind == TRIANGLE:
        a0, a1, a2, a3 = _sort4(a0, a1, a2, math.inf)
        a3 = math.nan
    else:
        a0, a1, a2, a3 = _sort4(a0, a1, a2, a3)
    red = int(_uniform(seed, base + np.uint64(10)) * 256.0)
    green = int(_uniform(seed, base + np.uint64(11)) * 256.0)
    blue = int(_uniform(seed, base + np.uint64(12)) * 256.0)
    return kind, cx, cy, r, theta, aspect, a0, a1, a2, a3, red, green, blue


@numba.njit(cache=True, inline="always")
def _edge(ax: float, ay: float, bx: float, by: float, px: float, py: float) -> bool:
    """Is p on the inner (left) side of the counter-clockwise edge a -> b?"""
    return (bx - ax) * (py - ay) - (by - ay) * (px - ax) >= 0.0


@numba.njit(cache=True)
def _paint(canvas, covered, size, kind, cx, cy, r, theta, aspect, a0, a1, a2, a3, red, green, blue) -> int:
    """Fill the still-empty pixels of ``canvas`` whose centres lie in the shape; returns how many."""
    x, y, rad = cx * size, cy * size, r * size
    c, s = math.cos(theta), math.sin(theta)
    half_b = rad * aspect if kind == RECTANGLE else rad
    x0 = y0 = x1 = y1 = x2 = y2 = x3 = y3 = 0.0
    if kind in (CIRCLE, SQUARE):
        lo_x, hi_x, lo_y, hi_y = x - rad, x + rad, y - rad, y + rad
    elif kind in (ORIENTED_SQUARE, RECTANGLE):
        ex = rad * abs(c) + half_b * abs(s)
        ey = rad * abs(s) + half_b * abs(c)
        lo_x, hi_x, lo_y, hi_y = x - ex, x + ex, y - ey, y + ey
    else:
        x0, y0 = x + rad * math.cos(a0), y + rad * math.sin(a0)
        x1, y1 = x + rad * math.cos(a1), y + rad * math.sin(a1)
        x2, y2 = x + rad * math.cos(a2), y + rad * math.sin(a2)
        if kind == TRIANGLE:
            x3, y3 = x0, y0  # the closing edge 2 -> 3 -> 0 collapses to 2 -> 0
        else:
            x3, y3 = x + rad * math.cos(a3), y + rad * math.sin(a3)
        lo_x, hi_x = min(x0, x1, x2, x3), max(x0, x1, x2, x3)
        lo_y, hi_y = min(y0, y1, y2, y3), max(y0, y1, y2, y3)
    # pixel p is tested at p + 0.5, so p runs over ceil(lo - 0.5) .. floor(hi - 0.5)
    px_lo, px_hi = max(0, int(math.ceil(lo_x - 0.5))), min(size - 1, int(math.floor(hi_x - 0.5)))
    py_lo, py_hi = max(0, int(math.ceil(lo_y - 0.5))), min(size - 1, int(math.floor(hi_y - 0.5)))
    rad2 = rad * rad
    painted = 0
    for py in range(py_lo, py_hi + 1):
        fy = py + 0.5
        dy = fy - y
        for px in range(px_lo, px_hi + 1):
            if covered[py, px]:
                continue
            fx = px + 0.5
            dx = fx - x
            if kind == CIRCLE:
                inside = dx * dx + dy * dy <= rad2
            elif kind == SQUARE:
                inside = abs(dx) <= rad and abs(dy) <= rad
            elif kind in (ORIENTED_SQUARE, RECTANGLE):
                inside = abs(dx * c + dy * s) <= rad and abs(dy * c - dx * s) <= half_b
            else:
                inside = (_edge(x0, y0, x1, y1, fx, fy) and _edge(x1, y1, x2, y2, fx, fy)
                          and _edge(x2, y2, x3, y3, fx, fy) and _edge(x3, y3, x0, y0, fx, fy))
            if inside:
                covered[py, px] = True
                canvas[py, px, 0] = red
                canvas[py, px, 1] = green
                canvas[py, px, 2] = blue
                painted += 1
    return painted


@numba.njit(cache=True)
def _render_one(seed, size, factor, kinds, sigma, rmin, rmax, aspect_lo, aspect_hi, max_shapes, out):
    """Render one image into ``out`` (size x size x 3); returns (shapes used, pixels not fully covered)."""
    hi = size * factor
    canvas = out if factor == 1 else np.zeros((hi, hi, 3), np.uint8)
    covered = np.zeros((hi, hi), np.bool_)
    left = hi * hi
    k = 0
    while left > 0 and k < max_shapes:
        kind, cx, cy, r, theta, aspect, a0, a1, a2, a3, red, green, blue = _shape(
            seed, k, kinds, sigma, rmin, rmax, aspect_lo, aspect_hi)
        left -= _paint(canvas, covered, hi, kind, cx, cy, r, theta, aspect, a0, a1, a2, a3, red, green, blue)
        k += 1
    if factor == 1:
        return k, left
    samples = factor * factor
    uncovered = 0
    for py in range(size):
        for px in range(size):
            sr = sg = sb = 0
            empty = False
            for sy in range(py * factor, (py + 1) * factor):
                for sx in range(px * factor, (px + 1) * factor):
                    sr += canvas[sy, sx, 0]
                    sg += canvas[sy, sx, 1]
                    sb += canvas[sy, sx, 2]
                    empty = empty or not covered[sy, sx]
            out[py, px, 0] = (sr + samples // 2) // samples
            out[py, px, 1] = (sg + samples // 2) // samples
            out[py, px, 2] = (sb + samples // 2) // samples
            if empty:
                uncovered += 1
    return k, uncovered


@numba.njit(cache=True, parallel=True)
def _render(seeds, size, factor, kinds, sigma, rmin, rmax, aspect_lo, aspect_hi, max_shapes,
            images, shapes_used, uncovered):
    for i in numba.prange(seeds.shape[0]):
        shapes_used[i], uncovered[i] = _render_one(seeds[i], size, factor, kinds, sigma, rmin, rmax,
                                                   aspect_lo, aspect_hi, max_shapes, images[i])


@numba.njit(cache=True)
def _sample(seed, count, kinds, sigma, rmin, rmax, aspect_lo, aspect_hi, ints, floats):
    for k in range(count):
        kind, cx, cy, r, theta, aspect, a0, a1, a2, a3, red, green, blue = _shape(
            seed, k, kinds, sigma, rmin, rmax, aspect_lo, aspect_hi)
        ints[k, 0], ints[k, 1], ints[k, 2], ints[k, 3] = kind, red, green, blue
        floats[k, 0], floats[k, 1], floats[k, 2], floats[k, 3] = cx, cy, r, theta
        floats[k, 4], floats[k, 5], floats[k, 6], floats[k, 7], floats[k, 8] = aspect, a0, a1, a2, a3


def sample_shapes(settings: LeavesSettings, seed: int, count: int) -> dict[str, np.ndarray]:
    """The first ``count`` shapes of the image with ``seed``, front (0) to back, exactly as the renderer
    draws them. Keys: kind (index into SHAPES), cx, cy, r (image fractions), theta, aspect, angles
    (count x 4, sorted; a triangle uses the first 3), colour (count x 3 uint8)."""
    ints = np.zeros((count, 4), np.int64)
    floats = np.zeros((count, 9), np.float64)
    _sample(np.uint64(seed), count, settings.kinds, settings.sigma, settings.rmin, settings.rmax,
            settings.aspect[0], settings.aspect[1], ints, floats)
    return {"kind": ints[:, 0], "cx": floats[:, 0], "cy": floats[:, 1], "r": floats[:, 2], "theta": floats[:, 3],
            "aspect": floats[:, 4], "angles": floats[:, 5:9], "colour": ints[:, 1:4].astype(np.uint8)}


def render_images(settings: LeavesSettings, size: int, seeds: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Render one image per seed: (uint8 images n x size x size x 3, shapes used, pixels left uncovered).

    Uncovered pixels (only possible when ``max_shapes`` runs out) stay black.
    """
    seeds = np.ascontiguousarray(seeds, np.uint64)
    n = len(seeds)
    images = np.zeros((n, size, size, 3), np.uint8)
    shapes_used = np.zeros(n, np.int64)
    uncovered = np.zeros(n, np.int64)
    _render(seeds, size, settings.supersample, settings.kinds, settings.sigma, settings.rmin, settings.rmax,
            settings.aspect[0], settings.aspect[1], settings.max_shapes, images, shapes_used, uncovered)
    return images, shapes_used, uncovered


def make_chunk(settings: LeavesSettings, size: int, seed: int, chunk: int,
               count: int) -> tuple[np.ndarray, dict[str, list], dict[str, int]]:
    """Chunk ``chunk`` of a Leaves dataset: (images, metadata columns, counts), see ``synthkd.core.generate``."""
    seeds = chunk_seeds(seed, chunk, count)
    images, shapes_used, uncovered = render_images(settings, size, seeds)
    columns = {"seed": seeds.tolist(), "shapes": shapes_used.tolist(), "uncovered": uncovered.tolist()}
    counts = {"rendered": count, "kept": count, "shapes": int(shapes_used.sum()),
              "images_not_covered": int((uncovered > 0).sum()), "uncovered_pixels": int(uncovered.sum())}
    return images, columns, counts
