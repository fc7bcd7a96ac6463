"""The paper's render filters: drop images that are constant, "simple" (two colours, or few coloured
pixels), or that hold NaN/Inf. Vectorised over a batch; each test is O(pixels), no sort.

The tests look at a grid of about ``SAMPLES`` x ``SAMPLES`` pixels (every pixel of a 32 px image, every
k-th pixel of a larger one): they judge the overall look of an image, and filtering must stay far cheaper
than rendering, with which it shares the CPU on machines without a GPU.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KEEP = 0
SAMPLES = 32
REASONS = ("kept", "nan_inf", "constant", "few_colours", "mostly_background")


@dataclass(frozen=True)
class FilterSettings:
    min_range: int = 8
    """A render is "constant" when every channel spans fewer than this many 8-bit levels."""
    min_foreground: float = 0.05
    """A render is "mostly_background" when fewer pixels than this fraction differ from its dominant colour."""

    def __post_init__(self) -> None:
        if not 1 <= self.min_range <= 255:
            raise ValueError(f"min_range must be in 1..255, got {self.min_range}")
        if not 0.0 <= self.min_foreground < 0.5:
            raise ValueError(f"min_foreground must be in [0, 0.5), got {self.min_foreground}")


def classify(images: np.ndarray, nan_inf: np.ndarray, settings: FilterSettings = FilterSettings()) -> np.ndarray:
    """Reason code per image (index into ``REASONS``; 0 = keep). ``images`` is (N, H, W, 3) uint8."""
    n = len(images)
    reason = np.zeros(n, np.int8)
    if n == 0:
        return reason
    step = max(1, images.shape[1] // SAMPLES)
    flat = (images if step == 1 else np.ascontiguousarray(images[:, ::step, ::step])).reshape(n, -1)
    r, g, b = flat[:, 0::3], flat[:, 1::3], flat[:, 2::3]
    packed = (r.astype(np.int32) << 16) | (g.astype(np.int32) << 8) | b

    span = np.max([c.max(axis=1) - c.min(axis=1) for c in (r, g, b)], axis=0)
    constant = span < settings.min_range

    # At most two colours: every pixel equals the first pixel's colour or the first colour that differs.
    differs = packed != packed[:, :1]
    second = np.take_along_axis(packed, differs.argmax(axis=1)[:, None], axis=1)
    few = ~(differs & (packed != second)).any(axis=1)

    # A colour covering more than half the image is its median, so one partial sort finds it.
    p = packed.shape[1]
    median = np.partition(packed, p // 2, axis=1)[:, p // 2 : p // 2 + 1]
    background = (packed == median).mean(axis=1)
    mostly_bg = background > 1.0 - settings.min_foreground

    nan_inf = np.asarray(nan_inf, bool)
    for code, hit in ((4, mostly_bg), (3, few), (2, constant), (1, nan_inf)):  # the last assignment wins
        reason[hit] = code
    return reason


def count_reasons(codes: np.ndarray) -> dict[str, int]:
    counts = np.bincount(codes, minlength=len(REASONS))
    return {name: int(c) for name, c in zip(REASONS, counts, strict=True) if c}
