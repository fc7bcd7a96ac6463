"""A dataset's chunk files: where a chunk's ``.npy`` and ``.json`` lie, how its metadata is read, and how it is
checked against the checksum it records.

The writer (to find the chunks to render again), the reader (:class:`~synthkd.core.dataset.Dataset`),
:func:`~synthkd.core.dataset.verify` and merge all go through these, so a damaged chunk is found and named the
same way everywhere.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from synthkd.core.errors import DatasetFault
from synthkd.core.files import file_sha256, read_json
from synthkd.core.settings import whole

CHUNKS = "chunks"


@dataclass(frozen=True)
class ChunkCheck:
    """What :func:`check_chunk` found about one chunk: ``problem`` (None: intact) with the ``file`` it concerns;
    ``sha256``, the checksum its metadata records (None: written before checksums, only its structure is
    checked); ``written``: whether its metadata file is there (a chunk damaged since, not one never written)."""

    chunk: int
    file: Path
    problem: str | None
    sha256: str | None = None
    written: bool = False


def check_chunk(root: Path, c: int) -> ChunkCheck:
    """Check chunk ``c`` of the dataset in ``root``: both files there, the metadata readable, the ``.npy`` of the
    recorded length and checksum (or, written before checksums, holding the array its metadata counts)."""
    npy, meta_path = chunk_images(root, c), chunk_meta(root, c)
    if not meta_path.is_file():
        return ChunkCheck(c, meta_path, "is missing")
    try:
        meta = json.loads(meta_path.read_text())
        count, recorded, length = meta["size"], meta.get("sha256"), meta.get("bytes")
        if not whole(count) or not (recorded is None or (isinstance(recorded, str) and whole(length))):
            raise ValueError("its size, sha256 or bytes are not what a chunk records")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return ChunkCheck(c, meta_path, f"is unreadable ({reason(exc)})", written=True)
    try:
        actual = npy.stat().st_size
        if recorded is None:
            return ChunkCheck(c, npy, _legacy_problem(npy, count), None, True)
        if actual != length:
            problem = f"is truncated ({actual} of {length} bytes)" if actual < length else \
                f"has {actual} bytes, its metadata records {length}"
            return ChunkCheck(c, npy, problem, recorded, True)
        if file_sha256(npy) != recorded:
            return ChunkCheck(c, npy, "was altered (its sha256 differs from the one recorded)", recorded, True)
    except FileNotFoundError:
        return ChunkCheck(c, npy, "is missing", recorded, True)
    except OSError as exc:
        return ChunkCheck(c, npy, f"is unreadable ({reason(exc)})", recorded, True)
    return ChunkCheck(c, npy, None, recorded, True)


def _legacy_problem(npy: Path, count: int) -> str | None:
    """What is wrong with the ``.npy`` of a chunk written before checksums (it must hold ``count`` images)."""
    try:
        images = np.load(npy, mmap_mode="r")
    except (ValueError, EOFError) as exc:
        return f"is unreadable ({reason(exc)})"
    if images.ndim != 4 or len(images) != count:
        return f"holds an array of shape {images.shape}, its metadata counts {count} images"
    return None


def reason(exc: BaseException) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else " ".join(str(exc).split())


def check_threads() -> int:
    """Threads that hash chunk files at once (hashlib releases the GIL; more than a few only queue for the disk)."""
    return max(1, min(4, os.cpu_count() or 1))


def summarize(chunks: Iterable[tuple[Path, int]]) -> dict[str, Any]:
    """Counts (rendered, kept, dropped by reason, ...) added up over (directory, chunk) pairs."""
    counts: Counter = Counter()
    for root, c in chunks:
        counts.update(read_chunk_meta(root, c)["counts"])
    return {"counts": dict(sorted(counts.items()))}


def read_chunk_meta(root: Path, c: int) -> dict[str, Any]:
    """Chunk ``c``'s metadata file; a missing or damaged one is a :class:`DatasetFault` that names it."""
    path = chunk_meta(root, c)
    meta = read_json(path, repair_hint(root))
    if not isinstance(meta, dict) or not isinstance(meta.get("columns"), dict) \
            or not isinstance(meta.get("counts"), dict) or not all(whole(v) for v in meta["counts"].values()):
        raise DatasetFault(f"{path} is not chunk metadata; {repair_hint(root)}")
    return meta


def repair_hint(root: Path) -> str:
    return f"run the command that made {root} again to repair it ('synthkd verify {root}' lists every damaged chunk)"


def chunk_images(root: Path, c: int) -> Path:
    return root / CHUNKS / f"c{c:06d}.npy"


def chunk_meta(root: Path, c: int) -> Path:
    return root / CHUNKS / f"c{c:06d}.json"
