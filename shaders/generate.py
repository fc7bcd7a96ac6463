"""Turn a checked shader corpus into dataset chunks: which shader at which times, render, filter, keep.

Chunk ``c`` is a pure function of (seed, settings, shader list, c): its jobs come from a seeded stream,
and rendered images are taken in stream order until the chunk holds its quota of images that pass the
filters. Shards and resumed runs therefore produce exactly the chunks an uninterrupted run would.

Shaders come from two pools: the corpus, and programs written by ``synthkd.shaders.synth`` (``render-shaders
--synth K``). When both are used, each job picks its pool at random (synthesized with probability
``synth_share``) and then takes the next program of that pool's own seeded order.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from synthkd.shaders.filters import REASONS, FilterSettings, decide
from synthkd.shaders.render import Draw, Program, TileRenderer

TIME_SAMPLING = ("even", "random")


class RenderError(RuntimeError):
    """The run cannot produce its images (e.g. the filters drop nearly everything)."""


@dataclass(frozen=True)
class UsedShader:
    name: str
    sha: str
    mode: str
    source: str = "corpus"  # or "synth": written by synthkd.shaders.synth


@dataclass(frozen=True)
class RenderSettings:
    seed: int = 0
    frames: int = 8
    time_range: tuple[float, float] = (0.1, 10.0)
    time_sampling: str = "even"
    chunk_size: int = 1024
    filters: FilterSettings = FilterSettings()
    synth_share: float = 0.0
    """Fraction of shader visits that use synthesized programs (when there are any)."""


@dataclass(frozen=True)
class Job:
    shader: int  # index into the used-shader list
    seed: int
    times: tuple[float, ...]


def jobs(chunk: int, n_shaders: int, s: RenderSettings, n_synth: int = 0) -> Iterator[Job]:
    """The endless, seeded stream of jobs for one chunk.

    Shaders are visited in one global seeded order, each chunk starting where the previous one
    nominally ended, so every shader is used about equally often over the whole dataset.

    The last ``n_synth`` of the ``n_shaders`` are synthesized programs. If there are any and
    ``s.synth_share`` > 0, each job draws its pool from a second seeded stream of the chunk (synthesized
    with probability ``synth_share``) and takes the next shader of that pool's own seeded order; each
    pool's position at the start of a chunk is where it nominally ended in the chunk before. Without
    synthesized programs the stream is exactly the corpus-only one.
    """
    n_corpus = n_shaders - n_synth
    mixed = n_synth > 0 and s.synth_share > 0
    if not mixed and n_corpus <= 0:
        raise ValueError("no shaders to visit")
    if mixed and s.synth_share < 1 and n_corpus <= 0:
        raise ValueError(f"synth_share {s.synth_share} < 1 needs corpus shaders")
    visits = math.ceil(s.chunk_size / s.frames)  # nominal shader visits per chunk
    order = np.random.default_rng(s.seed).permutation(n_corpus)
    start = chunk * visits
    lo, hi = s.time_range
    rng = np.random.default_rng([s.seed, chunk])
    frame_offsets = np.arange(s.frames) / s.frames
    if mixed:
        orders = (order, np.random.default_rng([s.seed, 1]).permutation(n_synth))
        offsets = (0, n_corpus)  # where each pool starts in the shader list
        nominal = (1.0 - s.synth_share, s.synth_share)
        positions = [round(chunk * visits * share) for share in nominal]
        pools = np.random.default_rng([s.seed, chunk, 1])
    for j in itertools.count():
        if j % 256 == 0:  # job seeds are drawn in fixed blocks, so the stream does not depend on how it is read
            seeds = rng.integers(0, 2**63, size=256)
            if mixed:
                picks = pools.random(256) < s.synth_share
        seed = int(seeds[j % 256])
        if s.time_sampling == "even":  # K frames evenly spread over one period; the seed sets the phase
            phase = (seed / 2**63 + frame_offsets) % 1.0
        else:
            phase = np.random.default_rng(seed).random(s.frames)
        times = (lo + (hi - lo) * phase).astype(np.float32)
        if mixed:
            pool = int(picks[j % 256])
            pool_order = orders[pool]
            shader = offsets[pool] + int(pool_order[positions[pool] % len(pool_order)])
            positions[pool] += 1
        else:
            shader = int(order[(start + j) % n_corpus])
        yield Job(shader, seed, tuple(times.tolist()))


def render_chunk(renderer: TileRenderer, programs: Sequence[Program], shaders: Sequence[UsedShader],
                 s: RenderSettings, chunk: int, count: int) -> tuple[np.ndarray, dict[str, list], dict[str, int]]:
    """Render images for ``chunk`` until ``count`` pass the filters: (images, metadata columns, counts)."""
    n_synth = sum(sh.source == "synth" for sh in shaders)
    if any(sh.source == "synth" for sh in shaders[: len(shaders) - n_synth]):
        raise ValueError("synthesized programs must come after the corpus shaders")
    stream = jobs(chunk, len(shaders), s, n_synth)
    kept: list[np.ndarray] = []
    columns: dict[str, list] = {k: [] for k in ("shader", "sha", "mode", "source", "frame", "time", "seed")}
    counts = dict.fromkeys(("rendered", "kept"), 0)
    while counts["kept"] < count:
        # Ask for just what is missing: drops are rare, and a later round makes up for them.
        batch = [next(stream) for _ in range(math.ceil((count - counts["kept"]) / s.frames))]
        first = 0  # batch position of the page's first image
        for images, bad, stats in renderer.render_pages([Draw(programs[j.shader], j.times) for j in batch]):
            codes = decide(stats, bad, renderer.size, s.filters)
            # Take images in stream order up to the one that completes the chunk; count only those.
            need = count - counts["kept"]
            upto = min(len(codes), int(np.searchsorted(np.cumsum(codes == 0), need)) + 1)
            for reason, n in zip(REASONS, np.bincount(codes[:upto], minlength=len(REASONS)), strict=True):
                if n and reason != "kept":
                    counts[f"dropped_{reason}"] = counts.get(f"dropped_{reason}", 0) + int(n)
            counts["rendered"] += upto
            take = np.flatnonzero(codes[:upto] == 0)
            counts["kept"] += len(take)
            kept.append(images[take])
            for i in (take + first).tolist():
                job = batch[i // s.frames]
                sh = shaders[job.shader]
                for key, value in zip(columns, (sh.name, sh.sha, sh.mode, sh.source, i % s.frames,
                                                job.times[i % s.frames], job.seed), strict=True):
                    columns[key].append(value)
            first += len(codes)
            if counts["kept"] == count:
                break
        if counts["rendered"] > 50 * count + 1000:
            raise RenderError(f"the filters dropped {counts['rendered'] - counts['kept']} of "
                              f"{counts['rendered']} renders in chunk {chunk}: the shaders draw almost "
                              "nothing usable at this size/time range")
    return np.concatenate(kept), columns, counts
