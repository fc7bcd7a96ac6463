"""The procedural generators as stages: Leaves and noise datasets, written to a directory or handed over in memory.

    from synthkd.procgen.stage import LeavesDataset, render_leaves
    record = render_leaves(LeavesDataset(n=1000, out=Path("data/leaves")))   # what ``render-leaves`` prints

``render_images`` crops a folder of real images the same way (``synthkd.procgen.folder``). Each stage writes (or
resumes) the dataset chunk by chunk and returns the run's record; ``leaves_batches`` and
``noise_batches`` give the same images and metadata for a range of chunks without writing anything.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from synthkd.core.generate import (
    DatasetOptions,
    MakeChunk,
    Stop,
    diversity_figure,
    finish,
    iter_chunks,
    open_writer,
    steer,
    steer_report,
    steering_teacher,
    write_chunks,
)
from synthkd.core.settings import group, opt, require
from synthkd.procgen.folder import FolderSettings
from synthkd.procgen.folder import make_chunk as folder_chunk
from synthkd.procgen.leaves import LeavesSettings
from synthkd.procgen.leaves import make_chunk as leaves_chunk
from synthkd.procgen.noise import NoiseSettings
from synthkd.procgen.noise import make_chunk as noise_chunk


@dataclass(frozen=True, kw_only=True)
class LeavesDataset(DatasetOptions):
    """A Leaves dataset (``render-leaves``)."""

    out: Path = opt(Path("data/leaves"), "dataset directory to create or resume", "--out", type=Path)
    leaves: LeavesSettings = field(default_factory=LeavesSettings, metadata=group("Leaves"))


@dataclass(frozen=True, kw_only=True)
class NoiseDataset(DatasetOptions):
    """A noise dataset (``render-noise``)."""

    out: Path = opt(Path("data/noise"), "dataset directory to create or resume", "--out", type=Path)
    noise: NoiseSettings = field(default_factory=NoiseSettings, metadata=group("noise"))


@dataclass(frozen=True, kw_only=True)
class ImagesDataset(DatasetOptions):
    """Crops of a folder of unlabelled images (``render-images``)."""

    out: Path = opt(Path("data/images"), "dataset directory to create or resume", "--out", type=Path)
    images: FolderSettings = field(default_factory=FolderSettings, metadata=group("images"))

    def __post_init__(self) -> None:
        super().__post_init__()
        require(self.images.folder is not None, "give the folder of images: --folder DIR")


def render_leaves(s: LeavesDataset, stop: Stop | None = None) -> dict[str, Any]:
    """Write (or finish) the Leaves dataset ``s`` describes; returns the run's record. ``stop``: see
    :func:`synthkd.core.generate.write_chunks` (a run with a deadline)."""
    return _render(s, "leaves", s.leaves.identity(), {"shape_kinds": list(s.leaves.shapes)}, _leaves_chunks(s), stop)


def render_noise(s: NoiseDataset, stop: Stop | None = None) -> dict[str, Any]:
    """Write (or finish) the noise dataset ``s`` describes; returns the run's record (``stop``: as
    :func:`render_leaves`)."""
    return _render(s, "noise", s.noise.identity(), {"kind": s.noise.kind}, _noise_chunks(s), stop)


def render_images(s: ImagesDataset, stop: Stop | None = None) -> dict[str, Any]:
    """Write (or finish) the dataset of crops ``s`` describes; returns the run's record (``stop``: as
    :func:`render_leaves`)."""
    listing = s.images.listing()
    return _render(s, "images", s.images.identity(), {"folder": str(listing.root), "files": len(listing.files),
                                                      "unreadable": len(listing.unreadable)}, _images_chunks(s), stop)


def leaves_batches(s: LeavesDataset, chunks: Iterable[int]) -> Iterator[tuple[np.ndarray, dict[str, list]]]:
    """(images, metadata columns) of ``chunks`` of the Leaves dataset ``s``, as ``render_leaves`` would write them."""
    return iter_chunks(leaves_chunks(s)[0], s, chunks)


def noise_batches(s: NoiseDataset, chunks: Iterable[int]) -> Iterator[tuple[np.ndarray, dict[str, list]]]:
    """(images, metadata columns) of ``chunks`` of the noise dataset ``s``, as ``render_noise`` would write them."""
    return iter_chunks(noise_chunks(s)[0], s, chunks)


def leaves_chunks(s: LeavesDataset, chosen: dict | None = None) -> tuple[MakeChunk, dict | None]:
    """The Leaves dataset's ``make_chunk`` (steered, with the plan ``chosen`` or one fitted now) and its plan."""
    return steer(s, _leaves_chunks(s), steering_teacher(s), chosen)


def noise_chunks(s: NoiseDataset, chosen: dict | None = None) -> tuple[MakeChunk, dict | None]:
    """The noise dataset's ``make_chunk`` (steered, with the plan ``chosen`` or one fitted now) and its plan."""
    return steer(s, _noise_chunks(s), steering_teacher(s), chosen)


def images_chunks(s: ImagesDataset, chosen: dict | None = None) -> tuple[MakeChunk, dict | None]:
    """The crops' ``make_chunk`` (steered, with the plan ``chosen`` or one fitted now) and its plan."""
    return steer(s, _images_chunks(s), steering_teacher(s), chosen)


def _leaves_chunks(s: LeavesDataset) -> MakeChunk:
    return partial(leaves_chunk, s.leaves, s.size, s.seed)


def _noise_chunks(s: NoiseDataset) -> MakeChunk:
    return partial(noise_chunk, s.noise, s.size, s.seed)


def _images_chunks(s: ImagesDataset) -> MakeChunk:
    return partial(folder_chunk, s.images, s.size, s.seed)


def _render(s: DatasetOptions, generator: str, settings: dict, report: dict, make_chunk: MakeChunk,
            stop: Stop | None) -> dict[str, Any]:
    teacher = steering_teacher(s)
    writer = open_writer(s, generator, settings)  # refuses a different dataset before any work
    started = time.perf_counter()
    make_chunk, chosen = steer(s, make_chunk, teacher, (writer.derived or {}).get("steer"))
    if chosen is not None and writer.derived is None:
        writer.set_derived({"steer": chosen})
    record = write_chunks(writer, make_chunk, "rendering", s.quiet, stop)
    return finish(writer, started, record, {**report, **steer_report(chosen)}, diversity_figure)

