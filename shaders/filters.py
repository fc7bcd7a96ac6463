"""The paper's render filters: drop images that are constant, "simple" (two colours, or few coloured
pixels), or that hold NaN/Inf.

A filter decision is made from three statistics per image, taken on a grid of about ``SAMPLES`` x
``SAMPLES`` pixels (every pixel of a 32 px image, every k-th pixel of a larger one):

* ``span``: the largest, over R, G and B, of (max - min) in 8-bit levels;
* ``colours``: the number of distinct colours, counted up to 3;
* ``majority``: how many samples share a colour that covers more than half of them (0 if none does).

:func:`image_stats` computes them on the CPU; the renderer computes the same numbers on the GPU
(``synthkd.shaders.render``), so that filtering does not compete with rendering for the CPU. Both feed
:func:`decide`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthkd.core.settings import require

SAMPLES = 32
REASONS = ("kept", "nan_inf", "constant", "few_colours", "mostly_background")


@dataclass(frozen=True)
class FilterSettings:
    min_range: int = 8
    """A render is "constant" when every channel spans fewer than this many 8-bit levels."""
    min_foreground: float = 0.05
    """A render is "mostly_background" when fewer pixels than this fraction differ from its dominant colour."""

    def __post_init__(self) -> None:
        require(1 <= self.min_range <= 255, f"--min-range must be in 1..255, got {self.min_range}")
        require(0.0 <= self.min_foreground < 0.5, f"--min-foreground must be in [0, 0.5), got {self.min_foreground}")


def sample_step(size: int) -> int:
    """Stride of the sample grid for ``size`` px images."""
    return max(1, size // SAMPLES)


def image_stats(images: np.ndarray) -> np.ndarray:
    """(N, 3) int32: span, colours (capped at 3) and majority count of each (N, H, W, 3) uint8 image."""
    n = len(images)
    if n == 0:
        return np.zeros((0, 3), np.int32)
    step = sample_step(images.shape[1])
    flat = (images if step == 1 else np.ascontiguousarray(images[:, ::step, ::step])).reshape(n, -1)
    r, g, b = flat[:, 0::3], flat[:, 1::3], flat[:, 2::3]
    packed = (r.astype(np.int32) << 16) | (g.astype(np.int32) << 8) | b

    span = np.max([c.max(axis=1) - c.min(axis=1) for c in (r, g, b)], axis=0)

    # Distinct colours up to 3: the first sample's colour, the first colour that differs, any third one.
    differs = packed != packed[:, :1]
    second = np.take_along_axis(packed, differs.argmax(axis=1)[:, None], axis=1)
    third = (differs & (packed != second)).any(axis=1)
    colours = 1 + differs.any(axis=1).astype(np.int32) + third.astype(np.int32)

    # A colour covering more than half of the samples is their median: one partial sort finds it.
    p = packed.shape[1]
    median = np.partition(packed, p // 2, axis=1)[:, p // 2 : p // 2 + 1]
    count = (packed == median).sum(axis=1)
    majority = np.where(2 * count > p, count, 0)
    return np.stack([span, colours, majority], axis=1).astype(np.int32)


def decide(stats: np.ndarray, nan_inf: np.ndarray, size: int,
           settings: FilterSettings = FilterSettings()) -> np.ndarray:
    """Reason code per image (index into ``REASONS``; 0 = keep) from its statistics and NaN flag."""
    samples = len(range(0, size, sample_step(size))) ** 2
    reason = np.zeros(len(stats), np.int8)
    span, colours, majority = stats[:, 0], stats[:, 1], stats[:, 2]
    checks = (  # the first reason that applies is the one counted
        (1, np.asarray(nan_inf, bool)),
        (2, span < settings.min_range),
        (3, colours <= 2),
        (4, majority > (1.0 - settings.min_foreground) * samples),
    )
    for code, hit in reversed(checks):
        reason[hit] = code
    return reason


def classify(images: np.ndarray, nan_inf: np.ndarray, settings: FilterSettings = FilterSettings()) -> np.ndarray:
    """Reason code per (N, H, W, 3) uint8 image, computed on the CPU."""
    return decide(image_stats(images), nan_inf, images.shape[1], settings)

