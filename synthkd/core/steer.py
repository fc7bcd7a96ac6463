"""Teacher-steered generation: make a generator's images cover the classes the teacher rarely predicts.

A teacher trained on, say, white digits on black sees almost every colourful render as one class; the same
renders in grayscale, sparse (only the brightest pixels kept), inverted, zoomed or blurred fall into other
classes, and which variant suits which class differs from teacher to teacher. The levers, alone or together:

- ``variants``: each image goes out as one of a fixed set of :class:`Variant` transforms, chosen per image
  (seeded) from a mixture whose weights are fitted so that the teacher's class histogram over the mixture is as
  flat as possible (maximum entropy), with a small bonus for spreading over many variants (diversity). The fit
  uses the teacher's predictions on the variants of a pilot set: the dataset's first chunk.
- ``natural``: the same fit over variants that keep colour and texture (saturation and contrast changes, zooms
  at several scales, blends of two renders, a 1/f amplitude spectrum), for teachers of photographs, which read
  colour and texture where digit teachers read strokes.
- ``dark``: the same fit over dim, sparse gray blobs and streaks (a render smoothed, round or along a seeded
  direction, its brightest parts kept as soft peaks), for teachers of images that are black but for a few faint
  structures (sky surveys, fluorescence microscopy), which never see a frame-filling render.
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
import logging
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Protocol

import numpy as np
import torch
import torch.nn.functional as F

from synthkd.core.classes import histogram, relative_entropy
from synthkd.core.refine import bn_layers, refine
from synthkd.core.settings import int_at_least, opt, positive_int, require
from synthkd.core.tensors import predict, to_uint8

log = logging.getLogger(__name__)
LEVERS = ("variants", "natural", "dark", "reject", "search", "all")
PILOT_PER_CLASS = 10  # pilot images per class (or per group of classes) that the fit of a mixture needs
MIN_GROUPS = 10  # a pilot too small for every class pools them into at least this many groups

MakeChunk = Callable[[int, int], tuple[np.ndarray, dict[str, list], dict[str, int]]]


@dataclass(frozen=True)
class Variant:
    """One image transform, in this order: grayscale, smooth (round or stretched), keep the brightest fraction
    (sparse), gamma, gain, blur, zoom, shrink (the levers for ink-on-paper teachers, and dim ones), then saturation,
    contrast, a blend with another image of the batch, a 1/f amplitude spectrum (the levers that keep colour and
    texture, for natural-image teachers), and inversion. The identity is ``Variant()``."""

    gray: bool = False
    smooth: int = 1  # gray, low-passed to 1/smooth of the side; ``keep`` then makes soft blobs (see ``blobs``)
    stretch: int = 1  # with smooth: the low pass this many times longer along a seeded direction (streaks)
    keep: float | None = None  # keep this fraction of the brightest pixels (grayscale), black elsewhere
    gamma: float = 1.0  # on [0, 1] intensities, after graying
    gain: float = 1.0  # intensities scaled by this (below 1: dimmer)
    blur: int = 0  # box blur width in pixels (0: none)
    zoom: int = 1  # crop 1/zoom of the side (at a seeded place) and scale it back up
    shrink: int = 1  # scale the image down to 1/shrink of the side, near the centre (seeded) of a black field
    invert: bool = False
    saturation: float = 1.0  # colour distance from each pixel's gray, scaled (0: gray)
    contrast: float = 1.0  # distance from the image's mean, scaled
    blend: float = 0.0  # weight of another image of the batch (a seeded partner), mixed in
    spectrum: float = 0.0  # 0..1: how far the amplitude spectrum moves towards 1/f (phases kept)

    def __post_init__(self) -> None:
        require(self.stretch == 1 or (self.stretch > 1 and self.smooth > 1),
                f"a variant's stretch must be 1, or above 1 with smooth: got stretch {self.stretch}, "
                f"smooth {self.smooth}")

    @property
    def name(self) -> str:
        parts = [p for p, on in (("gray", self.gray and self.keep is None and self.gamma == 1.0),
                                 (f"smooth{self.smooth}", self.smooth > 1),
                                 (f"stretch{self.stretch}", self.stretch > 1),
                                 (f"keep{self.keep:g}" if self.keep else "", bool(self.keep)),
                                 (f"gamma{self.gamma:g}", self.gamma != 1.0), (f"gain{self.gain:g}", self.gain != 1.0),
                                 (f"blur{self.blur}", self.blur > 0),
                                 (f"zoom{self.zoom}", self.zoom > 1), (f"shrink{self.shrink}", self.shrink > 1),
                                 (f"sat{self.saturation:g}", self.saturation != 1.0),
                                 (f"contrast{self.contrast:g}", self.contrast != 1.0),
                                 (f"blend{self.blend:g}", self.blend > 0),
                                 (f"spectrum{self.spectrum:g}", self.spectrum > 0), ("invert", self.invert)) if on]
        return "+".join(parts) or "plain"

    def apply(self, images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """uint8 (N, H, W, 3) -> uint8 (N, H, W, 3)."""
        x = to_uint8(images).float()
        if self.gray or self.keep is not None or self.gamma != 1.0 or self.smooth > 1:
            x = x.mean(1, keepdim=True).expand(-1, 3, -1, -1)
        if self.smooth > 1:
            x = blobs(x, self.smooth, self.keep, self.stretch, rng)
        elif self.keep is not None:
            flat = x[:, 0].flatten(1)
            cut = torch.quantile(flat, 1 - self.keep, dim=1).view(-1, 1, 1, 1)
            x = torch.where(x >= cut, x, torch.zeros_like(x))
        if self.gamma != 1.0:
            x = 255 * (x / 255) ** self.gamma
        if self.gain != 1.0:
            x = x * self.gain
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
        if self.shrink > 1:
            x = shrunk(x, self.shrink, rng)
        if self.saturation != 1.0:
            gray = x.mean(1, keepdim=True)
            x = gray + self.saturation * (x - gray)
        if self.contrast != 1.0:
            mean = x.mean((1, 2, 3), keepdim=True)
            x = mean + self.contrast * (x - mean)
        if self.blend > 0:
            x = (1 - self.blend) * x + self.blend * x[torch.from_numpy(rng.permutation(len(x)))]
        if self.spectrum > 0:
            x = toward_one_over_f(x, self.spectrum)
        if self.invert:
            x = 255 - x
        return x.round().clamp(0, 255).to(torch.uint8).permute(0, 2, 3, 1).contiguous().numpy()


def blobs(x: torch.Tensor, smooth: int, keep: float | None, stretch: int, rng: np.random.Generator) -> torch.Tensor:
    """Gray images (N, C, H, W) low-passed to 1/``smooth`` of their side (area-averaged, then bilinear back up);
    with ``keep``, only the brightest ``keep`` fraction of that, as soft peaks: each kept pixel's height above
    the cut, scaled so the brightest is white. Sparse images made so are a few connected sources that fade into
    black, as a star, a cell or a radio lobe does, where keeping the brightest pixels of a render scatters them.
    ``stretch`` > 1 low-passes ``stretch`` times more along one axis and turns each image by a seeded angle, so
    that the sources are streaks in any direction (a jet, a filament, a track)."""
    h, w = x.shape[2:]
    low = F.interpolate(F.interpolate(x, size=(max(1, h // (smooth * stretch)), max(1, w // smooth)), mode="area"),
                        size=(h, w), mode="bilinear", align_corners=False)
    if stretch > 1:
        low = turned(low, torch.from_numpy(rng.uniform(0, math.pi, len(x))).float())
    if keep is None:
        return low
    cut = torch.quantile(low[:, 0].flatten(1), 1 - keep, dim=1).view(-1, 1, 1, 1)
    peaks = (low - cut).clamp(min=0)
    top = peaks.flatten(1).amax(1).view(-1, 1, 1, 1)
    plateau = (low >= cut).float() * 255  # a flat top (within a gray level): kept whole, not blacked out
    return torch.where(top >= 1, peaks * (255 / top.clamp(min=1)), plateau)


def turned(x: torch.Tensor, angles: torch.Tensor) -> torch.Tensor:
    """Square images (N, C, H, W) each turned about its centre by its angle (radians), bilinear, black outside."""
    cos, sin, zero = angles.cos(), angles.sin(), torch.zeros_like(angles)
    theta = torch.stack([torch.stack([cos, -sin, zero], 1), torch.stack([sin, cos, zero], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def shrunk(x: torch.Tensor, factor: int, rng: np.random.Generator) -> torch.Tensor:
    """Images (N, C, H, W) scaled down to 1/``factor`` of their side (area-averaged), each placed on a black field
    of the same size, centred up to an eighth of the side off (seeded): a small object on an empty background."""
    n, c, h, w = x.shape
    small = F.interpolate(x, size=(max(1, h // factor), max(1, w // factor)), mode="area")
    sh, sw = small.shape[2:]
    jitter_h, jitter_w = h // 8, w // 8
    tops = np.clip((h - sh) // 2 + rng.integers(-jitter_h, jitter_h + 1, n), 0, h - sh)
    lefts = np.clip((w - sw) // 2 + rng.integers(-jitter_w, jitter_w + 1, n), 0, w - sw)
    out = torch.zeros_like(x)
    for i, (top, left) in enumerate(zip(tops, lefts, strict=True)):
        out[i, :, top:top + sh, left:left + sw] = small[i]
    return out


def toward_one_over_f(x: torch.Tensor, amount: float) -> torch.Tensor:
    """Images (N, C, H, W) whose amplitude spectrum is moved ``amount`` of the way (geometrically) towards 1/f,
    the spectrum of natural photographs, with each channel's phases, mean and energy kept."""
    mean = x.mean((2, 3), keepdim=True)
    spectrum = torch.fft.rfft2(x - mean)
    h, w = x.shape[2:]
    f = torch.sqrt(torch.fft.fftfreq(h)[:, None] ** 2 + torch.fft.rfftfreq(w)[None, :] ** 2)
    target = torch.where(f > 0, 1 / f.clamp(min=1e-6), torch.zeros_like(f))
    amplitude = spectrum.abs()
    target = target * (amplitude.pow(2).sum((2, 3), keepdim=True) / target.pow(2).sum().clamp(min=1e-12)).sqrt()
    moved = amplitude.clamp(min=1e-6).pow(1 - amount) * target.clamp(min=1e-6).pow(amount)
    shaped = torch.polar(torch.where(amplitude > 0, moved, torch.zeros_like(moved)), spectrum.angle())
    return torch.fft.irfft2(shaped, s=(h, w)) + mean


def variant_grid() -> list[Variant]:
    """The variants the ``variants`` lever chooses from: the identity, and grayscale images with every combination
    of sparse (keep 10, 20 or 35 %), gamma 3 (on images that are not sparse), blur 3, zoom 2 and inversion; 41."""
    grid = [Variant()]
    for keep, gamma, blur, zoom, invert in itertools.product((None, 0.1, 0.2, 0.35), (1.0, 3.0), (0, 3), (1, 2),
                                                             (False, True)):
        if keep is not None and gamma != 1.0:
            continue  # sparse images are already two-level: gamma changes little
        grid.append(Variant(gray=True, keep=keep, gamma=gamma, blur=blur, zoom=zoom, invert=invert))
    return grid


def natural_grid() -> list[Variant]:
    """The variants the ``natural`` lever chooses from, all in colour: zoom 1, 2 or 4 (crops at several scales),
    times the colours as they are, muted (saturation 0.5, contrast 0.7) or vivid (saturation 1.6, contrast 1.4),
    times the texture as it is, blended half with another render, or moved to a 1/f amplitude spectrum; 27."""
    colours = ((1.0, 1.0), (0.5, 0.7), (1.6, 1.4))
    return [Variant(zoom=zoom, saturation=sat, contrast=con, blend=blend, spectrum=spectrum)
            for zoom, (sat, con), (blend, spectrum) in itertools.product((1, 2, 4), colours,
                                                                          ((0.0, 0.0), (0.5, 0.0), (0.0, 1.0)))]


def dark_grid() -> list[Variant]:
    """The variants the ``dark`` lever chooses from: the identity, and gray blobs (``blobs``): the render low-passed
    to a half or a quarter of its side, round or stretched four times along a seeded direction (streaks), the
    brightest 2 or 8 % of that kept as soft peaks, at full, a third or a tenth of their brightness, filling the
    frame or shrunk to a third of its side near the centre of a black field (a few small sources on empty sky);
    49."""
    return [Variant()] + [Variant(gray=True, smooth=smooth, stretch=stretch, keep=keep, gain=gain, shrink=shrink)
                          for smooth, stretch, keep, gain, shrink in itertools.product(
                              (2, 4), (1, 4), (0.02, 0.08), (1.0, 0.3, 0.1), (1, 3))]


# The levers that fit a mixture of variants, and their grids.
GRIDS = {"variants": variant_grid, "natural": natural_grid, "dark": dark_grid}
GRAY_GRIDS = ("variants", "dark")  # the gray grids :func:`dark_gain` compares, in that order


@dataclass(frozen=True, kw_only=True)
class SteerSettings:
    """How a generator is steered by the teacher (``--teacher`` with ``--steer``)."""

    steer: str | None = opt(None, "steer the images towards the classes the teacher rarely predicts (needs "
                            "--teacher): 'variants' (a fitted mixture of image variants made for ink-on-paper "
                            "teachers: gray, sparse, inverted), 'natural' (the same, of variants that keep colour "
                            "and texture: saturation, contrast, zooms, blends, 1/f spectra), 'dark' (the same, of "
                            "dim, sparse gray blobs and streaks, for teachers of mostly black images), 'reject' (more "
                            "candidates, kept by class quota), 'search' (render-shaders only: program search, "
                            "an archive of programs per class) or 'all' (every lever the generator has)",
                            "--steer", choices=LEVERS)
    oversample: float = opt(3.0, "--steer reject/all: candidates rendered per image kept", "--oversample",
                            type=float)
    diversity_weight: float = opt(0.1, "--steer variants/all: bonus for spreading the mixture over many variants "
                                  "(0: flattest class histogram only)", "--diversity-weight", type=float)
    refine_steps: int = opt(0, "refine each image with this many gradient steps that match the teacher's batch-norm "
                            "statistics (the DeepInversion prior, from renders; about 3 teacher passes per step "
                            "and image; 0: none)", "--refine-steps", type=int_at_least(0), metavar="STEPS")
    search_budget: int | None = opt(None, "--steer search/all on render-shaders: candidate renders of program "
                                    "search after its initial population (the first chunk); default 4 x "
                                    "--chunk-size", "--search-budget", type=positive_int, metavar="R")

    def __post_init__(self) -> None:
        require(self.oversample >= 1, f"--oversample must be at least 1, got {self.oversample}")
        require(self.diversity_weight >= 0, f"--diversity-weight must be 0 or more, got {self.diversity_weight}")

    @property
    def active(self) -> bool:
        """Whether the teacher shapes the images at all (a lever, or refinement)."""
        return bool(self.steer) or self.refine_steps > 0

    @property
    def variants(self) -> bool:
        """Whether a mixture of variants is fitted (``grid`` gives them)."""
        return self.steer in ("variants", "natural", "dark", "all")

    @property
    def grid(self) -> list[Variant]:
        return GRIDS[self.steer if self.steer in GRIDS else "variants"]() if self.variants else [Variant()]

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


def groups_for(num_classes: int, pilot_images: int) -> int:
    """How many groups the pilot's class histograms count: every class while the pilot holds ``PILOT_PER_CLASS``
    images of each; else contiguous blocks of classes with ``PILOT_PER_CLASS`` pilot images a block, so that the
    fit's cost and noise do not grow with the class count (a 1,000-class teacher's neighbouring classes are
    often alike, as ImageNet's are: a block is then a coarser class)."""
    if pilot_images >= PILOT_PER_CLASS * num_classes:
        return num_classes
    return max(min(num_classes, MIN_GROUPS), pilot_images // PILOT_PER_CLASS)


def pilot_floor(num_classes: int) -> int:
    """The fewest pilot images (the first chunk) a steering plan is fitted on."""
    return PILOT_PER_CLASS * min(num_classes, MIN_GROUPS)


def gray_agreement(teacher: torch.nn.Module, images: np.ndarray, logits: torch.Tensor,
                   device: torch.device | str = "cpu") -> float:
    """The share of ``images`` (with the teacher's ``logits`` on them) whose class the teacher keeps when they are
    grayed: low for a teacher that reads colour (a photograph's), high for one trained on gray images (its answers
    hang on brightness and shape), which is what ``--steer auto`` picks its grid by."""
    gray = Variant(gray=True).apply(images, np.random.default_rng(0))
    return float((predict(teacher, gray, device).argmax(1) == logits.argmax(1)).float().mean())


def dark_gain(teacher: torch.nn.Module, images: np.ndarray, num_classes: int, seed: int,
              device: torch.device | str = "cpu") -> float:
    """How much flatter a fitted mixture of ``dark`` variants makes the teacher's class histogram on ``images``
    than one of ``variants`` (the difference of their expected relative entropies): clearly above zero only for a
    teacher of mostly black images, whose classes no frame-filling render reaches, which is how ``--steer auto``
    tells it from an ink-on-paper teacher."""
    fits = [plan(images, teacher, num_classes, seed, SteerSettings(steer=lever), device)["expected_relative_entropy"]
            for lever in GRAY_GRIDS]
    return fits[1] - fits[0]


def pilot(images: np.ndarray, teacher: torch.nn.Module, num_classes: int, seed: int,
          variants: list[Variant], groups: int | None = None, device: torch.device | str = "cpu") -> np.ndarray:
    """The teacher's class histogram (V, C) of every variant of the pilot ``images``; with ``groups``, over that
    many contiguous blocks of classes instead (V, groups)."""
    rng = np.random.default_rng([seed, 11])
    groups = num_classes if groups is None else groups
    return np.stack([histogram(predict(teacher, v.apply(images, rng), device).argmax(1).numpy() * groups //
                               num_classes, groups) for v in variants])


def plan(images: np.ndarray, teacher: torch.nn.Module, num_classes: int, seed: int, s: SteerSettings,
         device: torch.device | str = "cpu") -> dict:
    """What steering a generator whose first chunk is ``images`` records in its dataset: the variants and their
    fitted weights (or the identity alone), the pilot histograms (over groups of classes where the pilot is too
    small for every class: :func:`groups_for`), and the histogram the mixture should give."""
    variants = s.grid
    groups = groups_for(num_classes, len(images))
    hist = pilot(images, teacher, num_classes, seed, variants, groups, device)
    weights = fit_mixture(hist, s.diversity_weight) if s.variants else np.ones(1)
    expected = weights @ (hist / np.maximum(hist.sum(1, keepdims=True), 1))
    keep = weights > 1e-4
    steps = s.refine_steps
    if steps and not bn_layers(teacher):
        log.warning("--refine-steps: the teacher has no batch norm layers (no statistics to match): going on "
                    "without refining")
        steps = 0
    return {"lever": s.steer, **({"refine_steps": steps} if steps else {}), "num_classes": num_classes,
            **({"pilot_groups": groups} if groups < num_classes else {}),
            "oversample": s.oversample if s.reject else 1.0,
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
        out = refine(out, teacher, chosen.get("refine_steps", 0))
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
