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
from dataclasses import dataclass, field

import numpy as np

from synthkd.core.generate import chunk_seeds
from synthkd.core.settings import UsageError, opt, require
from synthkd.core.statistics import STATISTICS

KINDS = ("gaussian", "uniform", "spectral")


def parse_stats(text: str) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """A preset name, ``MEAN,STD`` (all channels), or ``MR,MG,MB,SR,SG,SB`` -> (means, stds)."""
    name = text.strip().lower()
    if name in STATISTICS:
        return STATISTICS[name]
    if not re.fullmatch(r"[\d.eE+\-\s,]+", text):
        raise UsageError(f"unknown statistics preset {text!r}: choose one of {', '.join(STATISTICS)} or give "
                         "MEAN,STD or MR,MG,MB,SR,SG,SB")
    try:
        numbers = [float(x) for x in text.split(",")]
    except ValueError:
        raise UsageError(f"malformed statistics {text!r}: expected MEAN,STD or MR,MG,MB,SR,SG,SB") from None
    if len(numbers) == 2:
        return (numbers[0],) * 3, (numbers[1],) * 3
    if len(numbers) == 6:
        return tuple(numbers[:3]), tuple(numbers[3:])
    raise UsageError(f"statistics {text!r} hold {len(numbers)} numbers: expected 2 (MEAN,STD) or 6")


@dataclass(frozen=True, kw_only=True)
class NoiseSettings:
    """What defines a noise image besides its seed and size; invalid values raise UsageError."""

    stats: str = opt("cifar10", f"a preset ({', '.join(STATISTICS)}), MEAN,STD for all channels, or MR,MG,MB,SR,SG,SB",
                     "--stats", metavar="NAME|MEAN,STD")
    kind: str = opt("gaussian", "'gaussian': N(mean, std) per pixel; 'uniform': same mean and std, flat; 'spectral': "
                    "Gaussian values with a 1/f^alpha power spectrum (blobs instead of speckle)", "--kind",
                    choices=KINDS)
    alpha: float = opt(1.0, "spectral slope for --kind spectral (0 = white)", "--alpha", type=float)
    mean: tuple[float, float, float] = field(init=False)
    std: tuple[float, float, float] = field(init=False)

    def __post_init__(self) -> None:
        mean, std = parse_stats(self.stats)
        object.__setattr__(self, "mean", tuple(float(m) for m in mean))
        object.__setattr__(self, "std", tuple(float(s) for s in std))
        require(all(0.0 <= m <= 1.0 for m in self.mean), f"means must lie in [0, 1], got {self.mean}")
        require(all(0.0 < s <= 1.0 for s in self.std), f"standard deviations must lie in (0, 1], got {self.std}")
        require(self.kind in KINDS, f"unknown noise kind {self.kind!r}: choose one of {', '.join(KINDS)}")
        require(math.isfinite(self.alpha) and 0.0 <= self.alpha <= 4.0, f"alpha must be in [0, 4], got {self.alpha}")

    def identity(self) -> dict:
        """These settings as recorded in a dataset's header."""
        return {"stats": self.stats, "mean": list(self.mean), "std": list(self.std), "kind": self.kind,
                **({"alpha": self.alpha} if self.kind == "spectral" else {})}


BLOCK_VALUES = 1 << 22  # values generated at a time (16 MiB as float32), so memory stays flat at any size


def unit_noise(kind: str, seeds: np.ndarray, size: int, alpha: float) -> np.ndarray:
    """Zero-mean, unit-variance noise (n, size, size, 3) float32, image i drawn from a generator seeded
    with ``seeds[i]`` alone; channels independent."""
    shape = (size, size, 3)
    if kind == "uniform":
        scale = np.float32(2.0 * math.sqrt(3.0))
        return np.stack([(np.random.default_rng(int(s)).random(shape, dtype=np.float32) - 0.5) * scale
                         for s in seeds])
    white = np.stack([np.random.default_rng(int(s)).standard_normal(shape, dtype=np.float32) for s in seeds])
    if kind == "gaussian":
        return white
    f = np.hypot(np.fft.fftfreq(size)[:, None], np.fft.rfftfreq(size)[None, :])
    f[0, 0] = 1.0  # the mean is removed below; avoid dividing by zero here
    planes = np.ascontiguousarray(white.transpose(0, 3, 1, 2))  # FFTs run fastest over the last two axes
    shaped = np.fft.irfft2(np.fft.rfft2(planes) * f ** (-alpha / 2.0), s=(size, size)).astype(np.float32)
    shaped -= shaped.mean(axis=(2, 3), keepdims=True)
    shaped /= np.maximum(shaped.std(axis=(2, 3), keepdims=True), 1e-8)
    return shaped.transpose(0, 2, 3, 1)


def make_chunk(settings: NoiseSettings, size: int, seed: int, chunk: int,
               count: int) -> tuple[np.ndarray, dict[str, list], dict[str, int]]:
    """Chunk ``chunk`` of a noise dataset: (images, metadata columns, counts), see ``synthkd.core.generate``.

    Each image comes from its own seed (recorded), so one image can be made again without its chunk;
    images are generated a block at a time to bound memory.
    """
    seeds = chunk_seeds(seed, chunk, count)
    images = np.empty((count, size, size, 3), np.uint8)
    mean, std = np.asarray(settings.mean, np.float32), np.asarray(settings.std, np.float32)
    block = max(1, BLOCK_VALUES // (size * size * 3))
    for start in range(0, count, block):
        z = unit_noise(settings.kind, seeds[start : start + block], size, settings.alpha)
        images[start : start + block] = np.rint(np.clip(z * std + mean, 0.0, 1.0) * 255.0)
    columns = {"seed": seeds.tolist(), "kind": [settings.kind] * count}
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
