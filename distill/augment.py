"""The paper's augmentation levels, applied to a whole batch at once on the training device.

Every image gets its own random parameters (which RandAugment operations, their signs, its crop, flip, elastic
field, erased box), unlike ``torchvision.transforms.v2`` on a batch tensor (one parameter set per call) or
kornia's RandAugment (one set of operations per batch). Levels (Frank & Davis, sections 3.3 and 4):

- ``none``: the images as they are;
- ``standard``: random crop with zero padding of 1/8 of the size (4 px at 32 px), horizontal flip (p = 0.5),
  RandAugment(n=2, m=14);
- ``high`` (the paper's choice for synthetic data): crop, flip, RandAugment(n=4, m=14), an elastic warp of every
  image and colour inversion (p = 0.5);
- ``extreme``: ``high`` with RandAugment(n=8, m=30) and random erasing (p = 0.5) on top.

RandAugment follows ``torchvision.transforms.RandAugment``: each of the n rounds picks one of 14 operations per
image (with replacement across rounds), magnitude m indexes 31 bins from 0 to each operation's maximum, signed
operations get a random sign. So m maps to: rotate 30 * m/30 degrees; shear 0.3 * m/30 (about the top-left
corner); translate 150/331 * m/30 of the size (whole pixels); brightness, colour (saturation), contrast and
sharpness factor 1 +/- 0.9 * m/30; posterize to 8 - round(m/7.5) bits; solarize above 1 - m/30; autocontrast,
equalize and identity take no magnitude. At m=14: 14 degrees, shear 0.14, 6 px at 32 px, factor 1 +/- 0.42,
6 bits, threshold 0.53; at m=30: 30 degrees, 0.3, 14 px, 1 +/- 0.9, 4 bits, threshold 0 (solarize inverts).
Geometric operations use nearest-neighbour sampling and fill with black, as torchvision's do. The elastic warp
is ``torchvision.transforms.ElasticTransform``'s (alpha 50, sigma 5: a smooth field of about 1 px), random
erasing is ``torchvision.transforms.RandomErasing``'s (2-33 % of the area, aspect 0.3-3.3, filled with black).

Random numbers are drawn for the *global* batch and each process keeps its own rows, so a run split over
torchrun processes augments every image exactly as a single process would.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
import torchvision.transforms.v2.functional as TF


@dataclass(frozen=True)
class Level:
    """One augmentation level: RandAugment (n, m) or none, and which of the other transforms are on."""

    randaugment: tuple[int, int] | None
    crop_flip: bool
    elastic: bool
    invert: bool
    erase: bool


LEVELS: dict[str, Level] = {
    "none": Level(None, False, False, False, False),
    "standard": Level((2, 14), True, False, False, False),
    "high": Level((4, 14), True, True, True, False),
    "extreme": Level((8, 30), True, True, True, True),
}

MAGNITUDE_BINS = 31  # m in 0..30, as torchvision's RandAugment
OPS = ("identity", "shear_x", "shear_y", "translate_x", "translate_y", "rotate",
       "brightness", "color", "contrast", "sharpness", "posterize", "solarize", "autocontrast", "equalize")
GEOMETRIC = OPS[1:6]
# Largest magnitude (at m = 30) of the operations that have one; translation is a fraction of the image size.
MAX_MAGNITUDE = {"shear_x": 0.3, "shear_y": 0.3, "translate_x": 150 / 331, "translate_y": 150 / 331,
                 "rotate": 30.0, "brightness": 0.9, "color": 0.9, "contrast": 0.9, "sharpness": 0.9}
ELASTIC_ALPHA, ELASTIC_SIGMA = 50.0, 5.0
INVERT_P = ERASE_P = FLIP_P = 0.5
ERASE_SCALE, ERASE_RATIO, ERASE_TRIES = (0.02, 0.33), (0.3, 3.3), 10


class Draws:
    """Random numbers for this process's rows of a global batch of ``total`` images: every draw is made for the
    whole global batch from ``generator`` (the same on every process) and ``rows`` of it are kept."""

    def __init__(self, generator: torch.Generator, total: int, rows: slice = slice(None)):
        self.generator, self.total, self.rows = generator, total, rows

    def uniform(self, *shape: int) -> torch.Tensor:
        return torch.rand((self.total, *shape), generator=self.generator, device=self.generator.device)[self.rows]

    def chance(self, p: float) -> torch.Tensor:
        return self.uniform() < p

    def integers(self, high: int | torch.Tensor, *shape: int) -> torch.Tensor:
        """Uniform whole numbers in [0, high); ``high`` may differ per image (a tensor of this process's rows)."""
        u = self.uniform(*shape)
        high = high.view(-1, *([1] * len(shape))) if isinstance(high, torch.Tensor) else high
        return (u * high).long().clamp_max(high - 1)


class Augment:
    """``Augment(level)(images, draws)``: uint8 (N, 3, H, W) -> augmented float images in [0, 1]."""

    def __init__(self, level: str | Level):
        if isinstance(level, str):
            if level not in LEVELS:
                raise ValueError(f"augmentation level must be one of {', '.join(LEVELS)}, got {level!r}")
            level = LEVELS[level]
        if level.randaugment is not None:
            n, m = level.randaugment
            if n < 0 or not 0 <= m < MAGNITUDE_BINS:
                raise ValueError(f"RandAugment wants n >= 0 and m in 0..{MAGNITUDE_BINS - 1}, got n={n}, m={m}")
        self.level = level

    def __call__(self, images: torch.Tensor, draws: Draws) -> torch.Tensor:
        x = images.float().div_(255) if images.dtype == torch.uint8 else images.float()
        level = self.level
        if level.crop_flip:
            x = random_crop(x, draws, padding=max(1, x.shape[-1] // 8))
            x = torch.where(draws.chance(FLIP_P).view(-1, 1, 1, 1), x.flip(-1), x)
        if level.randaugment is not None:
            x = randaugment(x, draws, *level.randaugment)
        if level.elastic:
            x = elastic(x, draws)
        if level.invert:
            x = torch.where(draws.chance(INVERT_P).view(-1, 1, 1, 1), 1 - x, x)
        if level.erase:
            x = random_erase(x, draws)
        return x


def random_crop(x: torch.Tensor, draws: Draws, padding: int) -> torch.Tensor:
    """Each image shifted by up to ``padding`` pixels each way, uncovered pixels black (pad, then crop)."""
    n, _, h, w = x.shape
    padded = F.pad(x, (padding,) * 4)
    top, left = draws.integers(2 * padding + 1), draws.integers(2 * padding + 1)
    rows = (top[:, None] + torch.arange(h, device=x.device)).view(n, 1, h, 1).expand(n, 3, h, w + 2 * padding)
    x = padded.gather(2, rows)
    cols = (left[:, None] + torch.arange(w, device=x.device)).view(n, 1, 1, w).expand(n, 3, h, w)
    return x.gather(3, cols)


def magnitudes(m: int, size: tuple[int, int]) -> dict[str, float]:
    """What magnitude bin ``m`` means for each RandAugment operation (before the random sign)."""
    h, w = size
    out = {op: top * m / (MAGNITUDE_BINS - 1) for op, top in MAX_MAGNITUDE.items()}
    out["translate_x"] = float(int(out["translate_x"] * w))
    out["translate_y"] = float(int(out["translate_y"] * h))
    out["posterize"] = 8 - round(m / ((MAGNITUDE_BINS - 1) / 4))
    out["solarize"] = 1.0 - m / (MAGNITUDE_BINS - 1)
    return out


def randaugment(x: torch.Tensor, draws: Draws, n: int, m: int) -> torch.Tensor:
    """RandAugment(n, m) with an independent choice of operations and signs per image. Each round sorts the batch
    by operation, so that every operation runs once on a contiguous slice; the order is restored at the end."""
    mags = magnitudes(m, x.shape[-2:])
    where = torch.arange(len(x), device=x.device)  # where[i]: the input row now at position i
    for _ in range(n):
        op, sign = draws.integers(len(OPS)), torch.where(draws.chance(0.5), -1.0, 1.0)
        order = torch.argsort(op[where], stable=True)
        x, where = x[order], where[order]
        op, sign = op[where], sign[where]
        ends = torch.bincount(op, minlength=len(OPS)).cumsum(0).tolist()
        geometric = slice(ends[0], ends[len(GEOMETRIC)])  # OPS[1:6], next to each other once sorted
        pieces = [x[:ends[0]], affine(x[geometric], op[geometric], sign[geometric], mags)
                  if ends[len(GEOMETRIC)] > ends[0] else x[geometric]]
        for k in range(len(GEOMETRIC) + 1, len(OPS)):
            part = slice(ends[k - 1], ends[k])
            pieces.append(colour_op(OPS[k], x[part], 1.0 + sign[part] * mags.get(OPS[k], 0.0), mags)
                          if ends[k] > ends[k - 1] else x[part])
        x = torch.cat(pieces)
    return torch.empty_like(x).index_copy_(0, where, x)


def affine(x: torch.Tensor, op: torch.Tensor, sign: torch.Tensor, mags: dict[str, float]) -> torch.Tensor:
    """Shear, translate or rotate each image (``op`` indexes ``OPS``), by its signed magnitude."""
    n, _, h, w = x.shape
    inv = torch.eye(3, device=x.device).repeat(n, 1, 1)  # output pixel -> input pixel, in pixel units
    value = sign * torch.tensor([mags.get(name, 0.0) for name in OPS], device=x.device)[op]
    pick = {name: op == OPS.index(name) for name in GEOMETRIC}
    inv[pick["shear_x"], 0, 1] = value[pick["shear_x"]]
    inv[pick["shear_y"], 1, 0] = value[pick["shear_y"]]
    inv[pick["translate_x"], 0, 2] = -value[pick["translate_x"]]
    inv[pick["translate_y"], 1, 2] = -value[pick["translate_y"]]
    r = pick["rotate"]
    theta = torch.deg2rad(value[r])
    cos, sin, cx, cy = torch.cos(theta), torch.sin(theta), w / 2, h / 2
    inv[r, 0, 0], inv[r, 0, 1], inv[r, 0, 2] = cos, -sin, cx - cos * cx + sin * cy
    inv[r, 1, 0], inv[r, 1, 1], inv[r, 1, 2] = sin, cos, cy - sin * cx - cos * cy
    to_unit = torch.tensor([[2 / w, 0, -1], [0, 2 / h, -1], [0, 0, 1]], device=x.device)
    theta = (to_unit @ inv @ torch.linalg.inv(to_unit))[:, :2]
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="nearest", padding_mode="zeros", align_corners=False)


def _blend(x: torch.Tensor, other: torch.Tensor, factor: torch.Tensor) -> torch.Tensor:
    """``factor * x + (1 - factor) * other`` per image, clamped to [0, 1] (PIL's ImageEnhance)."""
    f = factor.view(-1, 1, 1, 1)
    return (f * x + (1 - f) * other).clamp_(0, 1)


def colour_op(name: str, x: torch.Tensor, factor: torch.Tensor, mags: dict[str, float]) -> torch.Tensor:
    """One photometric RandAugment operation on a batch; ``factor`` per image for the enhance operations."""
    if name == "brightness":
        return _blend(x, torch.zeros_like(x), factor)
    if name == "color":
        return _blend(x, TF.rgb_to_grayscale(x, num_output_channels=3), factor)
    if name == "contrast":
        return _blend(x, TF.rgb_to_grayscale(x).mean(dim=(1, 2, 3), keepdim=True), factor)
    if name == "sharpness":
        blurred = x.clone()  # PIL's smoothing kernel [[1, 1, 1], [1, 5, 1], [1, 1, 1]] / 13 inside the border
        h, w = x.shape[-2:]
        blurred[..., 1:-1, 1:-1] = (sum(x[..., i:h - 2 + i, j:w - 2 + j] for i in range(3) for j in range(3))
                                    + 4 * x[..., 1:-1, 1:-1]) / 13
        return _blend(x, blurred, factor)
    if name == "posterize":
        return TF.posterize(x, int(mags["posterize"]))
    if name == "solarize":
        return TF.solarize(x, mags["solarize"])
    if name == "autocontrast":
        return TF.autocontrast(x)
    if name == "equalize":
        return TF.equalize(x)
    raise ValueError(f"unknown operation {name!r}")


def _blur_matrix(n: int, device: torch.device) -> torch.Tensor:
    """(n, n) matrix of a 1-D Gaussian blur (sigma ``ELASTIC_SIGMA``, kernel 8 sigma + 1, reflect padding), so that
    ``rows @ M`` blurs along the last axis: one matrix product instead of a slow 41-tap convolution."""
    size = min(int(8 * ELASTIC_SIGMA + 1) | 1, 2 * n - 1)  # reflect padding needs size // 2 < n
    t = torch.arange(size, device=device, dtype=torch.float32) - (size - 1) / 2
    kernel = torch.exp(-0.5 * (t / ELASTIC_SIGMA) ** 2)
    basis = F.pad(torch.eye(n, device=device).unsqueeze(1), (size // 2, size // 2), mode="reflect")
    return F.conv1d(basis, (kernel / kernel.sum()).view(1, 1, -1)).squeeze(1)


def elastic(x: torch.Tensor, draws: Draws) -> torch.Tensor:
    """torchvision's ElasticTransform with a field of its own per image: uniform noise in [-1, 1] blurred by a
    Gaussian (sigma 5 px), scaled by alpha / size (in [-1, 1] grid units), sampled bilinearly, black fill."""
    n, _, h, w = x.shape
    noise = draws.uniform(2, h, w) * 2 - 1
    noise = _blur_matrix(h, x.device).T @ (noise @ _blur_matrix(w, x.device))
    displacement = noise * ELASTIC_ALPHA / torch.tensor([h, w], device=x.device, dtype=x.dtype).view(1, 2, 1, 1)
    identity = F.affine_grid(torch.eye(2, 3, device=x.device).expand(n, 2, 3), list(x.shape), align_corners=False)
    return F.grid_sample(x, identity + displacement.permute(0, 2, 3, 1), mode="bilinear", padding_mode="zeros",
                         align_corners=False)


def random_erase(x: torch.Tensor, draws: Draws) -> torch.Tensor:
    """torchvision's RandomErasing per image: up to 10 tries at a box of random area and aspect that fits."""
    n, _, h, w = x.shape
    area = h * w * (ERASE_SCALE[0] + (ERASE_SCALE[1] - ERASE_SCALE[0]) * draws.uniform(ERASE_TRIES))
    log_lo, log_hi = math.log(ERASE_RATIO[0]), math.log(ERASE_RATIO[1])
    aspect = torch.exp(log_lo + (log_hi - log_lo) * draws.uniform(ERASE_TRIES))
    eh, ew = torch.sqrt(area * aspect).round().long(), torch.sqrt(area / aspect).round().long()
    fits = (eh < h) & (ew < w)
    first = fits.long().argmax(1, keepdim=True)  # the first try that fits (if any does)
    eh, ew = eh.gather(1, first).squeeze(1), ew.gather(1, first).squeeze(1)
    top, left = draws.integers((h - eh + 1).clamp_min(1)), draws.integers((w - ew + 1).clamp_min(1))
    erase = draws.chance(ERASE_P) & fits.any(1)
    ys, xs = torch.arange(h, device=x.device).view(1, h, 1), torch.arange(w, device=x.device).view(1, 1, w)
    box = ((ys >= top.view(-1, 1, 1)) & (ys < (top + eh).view(-1, 1, 1))
           & (xs >= left.view(-1, 1, 1)) & (xs < (left + ew).view(-1, 1, 1)) & erase.view(-1, 1, 1))
    return x.masked_fill(box.unsqueeze(1), 0.0)
