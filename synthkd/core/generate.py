"""What every generator shares: the output options, writing a dataset chunk by chunk, and the in-memory path.

A generator is a function ``make_chunk(c, count) -> (images, columns, counts)``: chunk ``c``'s uint8 images
(count, size, size, 3), one metadata list per field, and the chunk's counts (rendered, kept, dropped, ...). It
depends only on the settings, the seed and ``c`` (:func:`chunk_seeds` gives a chunk its per-image seeds).
A generator's stage function opens the dataset (:func:`open_writer`, which resumes a killed run and takes one
shard under ``--shard``/torchrun), writes the chunks it still lacks (:func:`write_chunks`) and returns the run's
record (:func:`finish`); :func:`iter_chunks` hands the same bytes over in memory, for any chunk range (beyond
the dataset's planned size too), without writing anything.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch

from synthkd.core.dataset import Dataset, Shard, chunk_sizes, open_dataset
from synthkd.core.models import TeacherSpec, num_classes_of
from synthkd.core.resources import check_fits, image_bytes
from synthkd.core.runtime import progress, torchrun_place
from synthkd.core.settings import group, opt, positive_int, quiet_field, require, seed_field, shard_field
from synthkd.core.sheet import save_sheet
from synthkd.core.steer import PILOT_PER_CLASS, ProgramSearch, SteerSettings, pilot_floor, plan, steered
from synthkd.core.writer import DatasetWriter

MIN_SIZE, MAX_SIZE = 8, 1024
log = logging.getLogger(__name__)

MakeChunk = Callable[[int, int], tuple[np.ndarray, dict[str, list], dict[str, int]]]
Stop = Callable[[int], bool]  # asked before each chunk with the images made so far: stop here?


@dataclass(frozen=True, kw_only=True)
class DatasetOptions:
    """What every generator's output needs: how many images, how big, where, which seed, which part of it."""

    n: int = opt(50000, "number of images to write (spell it --num-images after torchrun, whose own options make "
                 "'--n' ambiguous)", "--n", "--num-images", type=positive_int)
    size: int = opt(32, f"image width and height in pixels ({MIN_SIZE}..{MAX_SIZE})", "--size", type=int)
    out: Path = opt(Path("data"), "dataset directory to create or resume", "--out", type=Path)
    seed: int = seed_field("seed of the whole dataset (0 or more)")
    shard: str | None = shard_field()
    chunk_size: int = opt(1024, "images per chunk file (the unit of resuming and sharding)", "--chunk-size",
                          type=positive_int)
    quiet: bool = quiet_field()
    teacher: TeacherSpec | None = field(default=None, metadata=group("teacher (for --steer)"))
    steering: SteerSettings = field(default_factory=SteerSettings, metadata=group("teacher-steered generation"))
    programs: ClassVar[bool] = False  # its images are rendered programs: --steer search can search them

    def __post_init__(self) -> None:
        require(MIN_SIZE <= self.size <= MAX_SIZE, f"--size must be in {MIN_SIZE}..{MAX_SIZE}, got {self.size}")
        require(self.n >= 1 and self.chunk_size >= 1, "--n and --chunk-size must be at least 1")
        if self.shard is not None:
            Shard.parse(self.shard)
        require(self.teacher is not None or not self.steering.active,
                f"--{'steer' if self.steering.steer else 'refine-steps'} needs the teacher: add --teacher SPEC")
        require(self.teacher is None or self.steering.active,
                "--teacher is for steering the images: add --steer variants, natural, reject, search or all, or "
                "--refine-steps N")
        require(self.steering.steer != "search" or self.programs,
                "program search needs shader programs (render-shaders)")

    def identity(self, settings: dict[str, Any]) -> dict[str, Any]:
        """The generator's ``settings`` for the dataset header, with the teacher and steering when steered."""
        if not self.steering.active:
            return settings  # unsteered datasets stay exactly what they were
        # --search-budget and --refine-steps only when given, so that steered datasets made before them still resume
        steering = {k: v for k, v in asdict(self.steering).items()
                    if (k != "search_budget" or v is not None) and (k != "refine_steps" or v)}
        return {**settings, "steer": steering, "teacher": self.teacher.record()}


def resolve_shard(text: str | None, out: Path) -> tuple[Shard | None, Path]:
    """``--shard I/N`` as given, or under torchrun one shard per rank in ``OUT/shard-RANK-of-WORLD``."""
    if text is not None:
        return Shard.parse(text), out
    place = torchrun_place()
    if place.world > 1:
        return Shard(place.rank, place.world), out / f"shard-{place.rank}-of-{place.world}"
    return None, out


def open_writer(options: DatasetOptions, generator: str, settings: dict[str, Any],
                variable: bool = False) -> DatasetWriter:
    """The writer for this run's dataset (or shard), created or resumed; a different dataset there is refused."""
    shard, out = resolve_shard(options.shard, Path(options.out))
    made = sum(p.stat().st_size for p in (out / "chunks").glob("*.npy")) if (out / "chunks").is_dir() else 0
    share = 1.0 / (shard.count if shard is not None else 1)
    working = (16 if options.steering.active else 4) * options.chunk_size  # a chunk's images, variants, writes
    check_fits(f"--n {options.n} at --size {options.size} (--chunk-size {options.chunk_size})",
               memory=working * image_bytes(options.size),
               disk=options.n * share * image_bytes(options.size) - made, out=out)
    identity = {"generator": generator, "total": options.n, "image_size": options.size, "seed": options.seed,
                "chunk_size": options.chunk_size, "settings": options.identity(settings)}
    return DatasetWriter(out, identity, shard, variable=variable)


def write_chunks(writer: DatasetWriter, make_chunk: MakeChunk, desc: str, quiet: bool = False,
                 stop: Stop | None = None) -> dict[str, Any]:
    """Make every chunk still missing from ``writer`` (or found damaged: deleted, truncated or altered since it was
    written) and write it. Writing runs on a second thread while the next chunk is made (at most one write pending).
    ``stop(images)`` is asked before each chunk, with the images the dataset holds by then; once it says so, no
    more are made and the dataset becomes the chunks before that one (:meth:`DatasetWriter.cut`): a run with a
    deadline makes as many as its time allows, and the same dataset with that total is the same bytes.

    Returns what a run record needs: images made, chunks repaired, and seconds spent making chunks and waiting for
    writes.
    """
    todo = writer.todo()
    record = {"images": 0, "repaired": len(writer.damaged), "seconds_making": 0.0, "seconds_waiting_to_write": 0.0}
    held = writer.header["count"] - sum(writer.chunk_count(c) for c in todo)
    cut = None

    def write(c: int, images: np.ndarray, columns: dict[str, list], counts: dict[str, int]) -> int:
        writer.write_chunk(c, images, columns, counts)
        return writer.chunk_count(c)

    with progress(writer.header["count"], desc, quiet=quiet) as bar, ThreadPoolExecutor(1) as io:
        bar.update(writer.header["count"] - sum(writer.chunk_count(c) for c in todo))
        pending = None
        for c in todo:
            if stop is not None and stop(held):
                cut = c
                break
            clock = time.perf_counter()
            images, columns, counts = make_chunk(c, writer.chunk_count(c))
            held += len(images)
            record["seconds_making"] += time.perf_counter() - clock
            clock = time.perf_counter()
            if pending is not None:
                bar.update(pending.result())
            pending = io.submit(write, c, images, columns, counts)
            record["seconds_waiting_to_write"] += time.perf_counter() - clock
            record["images"] += len(images)
        if pending is not None:
            bar.update(pending.result())
    if cut is not None:
        writer.cut(cut)
    if writer.damaged:
        log.warning("%s: repaired %d damaged chunks", writer.out, len(writer.damaged))
    return record


def finish(writer: DatasetWriter, started: float, record: dict[str, Any], report: dict[str, Any],
           figures: Callable[[Dataset], dict[str, Any]] | None = None) -> dict[str, Any]:
    """Mark the dataset complete, draw ``preview.png`` next to it, and return the run's record: the ``report``,
    ``figures(dataset)`` (e.g. its diversity), the counts and the timings."""
    elapsed = time.perf_counter() - started
    record = {"seconds": round(elapsed, 2), **{k: round(v, 2) if isinstance(v, float) else v
                                                 for k, v in record.items()}}
    summary = writer.finish(record)
    ds = open_dataset(writer.out)
    save_sheet(writer.out / "preview.png", ds.images(0, 128), cols=16, cell=max(48, ds.image_size))
    if figures is not None:
        report = {**report, **figures(ds)}
    return {"out": str(writer.out), "images": len(ds), **report, **summary["counts"],
            **({"repaired": record["repaired"]} if record.get("repaired") else {}),
            "images_per_s_this_run": round(record["images"] / elapsed, 1), "run": record}


def iter_chunks(make_chunk: MakeChunk, options: DatasetOptions,
                chunks: Iterable[int]) -> Iterator[tuple[np.ndarray, dict[str, list]]]:
    """(images, metadata columns) of each of ``chunks``, byte-identical to what the stage writes.
    Chunks past the end of the dataset's ``n`` images continue the same stream at ``chunk_size`` each."""
    sizes = chunk_sizes(options.n, options.chunk_size)
    for c in chunks:
        images, columns, _ = make_chunk(c, sizes[c] if c < len(sizes) else options.chunk_size)
        yield images, columns


def steering_teacher(options: DatasetOptions) -> torch.nn.Module | None:
    """The steering teacher, loaded and checked at the dataset's image size (before any work), or None; a first
    chunk too small to fit a steering plan on is refused."""
    if not options.steering.active:
        return None
    teacher = options.teacher.load(check_size=options.size)
    classes = num_classes_of(teacher, options.size)
    pilot_size = chunk_sizes(options.n, options.chunk_size)[0]
    require(pilot_size >= pilot_floor(classes),
            f"--n {options.n} with --chunk-size {options.chunk_size} is too small to steer {classes} classes: the "
            f"first chunk is the pilot and needs at least {pilot_floor(classes)} images ({PILOT_PER_CLASS} per "
            f"class{', or per group of classes' if pilot_floor(classes) < PILOT_PER_CLASS * classes else ''})")
    return teacher


def steer(options: DatasetOptions, make_chunk: MakeChunk, teacher: torch.nn.Module | None,
          chosen: dict | None = None, search: ProgramSearch | None = None) -> tuple[MakeChunk, dict | None]:
    """``make_chunk`` steered by ``teacher`` as ``options`` ask (unchanged without ``--steer``), and the steering
    plan: ``chosen`` (recorded by an earlier run), or fitted now on the dataset's first chunk. A generator of
    programs passes its ``search``: with ``--steer search`` or ``all`` the plan then holds the search's archive,
    and the chunks are drawn from it."""
    if teacher is None:
        return make_chunk, None
    searching = search is not None and options.steering.search
    if chosen is None:
        classes = num_classes_of(teacher, options.size)
        first, columns, _ = make_chunk(0, chunk_sizes(options.n, options.chunk_size)[0])
        chosen = plan(first, teacher, classes, options.seed, options.steering)
        if searching:
            chosen = search.run(first, columns, chosen, teacher)
    if searching:
        return search.chunks(chosen, teacher), chosen
    return steered(make_chunk, chosen, teacher, options.seed), chosen


def steer_report(chosen: dict | None) -> dict[str, Any]:
    """What a run's record says about its steering (nothing when unsteered)."""
    if chosen is None:
        return {}
    report = {k: chosen[k] for k in ("lever", "identity_relative_entropy", "expected_relative_entropy")}
    if chosen.get("refine_steps"):
        report["refine_steps"] = chosen["refine_steps"]
    if "search" in chosen:  # program search: elites per class, and what finding them cost
        report["search"] = {k: chosen["search"][k] for k in ("counts", "distinct_shaders", "rounds", "rendered")}
    return {"steer": report}


def chunk_seeds(seed: int, chunk: int, count: int) -> np.ndarray:
    """Per-image 63-bit seeds for chunk ``chunk``: a pure function of (seed, chunk)."""
    return np.random.default_rng([seed, chunk]).integers(0, 2**63, size=count, dtype=np.uint64)


def diversity_figure(ds: Dataset) -> dict[str, Any]:
    """The run's diversity figure (``synthkd.core.diversity``), for the record."""
    from synthkd.core.diversity import dataset_diversity  # imports torch: only when a run ends

    return {"diversity": round(dataset_diversity(ds)[0], 4)}
