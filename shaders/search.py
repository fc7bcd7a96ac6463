"""Program search (``render-shaders --teacher ... --steer search``): programs kept per class of the teacher.

A teacher that calls almost every render one class is not helped by more renders of the same kind: the few
(program, time, variant) combinations that land in its other classes have to be found and kept. This is a
MAP-Elites search whose niches are the teacher's classes:

- a *genome* is a used shader (an index into the dataset's shader list), a render time in ``--time-range``, an
  image variant (an index into ``synthkd.core.steer.variant_grid()``) and, for zooming variants, where the crop
  sits (a seed): a zoomed elite keeps its crop, so that its renders stay in its class;
- its *niche* is the teacher's class of the variant of the render, its *fitness* the teacher's softmax
  probability of that class;
- each niche keeps up to :data:`CAPACITY` elites, at most one per shader, so that a class is covered by many
  different programs and not by one program at many times (:class:`Archive`).

The initial population is the dataset's first chunk (the normal seeded job stream, which steering renders
anyway as its pilot), each image under a seeded variant: uniform over the grid, or the fitted mixture with
``--steer all``. Then rounds of candidates, ``--search-budget`` renders in all: each candidate mutates a parent
drawn preferentially from the niches holding the fewest elites (the starved classes): its time jitters, with
some probability its variant or its shader is swapped for another; a few candidates are fresh random genomes.
Candidates are rendered one frame each, the renders the filters reject are dropped, the rest are judged by the
teacher and inserted.

A steered chunk is drawn from the archive: each image picks a niche uniformly among those holding elites, an
elite in it uniformly, renders the elite's program at a slightly jittered time and applies its variant (with
``--steer all`` from ``--oversample`` times as many candidates, kept by class quota). The archive is a pure
function of (seed, shaders, teacher) and is recorded in the dataset header; a chunk is a pure function of the
recorded archive, the seed and the chunk index, so steered datasets shard and resume like any other.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from synthkd.core.classes import histogram, relative_entropy
from synthkd.core.steer import MakeChunk, SteerSettings, Variant, by_quota, variant_grid
from synthkd.core.tensors import predict
from synthkd.shaders.filters import REASONS, decide
from synthkd.shaders.generate import RenderError, RenderSettings, UsedShader
from synthkd.shaders.render import Draw, Program, TileRenderer

log = logging.getLogger(__name__)

CAPACITY = 32  # elites per niche
ROUND = (32, 256)  # fewest and most candidates per round (about 8 rounds for small budgets)
MUTATE_TIME = 0.05  # standard deviation of a mutation's time jitter, as a fraction of the time range
CHUNK_TIME = 0.01  # standard deviation of a chunk image's time jitter around its elite's time, likewise
SWAP_VARIANT = 0.25  # probability that a mutation swaps the variant for another one
SWAP_SHADER = 0.2  # probability that a mutation swaps the shader for another one (keeping time and variant)
SWAP_CROP = 0.25  # probability that a mutation moves the crop of a zooming variant
FRESH = 0.1  # share of candidates that are fresh random genomes rather than mutants
KEY = 0x5EA4C4  # the search's own seed streams: [seed, KEY, 0] initial, [seed, KEY, 1, round], [seed, KEY, 2, chunk]


@dataclass(frozen=True)
class Genome:
    """What a candidate image is made from: a used shader, a render time and an image variant."""

    shader: int  # index into the dataset's used shaders
    time: float  # a float32 value: what the shader's time uniform gets
    variant: int  # index into variant_grid()
    crop: int = 0  # seed of the crop's place, for the variants that zoom


@dataclass(frozen=True)
class Elite:
    genome: Genome
    fitness: float


@dataclass
class Archive:
    """MAP-Elites archive: per niche (a class of the teacher) up to ``capacity`` elites with distinct shaders."""

    niches: int
    capacity: int = CAPACITY
    elites: list[list[Elite]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.elites:
            self.elites = [[] for _ in range(self.niches)]

    def insert(self, niche: int, genome: Genome, fitness: float) -> bool:
        """Keep ``genome`` in ``niche`` if it earns a place; returns whether it did. A shader already in the
        niche is replaced only by a fitter genome of the same shader; a new shader joins a niche with room, or
        replaces the niche's worst elite if fitter than it."""
        elites = self.elites[niche]
        slot = next((i for i, e in enumerate(elites) if e.genome.shader == genome.shader), None)
        if slot is None and len(elites) < self.capacity:
            elites.append(Elite(genome, fitness))
            return True
        if slot is None:
            slot = min(range(len(elites)), key=lambda i: elites[i].fitness)
        if fitness > elites[slot].fitness:
            elites[slot] = Elite(genome, fitness)
            return True
        return False

    def counts(self) -> np.ndarray:
        """Elites per niche."""
        return np.array([len(e) for e in self.elites], dtype=np.int64)

    def filled(self) -> list[int]:
        """The niches that hold at least one elite."""
        return [c for c, e in enumerate(self.elites) if e]

    def record(self, shaders: Sequence[UsedShader], variants: Sequence[Variant]) -> list[dict]:
        """Per niche: its elites' shader names, times, variant names and fitness (for the dataset header)."""
        return [{"shaders": [shaders[e.genome.shader].name for e in elites],
                 "times": [e.genome.time for e in elites],
                 "variants": [variants[e.genome.variant].name for e in elites],
                 "crops": [e.genome.crop for e in elites],
                 "fitness": [round(e.fitness, 4) for e in elites]} for elites in self.elites]

    @classmethod
    def from_record(cls, niches: list[dict], shaders: Sequence[UsedShader], variants: Sequence[Variant],
                    capacity: int = CAPACITY) -> Archive:
        """The archive :meth:`record` wrote."""
        shader_index = {sh.name: i for i, sh in enumerate(shaders)}
        variant_index = {v.name: i for i, v in enumerate(variants)}
        return cls(len(niches), capacity, [
            [Elite(Genome(shader_index[s], float(t), variant_index[v], int(k)), float(f))
             for s, t, v, k, f in zip(n["shaders"], n["times"], n["variants"], n["crops"], n["fitness"],
                                      strict=True)]
            for n in niches])


@dataclass
class ShaderSearch:
    """Program search over a shader dataset's compiled programs (``synthkd.core.steer.ProgramSearch``)."""

    renderer: TileRenderer
    programs: Sequence[Program]  # compiled when there is something to render
    shaders: Sequence[UsedShader]
    settings: RenderSettings
    budget: int  # candidate renders after the initial population
    grid: list[Variant] = field(default_factory=variant_grid)

    def run(self, images: np.ndarray, columns: dict[str, list], chosen: dict, teacher: torch.nn.Module) -> dict:
        """``chosen`` with the search's record added (``search``), searched from the first chunk ``images``
        (with its ``columns``) as the initial population."""
        seed, classes = self.settings.seed, chosen["num_classes"]
        weights = self._variant_weights(chosen)
        archive = Archive(classes)
        rng = np.random.default_rng([seed, KEY, 0])
        index = {sh.name: i for i, sh in enumerate(self.shaders)}
        picks = rng.choice(len(self.grid), size=len(images), p=weights)
        crops = rng.integers(0, 2**31, size=len(images))
        genomes = [Genome(index[name], float(t), int(v), int(k))
                   for name, t, v, k in zip(columns["shader"], columns["time"], picks, crops, strict=True)]
        labels, fitness = self._judge(images, genomes, teacher)
        for g, c, f in zip(genomes, labels, fitness, strict=True):
            archive.insert(int(c), g, float(f))
        initial = histogram(labels, classes)
        spent, rounds, dropped = 0, 0, 0
        per_round = min(ROUND[1], max(ROUND[0], math.ceil(self.budget / 8)))
        while spent < self.budget:
            rng = np.random.default_rng([seed, KEY, 1, rounds])
            genomes = [self._child(archive, rng, weights) for _ in range(min(per_round, self.budget - spent))]
            rendered, codes = self._render([(g.shader, g.time) for g in genomes])
            keep = np.flatnonzero(codes == 0)
            labels, fitness = self._judge(rendered[keep], [genomes[i] for i in keep], teacher)
            for i, c, f in zip(keep, labels, fitness, strict=True):
                archive.insert(int(c), genomes[i], float(f))
            spent, rounds, dropped = spent + len(genomes), rounds + 1, dropped + len(genomes) - len(keep)
        counts = archive.counts()
        log.info("program search: %d rounds, %d renders; elites per class %s (before: %s)", rounds, spent,
                 counts.tolist(), initial.tolist())
        record = {"capacity": archive.capacity, "budget": self.budget, "rounds": rounds, "rendered": spent,
                  "dropped": dropped, "initial": len(images), "initial_counts": initial.tolist(),
                  "counts": counts.tolist(), "distinct_shaders": len({e.genome.shader for n in archive.elites
                                                                      for e in n}),
                  "niches": archive.record(self.shaders, self.grid)}
        # Chunks pick the niches that hold elites uniformly: the class histogram if every image stays in its niche.
        return {**chosen, "search": record, "expected_relative_entropy": round(relative_entropy(counts > 0), 4)}

    def chunks(self, chosen: dict, teacher: torch.nn.Module) -> MakeChunk:
        """Chunks drawn from the archive recorded in ``chosen`` (see the module's docstring), with the columns of
        ``render_chunk`` (``frame`` 0, ``seed`` the image's own, from which its niche, elite and time jitter are
        drawn) and ``variant``, ``teacher_class`` (of the image as written) and ``niche`` (its elite's class)."""
        record, classes, factor = chosen["search"], chosen["num_classes"], chosen["oversample"]
        archive = Archive.from_record(record["niches"], self.shaders, self.grid, record["capacity"])
        filled = archive.filled()
        lo, hi = self.settings.time_range

        def draws(c: int) -> Iterator[tuple[int, Elite, float, int]]:
            """The chunk's endless stream of (niche, elite, time, seed), one per image."""
            rng = np.random.default_rng([self.settings.seed, KEY, 2, c])
            while True:
                for s in rng.integers(0, 2**63, size=256).tolist():
                    r = np.random.default_rng(s)
                    niche = filled[int(r.integers(len(filled)))]
                    elite = archive.elites[niche][int(r.integers(len(archive.elites[niche])))]
                    yield niche, elite, _wrap(elite.genome.time + r.normal(0, CHUNK_TIME * (hi - lo)), lo, hi), s

        def make(c: int, count: int) -> tuple[np.ndarray, dict[str, list], dict[str, int]]:
            wanted = math.ceil(count * factor)
            stream, taken, kept = draws(c), [], []
            counts = dict.fromkeys(("rendered", "kept"), 0)
            while len(taken) < wanted:
                batch = [next(stream) for _ in range(wanted - len(taken))]
                images, codes = self._render([(e.genome.shader, t) for _, e, t, _ in batch])
                counts["rendered"] += len(batch)
                for reason, n in zip(REASONS, np.bincount(codes, minlength=len(REASONS)), strict=True):
                    if n and reason != "kept":
                        counts[f"dropped_{reason}"] = counts.get(f"dropped_{reason}", 0) + int(n)
                good = np.flatnonzero(codes == 0)
                taken += [batch[i] for i in good]
                kept.append(images[good])
                if counts["rendered"] > 50 * wanted + 1000:
                    raise RenderError(f"the filters dropped {counts['rendered'] - len(taken)} of "
                                      f"{counts['rendered']} renders of the search's elites in chunk {c}")
            images = np.concatenate(kept)
            out = self._apply(images, [e.genome for _, e, _, _ in taken])
            labels = predict(teacher, out).argmax(1).numpy()
            keep = by_quota(labels, classes, count) if factor > 1 else np.arange(count)
            columns: dict[str, list] = {k: [] for k in ("shader", "sha", "mode", "source", "frame", "time", "seed",
                                                        "variant", "teacher_class", "niche")}
            for i in keep.tolist():
                niche, elite, t, s = taken[i]
                sh = self.shaders[elite.genome.shader]
                for key, value in zip(columns, (sh.name, sh.sha, sh.mode, sh.source, 0, t, s,
                                                self.grid[elite.genome.variant].name, int(labels[i]), niche),
                                      strict=True):
                    columns[key].append(value)
            counts.update(candidates=wanted, kept=count)
            return out[keep], columns, counts

        return make

    def _variant_weights(self, chosen: dict) -> np.ndarray:
        """How the initial population and fresh genomes pick variants: the fitted mixture when the plan has one
        (``--steer all``), else uniformly over the grid."""
        if not SteerSettings(steer=chosen["lever"]).variants:
            return np.full(len(self.grid), 1.0 / len(self.grid))
        fitted = dict(zip(chosen["names"], chosen["weights"], strict=True))
        weights = np.array([fitted.get(v.name, 0.0) for v in self.grid])
        return weights / weights.sum()

    def _child(self, archive: Archive, rng: np.random.Generator, weights: np.ndarray) -> Genome:
        """A mutant of a parent from a starved niche (fewer elites: likelier), or now and then a fresh genome."""
        lo, hi = self.settings.time_range
        n = len(self.shaders)
        if rng.random() < FRESH:
            return Genome(int(rng.integers(n)), _wrap(rng.uniform(lo, hi), lo, hi),
                          int(rng.choice(len(self.grid), p=weights)), int(rng.integers(2**31)))
        filled = archive.filled()
        odds = 1.0 / archive.counts()[filled]
        parent = archive.elites[filled[int(rng.choice(len(filled), p=odds / odds.sum()))]]
        g = parent[int(rng.integers(len(parent)))].genome
        shader, variant, crop = g.shader, g.variant, g.crop
        if rng.random() < SWAP_VARIANT:
            variant = (variant + 1 + int(rng.integers(len(self.grid) - 1))) % len(self.grid)
        if n > 1 and rng.random() < SWAP_SHADER:
            shader = (shader + 1 + int(rng.integers(n - 1))) % n
        if rng.random() < SWAP_CROP:
            crop = int(rng.integers(2**31))
        return Genome(shader, _wrap(g.time + rng.normal(0, MUTATE_TIME * (hi - lo)), lo, hi), variant, crop)

    def _render(self, frames: Sequence[tuple[int, float]]) -> tuple[np.ndarray, np.ndarray]:
        """One image per (shader, time), and its filter verdict (``synthkd.shaders.filters.REASONS`` code)."""
        size = self.renderer.size
        if not frames:
            return np.zeros((0, size, size, 3), np.uint8), np.zeros(0, np.int8)
        pages = list(self.renderer.render_pages([Draw(self.programs[s], (t,)) for s, t in frames]))
        codes = [decide(stats, bad, size, self.settings.filters) for _, bad, stats in pages]
        return np.concatenate([p[0] for p in pages]), np.concatenate(codes)

    def _apply(self, images: np.ndarray, genomes: Sequence[Genome]) -> np.ndarray:
        """Each image under its genome's variant; a zooming variant crops where the genome's crop seed says."""
        out = images.copy()
        picks = np.array([g.variant for g in genomes], dtype=np.int64)
        for v in np.unique(picks):
            rows, variant = np.flatnonzero(picks == v), self.grid[v]
            if variant.zoom > 1:
                for i in rows.tolist():
                    out[i] = variant.apply(images[i:i + 1], np.random.default_rng(genomes[i].crop))[0]
            else:  # the other variants draw nothing at random
                out[rows] = variant.apply(images[rows], np.random.default_rng(0))
        return out

    def _judge(self, images: np.ndarray, genomes: Sequence[Genome],
               teacher: torch.nn.Module) -> tuple[np.ndarray, np.ndarray]:
        """The teacher's class and its softmax probability for each image under its genome's variant."""
        if len(images) == 0:
            return np.zeros(0, np.int64), np.zeros(0)
        fitness, labels = predict(teacher, self._apply(images, genomes)).softmax(1).max(1)
        return labels.numpy(), fitness.double().numpy()


def _wrap(t: float, lo: float, hi: float) -> float:
    """``t`` taken cyclically into [lo, hi), as a float32 value (what the time uniform gets)."""
    return float(np.float32(lo + (t - lo) % (hi - lo)))
