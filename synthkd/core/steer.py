"""Teacher-steered generation: make a generator's images cover the classes the teacher rarely predicts.

A teacher trained on, say, white digits on black sees almost every colourful render as one class; the same
renders in grayscale, sparse (only the brightest pixels kept), inverted, zoomed or blurred fall into other
classes, and which variant suits which class differs from teacher to teacher. Three levers, alone or together:

- ``variants``: each image goes out as one of a fixed set of :class:`Variant` transforms, chosen per image
  (seeded) from a mixture whose weights are fitted so that the teacher's class histogram over the mixture is as
  flat as possible (maximum entropy), with a small bonus for spreading over many variants (diversity). The fit
  uses the teacher's predictions on the variants of a pilot set: the dataset's first chunk.
- ``reject``: each chunk is drawn from ``oversample`` times as many candidates, kept by class quota (every
  class at most its share, the rest filled in candidate order): rejection sampling, the cheap baseline.
- ``search`` (generators of programs only: ``render-shaders``): program search, an archive of (program, time,
  variant) elites per class of the teacher, kept and mutated until the starved classes hold many different
  programs each (``synthkd.shaders.search``); the chunks are drawn from the archive. ``all`` adds it where the
  generator supports it.

Every choice is a pure function of the seed, the chunk and the teacher, and is recorded in the dataset header,
so steered datasets are deterministic, shardable and resumable like any other.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Protocol

import numpy as np
import torch
import torch.nn.functional as F

from synthkd.core.classes import histogram, relative_entropy
from synthkd.core.settings import opt, positive_int, require
from synthkd.core.tensors import predict, to_uint8

LEVERS = ("variants", "reject", "search", "all")

MakeChunk = Callable[[int, int], tuple[np.ndarray, dict[str, list], dict[str, int]]]


@dataclass(frozen=True)
class Variant:
    """One image transform: grayscale, keep the brightest fraction (sparse), gamma, blur, zoom, invert, in that
    order. The identity is ``Variant()``."""

    gray: bool = False
    keep: float | None = None  # keep this fraction of the brightest pixels (grayscale), black elsewhere
    gamma: float = 1.0  # on [0, 1] intensities, after graying
    blur: int = 0  # box blur width in pixels (0: none)
    zoom: int = 1  # crop 1/zoom of the side (at a seeded place) and scale it back up
    invert: bool = False

    @property
    def name(self) -> str:
        parts = [p for p, on in (("gray", self.gray and self.keep is None and self.gamma == 1.0),
                                 (f"keep{self.keep:g}" if self.keep else "", bool(self.keep)),
                                 (f"gamma{self.gamma:g}", self.gamma != 1.0), (f"blur{self.blur}", self.blur > 0),
                                 (f"zoom{self.zoom}", self.zoom > 1), ("invert", self.invert)) if on]
        return "+".join(parts) or "plain"

    def apply(self, images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """uint8 (N, H, W, 3) -> uint8 (N, H, W, 3)."""
        x = to_uint8(images).float()
        if self.gray or self.keep is not None or self.gamma != 1.0:
            x = x.mean(1, keepdim=True).expand(-1, 3, -1, -1)
        if self.keep is not None:
            flat = x[:, 0].flatten(1)
            cut = torch.quantile(flat, 1 - self.keep, dim=1).view(-1, 1, 1, 1)
            x = torch.where(x >= cut, x, torch.zeros_like(x))
        if self.gamma != 1.0:
            x = 255 * (x / 255) ** self.gamma
        if self.blur > 1:
            k = self.blur
            x = F.conv2d(F.pad(x, (k // 2, (k - 1) // 2) * 2, mode="reflect"), torch.ones(3, 1, k, k) / (k * k),
                         groups=3)
        if self.zoom > 1:
            n, _, h, w = x.shape
            ch, cw = max(1, h // self.zoom), max(1, w // self.zoom)
            tops, lefts = rng.integers(0, h - ch + 1, n), rng.integers(0, w - cw + 1, n)
            crops = torch.stack([x[i, :, t:t + ch, left:left + cw]
                                 for i, (t, left) in enumerate(zip(tops, lefts, strict=True))])
            x = F.interpolate(crops, size=(h, w), mode="bilinear", align_corners=False)
        if self.invert:
            x = 255 - x
        return x.round().clamp(0, 255).to(torch.uint8).permute(0, 2, 3, 1).contiguous().numpy()


def variant_grid() -> list[Variant]:
    """The variants steering chooses from: the identity, and grayscale images with every combination of sparse
    (keep 10, 20 or 35 %), gamma 3 (on images that are not sparse), blur 3, zoom 2 and inversion; 41 in all."""
    grid = [Variant()]
    for keep, gamma, blur, zoom, invert in itertools.product((None, 0.1, 0.2, 0.35), (1.0, 3.0), (0, 3), (1, 2),
                                                             (False, True)):
        if keep is not None and gamma != 1.0:
            continue  # sparse images are already two-level: gamma changes little
        grid.append(Variant(gray=True, keep=keep, gamma=gamma, blur=blur, zoom=zoom, invert=invert))
    return grid


@dataclass(frozen=True, kw_only=True)
class SteerSettings:
    """How a generator is steered by the teacher (``--teacher`` with ``--steer``)."""

    steer: str | None = opt(None, "steer the images towards the classes the teacher rarely predicts (needs "
                            "--teacher): 'variants' (a fitted mixture of image variants), 'reject' (more "
                            "candidates, kept by class quota), 'search' (render-shaders only: program search, "
                            "an archive of programs per class) or 'all' (every lever the generator has)",
                            "--steer", choices=LEVERS)
    oversample: float = opt(3.0, "--steer reject/all: candidates rendered per image kept", "--oversample",
                            type=float)
    diversity_weight: float = opt(0.1, "--steer variants/all: bonus for spreading the mixture over many variants "
                                  "(0: flattest class histogram only)", "--diversity-weight", type=float)
    search_budget: int | None = opt(None, "--steer search/all on render-shaders: candidate renders of program "
                                    "search after its initial population (the first chunk); default 4 x "
                                    "--chunk-size", "--search-budget", type=positive_int, metavar="R")

    def __post_init__(self) -> None:
        require(self.oversample >= 1, f"--oversample must be at least 1, got {self.oversample}")
        require(self.diversity_weight >= 0, f"--diversity-weight must be 0 or more, got {self.diversity_weight}")

    @property
    def variants(self) -> bool:
        return self.steer in ("variants", "all")

    @property
    def reject(self) -> bool:
        return self.steer in ("reject", "all")

    @property
    def search(self) -> bool:
        return self.steer in ("search", "all")


class ProgramSearch(Protocol):
    """What a generator of programs gives steering for ``--steer search`` (``synthkd.shaders.search``)."""

    def run(self, images: np.ndarray, columns: dict[str, list], chosen: dict, teacher: torch.nn.Module) -> dict:
        """``chosen`` with the search's archive added, searched from the first chunk (``images``, ``columns``)."""

    def chunks(self, chosen: dict, teacher: torch.nn.Module) -> MakeChunk:
        """The generator's chunks drawn from the archive recorded in ``chosen``."""


def fit_mixture(histograms: np.ndarray, diversity_weight: float = 0.1, iterations: int = 2000) -> np.ndarray:
    """Weights w on the simplex that maximise H(sum_v w_v p_v) / log C + diversity_weight H(w) / log V, where p_v
    is variant v's class distribution (a row of ``histograms``, normalised): the flattest class histogram the
    variants can make, spread over many of them. Exponentiated gradient ascent (the objective is concave)."""
    p = histograms / np.maximum(histograms.sum(1, keepdims=True), 1)
    v, c = p.shape
    w = np.full(v, 1.0 / v)
    for _ in range(iterations):
        q = np.clip(w @ p, 1e-12, None)
        grad = -(p @ (np.log(q) + 1)) / math.log(c) - diversity_weight * (np.log(np.clip(w, 1e-12, None)) + 1) / \
            math.log(max(v, 2))
        w = w * np.exp(0.5 * (grad - grad.max()))
        w /= w.sum()
    return w


def pilot(images: np.ndarray, teacher: torch.nn.Module, num_classes: int, seed: int,
          variants: list[Variant]) -> np.ndarray:
    """The teacher's class histogram (V, C) of every variant of the pilot ``images``."""
    rng = np.random.default_rng([seed, 11])
    return np.stack([histogram(predict(teacher, v.apply(images, rng)).argmax(1).numpy(), num_classes)
                     for v in variants])


def plan(images: np.ndarray, teacher: torch.nn.Module, num_classes: int, seed: int, s: SteerSettings) -> dict:
    """What steering a generator whose first chunk is ``images`` records in its dataset: the variants and their
    fitted weights (or the identity alone), the pilot histograms, and the histogram the mixture should give."""
    variants = variant_grid() if s.variants else [Variant()]
    hist = pilot(images, teacher, num_classes, seed, variants)
    weights = fit_mixture(hist, s.diversity_weight) if s.variants else np.ones(1)
    expected = weights @ (hist / np.maximum(hist.sum(1, keepdims=True), 1))
    keep = weights > 1e-4
    return {"lever": s.steer, "num_classes": num_classes, "oversample": s.oversample if s.reject else 1.0,
            "variants": [asdict(v) for v, k in zip(variants, keep, strict=True) if k],
            "names": [v.name for v, k in zip(variants, keep, strict=True) if k],
            "weights": [round(float(w), 6) for w, k in zip(weights, keep, strict=True) if k],
            "pilot_relative_entropy": {v.name: round(relative_entropy(h), 4)
                                       for v, h, k in zip(variants, hist, keep, strict=True) if k},
            "identity_relative_entropy": round(relative_entropy(hist[0]), 4),
            "expected_relative_entropy": round(relative_entropy(expected), 4)}


def steered(make_chunk: MakeChunk, chosen: dict, teacher: torch.nn.Module, seed: int) -> MakeChunk:
    """``make_chunk`` with the recorded steering applied: each image becomes one variant (drawn with the fitted
    weights, seeded by chunk), and with rejection each chunk keeps ``count`` of ``oversample x count``
    candidates by class quota. Adds the columns ``variant`` and ``teacher_class``."""
    variants = [Variant(**v) for v in chosen["variants"]]
    weights = np.asarray(chosen["weights"], dtype=np.float64)
    weights /= weights.sum()
    classes, factor = chosen["num_classes"], chosen["oversample"]

    def make(c: int, count: int) -> tuple[np.ndarray, dict[str, list], dict[str, int]]:
        wanted = math.ceil(count * factor)
        parts = [make_chunk(c * math.ceil(factor) + k, count) for k in range(math.ceil(factor))] \
            if factor > 1 else [make_chunk(c, count)]
        images = np.concatenate([p[0] for p in parts])[:wanted]
        columns = {key: sum((p[1][key] for p in parts), [])[:wanted] for key in parts[0][1]}
        counts: dict[str, int] = {}
        for p in parts:
            for key, value in p[2].items():
                counts[key] = counts.get(key, 0) + value
        rng = np.random.default_rng([seed, c, 13])
        pick = rng.choice(len(variants), size=len(images), p=weights)
        out = images.copy()
        for v in np.unique(pick):
            rows = np.flatnonzero(pick == v)
            out[rows] = variants[v].apply(images[rows], rng)
        labels = predict(teacher, out).argmax(1).numpy()
        keep = by_quota(labels, classes, count) if factor > 1 else np.arange(count)
        columns = {key: [values[i] for i in keep] for key, values in columns.items()}
        columns.update(variant=[variants[pick[i]].name for i in keep], teacher_class=labels[keep].tolist())
        counts.update(candidates=len(images), kept=count)
        return out[keep], columns, counts

    return make


def by_quota(labels: np.ndarray, classes: int, count: int) -> np.ndarray:
    """Indices of ``count`` candidates, in candidate order: at most ceil(count / classes) of each class first,
    then the earliest of the rest; returned in candidate order."""
    cap = math.ceil(count / classes)
    taken = np.zeros(classes, dtype=np.int64)
    keep, rest = [], []
    for i, c in enumerate(labels):
        if taken[c] < cap:
            taken[c] += 1
            keep.append(i)
        else:
            rest.append(i)
    return np.sort(np.asarray(keep + rest[:max(0, count - len(keep))], dtype=np.int64))[:count]
