"""What every synthkd command shares: one-line errors, shard/torchrun handling, the progress bar."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from synthkd.core.dataset import Dataset, DatasetWriter, Shard, open_dataset
from synthkd.core.sheet import save_sheet

MakeChunk = Callable[[int, int], tuple[np.ndarray, dict[str, list], dict[str, int]]]


class UsageError(Exception):
    """Bad input found before any work started; printed as one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse that reports bad arguments on one line (``prog: error: ...``) and shows defaults in --help."""

    def __init__(self, **kwargs):
        kwargs.setdefault("formatter_class", argparse.ArgumentDefaultsHelpFormatter)
        super().__init__(**kwargs)

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def run(prog: str, body: Callable[[], int | None], errors: tuple[type[Exception], ...] = ()) -> int:
    """Run a command body; known error types become ``prog: error: message`` and exit status 2."""
    try:
        return body() or 0
    except (UsageError, *errors) as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog}: interrupted; run the same command again to resume", file=sys.stderr)
        return 130


def resolve_shard(text: str | None, out: Path) -> tuple[Shard | None, Path]:
    """``--shard I/N`` as given, or under torchrun one shard per rank in ``OUT/shard-RANK-of-WORLD``."""
    if text is not None:
        return Shard.parse(text), out
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1:
        rank = int(os.environ["RANK"])
        return Shard(rank, world), out / f"shard-{rank}-of-{world}"
    return None, out


def int_at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number no smaller than ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


positive_int = int_at_least(1)


def float_range(text: str) -> tuple[float, float]:
    try:
        lo, hi = (float(x) for x in text.replace(",", ":").split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected LO:HI, got {text!r}") from None
    if not lo < hi:
        raise argparse.ArgumentTypeError(f"expected LO < HI, got {text!r}")
    return lo, hi


def progress(total: int, desc: str, unit: str = "img", quiet: bool = False) -> tqdm:
    return tqdm(total=total, desc=desc, unit=unit, unit_scale=False, dynamic_ncols=True, disable=quiet,
                smoothing=0.1)


def write_chunks(writer: DatasetWriter, make_chunk: MakeChunk, desc: str, quiet: bool = False) -> dict[str, Any]:
    """Make every chunk still missing from ``writer`` with ``make_chunk(c, count) -> (images, columns, counts)``
    and write it. Writing runs on a second thread while the next chunk is made (at most one write pending).

    Returns what a run record needs: images made, and seconds spent making chunks and waiting for writes.
    """
    todo = writer.todo()
    record = {"images": 0, "seconds_making": 0.0, "seconds_waiting_to_write": 0.0}

    def write(c: int, images: np.ndarray, columns: dict[str, list], counts: dict[str, int]) -> int:
        writer.write_chunk(c, images, columns, counts)
        return writer.chunk_count(c)

    with progress(writer.header["count"], desc, quiet=quiet) as bar, ThreadPoolExecutor(1) as io:
        bar.update(writer.header["count"] - sum(writer.chunk_count(c) for c in todo))
        pending = None
        for c in todo:
            clock = time.perf_counter()
            images, columns, counts = make_chunk(c, writer.chunk_count(c))
            record["seconds_making"] += time.perf_counter() - clock
            clock = time.perf_counter()
            if pending is not None:
                bar.update(pending.result())
            pending = io.submit(write, c, images, columns, counts)
            record["seconds_waiting_to_write"] += time.perf_counter() - clock
            record["images"] += len(images)
        if pending is not None:
            bar.update(pending.result())
    return record


def finish(writer: DatasetWriter, started: float, record: dict[str, Any], report: dict[str, Any],
           figures: Callable[[Dataset], dict[str, Any]] | None = None) -> None:
    """Mark the dataset complete, draw ``preview.png`` next to it, and print the run's one-line JSON report
    (with ``figures(dataset)`` added, e.g. its diversity)."""
    elapsed = time.perf_counter() - started
    record = {"seconds": round(elapsed, 2), **{k: round(v, 2) if isinstance(v, float) else v
                                                 for k, v in record.items()}}
    summary = writer.finish(record)
    ds = open_dataset(writer.out)
    save_sheet(writer.out / "preview.png", ds.images(0, 128), cols=16, cell=max(48, ds.image_size))
    if figures is not None:
        report = {**report, **figures(ds)}
    print(json.dumps({"out": str(writer.out), "images": len(ds), **report, **summary["counts"],
                      "images_per_s_this_run": round(record["images"] / elapsed, 1), "run": record}))
