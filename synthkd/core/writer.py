"""Writing a dataset directory: :class:`DatasetWriter` creates one, resumes the same one (and refuses a
different one), writes its chunks, renders again the ones found damaged, and marks it complete with its
fingerprint. The format it writes is described in :mod:`synthkd.core.dataset`; every generator and the prober
write through it.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from synthkd.core.chunks import CHUNKS, check_chunk, check_threads, chunk_images, chunk_meta, summarize
from synthkd.core.dataset import FORMAT, HEADER, IDENTITY, Shard, chunk_sizes, differences
from synthkd.core.errors import DatasetError, DatasetFault
from synthkd.core.files import (
    atomic_write,
    file_sha256,
    fingerprint,
    guard_out,
    lock_folder,
    read_json,
    unlock_folder,
    write_json,
)

log = logging.getLogger(__name__)


class DatasetWriter:
    """Creates a dataset directory, or resumes the same dataset in it; refuses to mix in a different one.

    ``identity`` holds what defines the images: generator, total, image_size, seed, chunk_size, settings.
    ``derived`` (optional, set once) holds facts computed at the first run that define the images and
    that later runs and other shards must share, e.g. which shaders passed the compile check;
    ``derived_info`` beside it holds what was measured on the way (e.g. costs), which may differ by machine.
    """

    def __init__(self, out: str | Path, identity: dict[str, Any], shard: Shard | None = None,
                 variable: bool = False):
        self.out = Path(out)
        self.header = {"format": FORMAT, **identity, "variable": variable}
        missing = [k for k in IDENTITY if k not in self.header]
        if missing:
            raise DatasetError(f"dataset identity lacks {missing}")
        self.sizes = chunk_sizes(self.header["total"], self.header["chunk_size"])
        if shard is not None and shard.count > len(self.sizes):
            raise DatasetError(f"--shard {shard.index}/{shard.count}: the dataset has only {len(self.sizes)} chunks "
                               f"of {self.header['chunk_size']} images, too few for {shard.count} shards; use at "
                               f"most {len(self.sizes)} shards or a smaller --chunk-size")
        span = (shard or Shard(0, 1)).chunks(len(self.sizes))
        self.header["shard"] = None if shard is None else {"index": shard.index, "count": shard.count,
                                                           "chunks": [span.start, span.stop]}
        self.header["count"] = sum(self.sizes[c] for c in span)
        self.span = span
        self.done: dict[int, str | None] | None = None  # intact chunks -> their checksum (once checked, see todo)
        self.damaged: dict[int, str] = {}  # chunks found damaged (see todo) -> what was wrong
        self._prepare()

    def _prepare(self) -> None:
        out = self.out
        existing = out / HEADER
        found = guard_out(out, HEADER, "a dataset")
        lock_folder(out)
        if found:
            old = read_json(existing, "restore it, or choose another --out")
            if not isinstance(old, dict):
                raise DatasetFault(f"{existing} is not a dataset header; restore it, or choose another --out")
            diff = differences(old, self.header, (*IDENTITY, "shard", "variable"))
            if diff:
                raise DatasetError(f"{out} already holds a different dataset (differs in {', '.join(diff)}); "
                                   "choose another --out or delete it")
            kept = ("derived", "derived_info", "complete", "runs",
                    *(("summary", "chunk_sizes", "count", "fingerprint") if old.get("complete") else ()))
            for key in kept:
                if key in old:
                    self.header[key] = old[key]
        else:
            self.header.update(derived=None, derived_info={}, complete=False)
        try:
            (out / CHUNKS).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatasetFault(f"cannot write to {out}: {exc.strerror or exc}") from None
        write_json(out / HEADER, self.header)
        for stale in (out / CHUNKS).glob(".*.tmp"):
            stale.unlink(missing_ok=True)

    @property
    def derived(self) -> dict | None:
        return self.header.get("derived")

    def set_derived(self, derived: dict, info: dict | None = None) -> None:
        self.header["derived"] = derived
        self.header["derived_info"] = info or {}
        write_json(self.out / HEADER, self.header)

    def todo(self) -> list[int]:
        """Chunks of this shard not yet on disk intact, in order: never written, or deleted, truncated or altered
        since. The chunks on disk are checked (:func:`check_chunk`) at the first call; damaged ones are logged
        and kept in ``damaged``, and the dataset counts as incomplete until they are written again."""
        if self.done is None:
            with ThreadPoolExecutor(check_threads()) as pool:
                checks = list(pool.map(lambda c: check_chunk(self.out, c), self.span))
            self.done = {x.chunk: x.sha256 for x in checks if x.problem is None}
            was_complete = bool(self.header.get("complete"))
            self.damaged = {x.chunk: f"{x.file.name} {x.problem}" for x in checks
                            if x.problem is not None and (x.written or was_complete)}
            if self.damaged:
                shown = "; ".join(list(self.damaged.values())[:3]) + ("; ..." if len(self.damaged) > 3 else "")
                log.warning("%s: %d damaged chunks to make again (%s)", self.out, len(self.damaged), shown)
                if was_complete:
                    self.header["complete"] = False
                    write_json(self.out / HEADER, self.header)
        return [c for c in self.span if c not in self.done]

    def chunk_count(self, c: int) -> int:
        return self.sizes[c]

    def write_chunk(self, c: int, images: np.ndarray, columns: dict[str, list], counts: dict[str, int]) -> None:
        """Write chunk ``c``: its images, one list per metadata field (an entry per image), and its counts."""
        size = self.header["image_size"]
        count = len(images) if self.header["variable"] else self.sizes[c]
        if images.shape != (count, size, size, 3) or images.dtype != np.uint8 \
                or any(len(v) != len(images) for v in columns.values()):
            raise DatasetError(f"chunk {c}: expected {count} uint8 images of the dataset's size "
                               f"and a metadata entry for each, got {images.shape} {images.dtype}, "
                               f"{ {k: len(v) for k, v in columns.items()} }")
        npy = chunk_images(self.out, c)
        checksum = atomic_write(npy, lambda f: np.save(f, np.ascontiguousarray(images)))
        write_json(chunk_meta(self.out, c), {"chunk": c, "size": len(images), "counts": dict(counts),
                                              "columns": columns, "sha256": checksum, "bytes": npy.stat().st_size},
                   pretty=False)
        if self.done is not None:
            self.done[c] = checksum

    def cut(self, chunks: int) -> None:
        """Make the dataset its first ``chunks`` chunks (a run that stopped early, at its deadline): its total
        shrinks to what they hold and later chunk files are deleted, so that it is the dataset the same settings
        with that total make."""
        if self.header["shard"] is not None or chunks < 1:
            raise DatasetError(f"{self.out}: only a whole dataset can be cut, to one chunk or more")
        for c in range(chunks, len(self.sizes)):
            chunk_meta(self.out, c).unlink(missing_ok=True)
            chunk_images(self.out, c).unlink(missing_ok=True)
        self.sizes = self.sizes[:chunks]
        self.span = range(chunks)
        self.header["total"] = self.header["count"] = sum(self.sizes)
        self.done = {c: v for c, v in (self.done or {}).items() if c < chunks}
        self.damaged = {c: v for c, v in self.damaged.items() if c < chunks}
        write_json(self.out / HEADER, self.header)

    def finish(self, run: dict[str, Any] | None = None) -> dict[str, Any]:
        """Mark the dataset complete (only if every chunk is on disk intact) and record its fingerprint; returns
        the summary."""
        missing = self.todo()
        if missing:
            raise DatasetError(f"{len(missing)} chunks of {self.out} are missing")
        self.header["summary"] = summarize((self.out, c) for c in self.span)
        if self.header["variable"]:
            self.header["chunk_sizes"] = [read_json(chunk_meta(self.out, c))["size"] for c in self.span]
            self.header["count"] = sum(self.header["chunk_sizes"])
        self.header["fingerprint"] = fingerprint(self.done[c] or file_sha256(chunk_images(self.out, c))
                                                 for c in self.span)
        self.header["complete"] = True
        if run:
            self.header.setdefault("runs", []).append(run)
        write_json(self.out / HEADER, self.header)
        self.close()
        return self.header["summary"]

    def close(self) -> None:
        """Give up the lock on the output folder (:meth:`finish` does; a run that stops early keeps it until its
        process ends, or until it calls this)."""
        unlock_folder(self.out)
