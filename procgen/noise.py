"""Noise images: every pixel and channel drawn independently (or with a 1/f^alpha spectrum) around the
original dataset's per-channel mean and standard deviation, clipped to [0, 1].

The paper's noise baseline is ``gaussian``: N(mean_c, std_c) per pixel and channel. ``uniform`` has the
same mean and standard deviation (mean +- sqrt(3) std). ``spectral`` keeps those two moments but correlates
neighbouring pixels: each channel is white noise shaped in the Fourier domain to a power spectrum
proportional to 1/f^alpha (alpha 0 is white, 1 "pink", 2 "brown"), then standardised. Values are clipped
to [0, 1] and rounded to 8 bits, so the stored images' moments are those of the clipped distribution.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

KINDS = ("gaussian", "uniform", "spectral")
PRESETS: dict[str, tuple[tuple[float, float, float], tuple[float, float, float]]] = {
    "cifar10": ((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)),
    "cifar100": ((0.5071, 0.4865, 0.4409), (0.2673, 0.2564, 0.2762)),
    "imagenet": ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
    "tiny-imagenet": ((0.4802, 0.4481, 0.3975), (0.2302, 0.2265, 0.2262)),
    "mnist": ((0.1307,) * 3, (0.3081,) * 3),
}


def parse_stats(text: str) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """A preset name, ``MEAN,STD`` (all channels), or ``MR,MG,MB,SR,SG,SB`` -> (means, stds)."""
    name = text.strip().lower()
    if name in PRESETS:
        return PRESETS[name]
    if not re.fullmatch(r"[\d.eE+\-\s,]+", text):
        raise ValueError(f"unknown statistics preset {text!r}: choose one of {', '.join(PRESETS)} or give "
                         "MEAN,STD or MR,MG,MB,SR,SG,SB")
    try:
        numbers = [float(x) for x in text.split(",")]
    except ValueError:
        raise ValueError(f"malformed statistics {text!r}: expected MEAN,STD or MR,MG,MB,SR,SG,SB") from None
    if len(numbers) == 2:
        return (numbers[0],) * 3, (numbers[1],) * 3
    if len(numbers) == 6:
        return tuple(numbers[:3]), tuple(numbers[3:])
    raise ValueError(f"statistics {text!r} hold {len(numbers)} numbers: expected 2 (MEAN,STD) or 6")


@dataclass(frozen=True)
class NoiseSettings:
    """What defines a noise image besides its seed and size; invalid values raise ValueError."""

    mean: tuple[float, float, float] = PRESETS["cifar10"][0]
    std: tuple[float, float, float] = PRESETS["cifar10"][1]
    kind: str = "gaussian"
    alpha: float = 1.0  # spectral slope, for kind "spectral"

    def __post_init__(self) -> None:
        object.__setattr__(self, "mean", tuple(float(m) for m in self.mean))
        object.__setattr__(self, "std", tuple(float(s) for s in self.std))
        if len(self.mean) != 3 or len(self.std) != 3:
            raise ValueError("mean and std need one value per channel (3 each)")
        if not all(0.0 <= m <= 1.0 for m in self.mean):
            raise ValueError(f"means must lie in [0, 1], got {self.mean}")
        if not all(0.0 < s <= 1.0 for s in self.std):
            raise ValueError(f"standard deviations must lie in (0, 1], got {self.std}")
        if self.kind not in KINDS:
            raise ValueError(f"unknown noise kind {self.kind!r}: choose one of {', '.join(KINDS)}")
        if not (math.isfinite(self.alpha) and 0.0 <= self.alpha <= 4.0):
            raise ValueError(f"alpha must be in [0, 4], got {self.alpha}")


def unit_noise(kind: str, rng: np.random.Generator, shape: tuple[int, int, int, int], alpha: float) -> np.ndarray:
    """Zero-mean, unit-variance noise of ``shape`` (n, h, w, 3), float32, independent per channel."""
    if kind == "gaussian":
        return rng.standard_normal(shape, dtype=np.float32)
    if kind == "uniform":
        return (rng.random(shape, dtype=np.float32) * 2.0 - 1.0) * np.float32(math.sqrt(3.0))
    n, h, w, c = shape
    white = rng.standard_normal((n, c, h, w), dtype=np.float32)
    fy = np.fft.fftfreq(h)[:, None]
    fx = np.fft.rfftfreq(w)[None, :]
    f = np.hypot(fy, fx)
    f[0, 0] = 1.0  # the mean is removed below; avoid dividing by zero here
    shaped = np.fft.irfft2(np.fft.rfft2(white) * (f ** (-alpha / 2.0)), s=(h, w)).astype(np.float32)
    shaped -= shaped.mean(axis=(2, 3), keepdims=True)
    shaped /= np.maximum(shaped.std(axis=(2, 3), keepdims=True), 1e-8)
    return shaped.transpose(0, 2, 3, 1)


def make_chunk(settings: NoiseSettings, size: int, seed: int, chunk: int,
               count: int) -> tuple[np.ndarray, dict[str, list], dict[str, int]]:
    """Chunk ``chunk`` of a noise dataset: (images, metadata columns, counts) for DatasetWriter.write_chunk.

    Chunk ``c`` draws from a generator seeded with (seed, c), so chunks are independent of one another.
    """
    rng = np.random.default_rng([seed, chunk])
    z = unit_noise(settings.kind, rng, (count, size, size, 3), settings.alpha)
    x = z * np.asarray(settings.std, np.float32) + np.asarray(settings.mean, np.float32)
    images = np.rint(np.clip(x, 0.0, 1.0) * 255.0).astype(np.uint8)
    columns = {"kind": [settings.kind] * count, "chunk_seed": [[seed, chunk]] * count}
    return images, columns, {"rendered": count, "kept": count}


def clipped_moments(mean: float, std: float, kind: str = "gaussian") -> tuple[float, float]:
    """Mean and standard deviation of clip(mean + std * Z, 0, 1) for the noise kind's Z (by quadrature).

    Spectral noise has Gaussian marginals. Used to say what statistics the stored images should have.
    """
    if kind == "uniform":
        z = np.linspace(-math.sqrt(3.0), math.sqrt(3.0), 200001)
        weight = np.ones_like(z)
    else:
        z = np.linspace(-9.0, 9.0, 200001)
        weight = np.exp(-0.5 * z * z)
    weight /= weight.sum()
    x = np.clip(mean + std * z, 0.0, 1.0)
    m = float((weight * x).sum())
    return m, float(math.sqrt((weight * (x - m) ** 2).sum()))
