"""How varied a set of images is, as one number: the mean pairwise distance of random-network features.

Each image (resized to 32 x 32) goes through a small convolutional network with fixed random weights
(seeded, never trained); the per-channel mean and spread of each layer's activations, scaled to unit
length, describe its textures and structures rather than its exact pixels. A set of identical images
scores 0. The figure is for comparing generators side by side (hand-written shaders, synthesized ones,
Leaves, noise); it is not an absolute scale. Single-colour images would score high, which is one reason
the render filters drop them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np
import torch

SIDE = 32


@cache
def _network() -> torch.nn.Sequential:
    generator = torch.Generator().manual_seed(0)
    layers: list[torch.nn.Module] = []
    for c_in, c_out, stride in ((3, 32, 1), (32, 64, 2), (64, 128, 2)):
        conv = torch.nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1)
        torch.nn.init.kaiming_normal_(conv.weight, generator=generator)
        torch.nn.init.zeros_(conv.bias)
        layers += [conv, torch.nn.ReLU()]
    return torch.nn.Sequential(*layers).eval()


def features(images: np.ndarray) -> np.ndarray:
    """(N, 448) unit-length descriptors of (N, H, W, 3) uint8 images."""
    x = torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2).float() / 255.0
    x = torch.nn.functional.interpolate(x, size=(SIDE, SIDE), mode="area") - 0.5
    parts = []
    with torch.inference_mode():
        for layer in _network():
            x = layer(x)
            if isinstance(layer, torch.nn.ReLU):
                parts += [x.mean(dim=(2, 3)), x.std(dim=(2, 3))]
    return torch.nn.functional.normalize(torch.cat(parts, dim=1), dim=1).double().numpy()


def diversity(images: np.ndarray, sample: int = 512, seed: int = 0) -> float:
    """Mean pairwise Euclidean distance between the features of up to ``sample`` images (seeded pick)."""
    images = np.asarray(images)
    if len(images) < 2:
        return 0.0
    if len(images) > sample:
        images = images[np.sort(np.random.default_rng(seed).choice(len(images), sample, replace=False))]
    f = features(images)
    sq = (f * f).sum(axis=1)
    d = np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2.0 * f @ f.T, 0.0))
    return float(d[np.triu_indices(len(f), 1)].mean())


def dataset_diversity(ds, sample: int = 512, seed: int = 0,
                      where: Callable[[dict], bool] | None = None) -> tuple[float, int]:
    """:func:`diversity` of a dataset, or of its images whose metadata satisfies ``where``; returns the
    figure and how many images it was taken over."""
    if where is None:
        picks = np.arange(len(ds))
    else:
        metas = [m for k in range(ds.num_chunks) for m in ds.chunk_metas(k)]
        picks = np.array([m["index"] for m in metas if where(m)], dtype=np.int64)
    if len(picks) > sample:
        picks = np.sort(np.random.default_rng(seed).choice(picks, sample, replace=False))
    if len(picks) < 2:
        return 0.0, len(picks)
    return diversity(np.stack([ds[int(i)][0] for i in picks]), sample, seed), len(picks)
