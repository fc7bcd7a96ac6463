"""Dataset directories: the one on-disk format every synthkd stage reads and writes.

A dataset is a directory::

    dataset.json            what it is (generator, settings, seed, ...) and the run summary
    chunks/c000000.npy      images [0, chunk_size) as one uint8 array (k, H, W, 3)
    chunks/c000000.json     their metadata (one list per field) and the chunk's counts (rendered, dropped, ...)

Images are generated in fixed-size *chunks*; chunk ``c`` depends only on the seed, the settings and
``c``, so a run can be split into shards (``--shard i/n`` takes a contiguous range of chunks) and joined
back into exactly the unsharded dataset. A chunk's ``.json`` is written after its ``.npy`` and both are
written under a temporary name and renamed, so a killed run leaves only finished chunks behind and
the next run of the same command continues with the missing ones.

Generators fill every chunk to its planned size. A *variable* dataset (the prober's output: each chunk's
balanced examples plus however many adversarial examples came out valid) plans its chunks the same way
but lets each hold any number of images; the sizes are recorded in the chunk files and, once complete,
in ``dataset.json`` (``chunk_sizes``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

FORMAT = "synthkd-dataset/1"
HEADER = "dataset.json"
CHUNKS = "chunks"
_IDENTITY = ("format", "generator", "total", "image_size", "seed", "chunk_size", "settings")


class DatasetError(ValueError):
    """A dataset directory is missing, incomplete, inconsistent, or not the one asked for."""


@dataclass(frozen=True)
class Shard:
    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
        if not m or not 0 <= int(m.group(1)) < int(m.group(2)):
            raise DatasetError(f"--shard wants I/N with 0 <= I < N (e.g. 0/4), got {text!r}")
        return cls(int(m.group(1)), int(m.group(2)))

    def chunks(self, n_chunks: int) -> range:
        """This shard's contiguous range of chunk indices."""
        return range(self.index * n_chunks // self.count, (self.index + 1) * n_chunks // self.count)


def chunk_sizes(total: int, chunk_size: int) -> list[int]:
    full, rest = divmod(total, chunk_size)
    return [chunk_size] * full + ([rest] if rest else [])


def atomic_write(path: Path, write) -> None:
    """Call ``write(file)`` on a temporary file next to ``path``, flush it to disk, then rename it into place."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def write_json(path: Path, obj: Any, pretty: bool = True) -> None:
    text = json.dumps(obj, indent=1, sort_keys=True) if pretty else json.dumps(obj, separators=(",", ":"))
    atomic_write(path, lambda f: f.write(text.encode() + b"\n"))


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
        missing = [k for k in _IDENTITY if k not in self.header]
        if missing:
            raise DatasetError(f"dataset identity lacks {missing}")
        self.sizes = chunk_sizes(self.header["total"], self.header["chunk_size"])
        span = (shard or Shard(0, 1)).chunks(len(self.sizes))
        self.header["shard"] = None if shard is None else {"index": shard.index, "count": shard.count,
                                                           "chunks": [span.start, span.stop]}
        self.header["count"] = sum(self.sizes[c] for c in span)
        self.span = span
        self._prepare()

    def _prepare(self) -> None:
        out = self.out
        if out.exists() and not out.is_dir():
            raise DatasetError(f"--out {out} is a file, not a directory")
        existing = out / HEADER
        if existing.is_file():
            old = json.loads(existing.read_text())
            diff = _differences(old, self.header, (*_IDENTITY, "shard", "variable"))
            if diff:
                raise DatasetError(f"{out} already holds a different dataset (differs in {', '.join(diff)}); "
                                   "choose another --out or delete it")
            for key in ("derived", "derived_info", "complete", "runs"):
                if key in old:
                    self.header[key] = old[key]
        elif out.is_dir() and any(out.iterdir()):
            raise DatasetError(f"{out} is not empty and holds no {HEADER}; refusing to write a dataset into it")
        else:
            self.header.update(derived=None, derived_info={}, complete=False)
        try:
            (out / CHUNKS).mkdir(parents=True, exist_ok=True)
            write_json(out / HEADER, self.header)
        except OSError as exc:
            raise DatasetError(f"cannot write to {out}: {exc.strerror or exc}") from None
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
        """Chunks of this shard not yet on disk, in order."""
        return [c for c in self.span if not _chunk_meta(self.out, c).is_file()]

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
        atomic_write(_chunk_images(self.out, c), lambda f: np.save(f, np.ascontiguousarray(images)))
        write_json(_chunk_meta(self.out, c), {"chunk": c, "size": len(images), "counts": dict(counts),
                                              "columns": columns}, pretty=False)

    def finish(self, run: dict[str, Any] | None = None) -> dict[str, Any]:
        """Mark the dataset complete (only if every chunk is on disk); returns the summary."""
        if self.todo():
            raise DatasetError(f"{len(self.todo())} chunks of {self.out} are missing")
        self.header["summary"] = summarize((self.out, c) for c in self.span)
        if self.header["variable"]:
            self.header["chunk_sizes"] = [json.loads(_chunk_meta(self.out, c).read_text())["size"] for c in self.span]
            self.header["count"] = sum(self.header["chunk_sizes"])
        self.header["complete"] = True
        if run:
            self.header.setdefault("runs", []).append(run)
        write_json(self.out / HEADER, self.header)
        return self.header["summary"]


def summarize(chunks: Iterable[tuple[Path, int]]) -> dict[str, Any]:
    """Counts (rendered, kept, dropped by reason, ...) added up over (directory, chunk) pairs."""
    counts: Counter = Counter()
    for root, c in chunks:
        counts.update(json.loads(_chunk_meta(root, c).read_text())["counts"])
    return {"counts": dict(sorted(counts.items()))}


class Dataset:
    """Read access to a complete dataset (or to the shards of one, joined in chunk order).

    ``ds[i]`` returns ``(image, meta)``: an HxWx3 uint8 array and a dict with the generator, the
    image's global index and whatever the generator recorded (source, seed, ...).
    """

    def __init__(self, parts: list[tuple[Path, dict]]):
        self.header = {k: v for k, v in parts[0][1].items()
                       if k not in ("shard", "count", "runs", "summary", "chunk_sizes")}
        self.roots = [root for root, _ in parts]
        self._chunks: list[tuple[Path, int]] = []
        sizes: list[int] = []
        for root, h in parts:
            span = range(*h["shard"]["chunks"]) if h.get("shard") else range(len(_sizes(h)))
            self._chunks += [(root, c) for c in span]
            sizes += h["chunk_sizes"] if h.get("variable") else [_sizes(h)[c] for c in span]
        self.chunk_sizes = sizes
        self._offsets = np.cumsum([0, *sizes])
        self._images: dict[int, np.ndarray] = {}
        self._metas: dict[int, list[dict]] = {}

    def __len__(self) -> int:
        return int(self._offsets[-1])

    def __getitem__(self, i: int) -> tuple[np.ndarray, dict]:
        if not -len(self) <= i < len(self):
            raise IndexError(f"index {i} out of range for a dataset of {len(self)} images")
        i %= len(self)
        k = int(np.searchsorted(self._offsets, i, side="right")) - 1
        j = i - int(self._offsets[k])
        return np.array(self.chunk_images(k)[j]), self.chunk_metas(k)[j]

    @property
    def image_size(self) -> int:
        return int(self.header["image_size"])

    @property
    def generator(self) -> str:
        return str(self.header["generator"])

    @property
    def num_chunks(self) -> int:
        return len(self._chunks)

    def chunk_images(self, k: int) -> np.ndarray:
        """The k-th chunk's images as a read-only memory map (fast bulk access)."""
        if k not in self._images:
            root, c = self._chunks[k]
            self._images[k] = np.load(_chunk_images(root, c), mmap_mode="r")
        return self._images[k]

    def chunk_metas(self, k: int) -> list[dict]:
        if k not in self._metas:
            root, c = self._chunks[k]
            base = int(self._offsets[k])
            columns = json.loads(_chunk_meta(root, c).read_text())["columns"]
            rows = zip(*columns.values(), strict=True) if columns else [()] * (self._offsets[k + 1] - base)
            self._metas[k] = [{"generator": self.generator, "index": base + j, **dict(zip(columns, row, strict=True))}
                              for j, row in enumerate(rows)]
        return self._metas[k]

    def images(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Images [start, stop) as one array (copies)."""
        stop = len(self) if stop is None else min(stop, len(self))
        parts = []
        for k in range(self.num_chunks):
            lo, hi = int(self._offsets[k]), int(self._offsets[k + 1])
            if hi > start and lo < stop:
                parts.append(self.chunk_images(k)[max(start, lo) - lo : min(stop, hi) - lo])
        size = self.image_size
        return np.concatenate(parts) if parts else np.zeros((0, size, size, 3), np.uint8)

    def take(self, indices: Sequence[int] | np.ndarray) -> np.ndarray:
        """The images at ``indices`` (any order, repeats allowed) as one array, read chunk by chunk."""
        indices = np.asarray(indices, dtype=np.int64)
        out = np.empty((len(indices), self.image_size, self.image_size, 3), np.uint8)
        chunk_of = np.searchsorted(self._offsets, indices, side="right") - 1
        for k in np.unique(chunk_of):
            rows = np.flatnonzero(chunk_of == k)
            out[rows] = self.chunk_images(int(k))[indices[rows] - self._offsets[k]]
        return out

    def column(self, name: str, default: Any = None) -> list:
        """One metadata field for every image, in order (``default`` where an image has none)."""
        return [m.get(name, default) for k in range(self.num_chunks) for m in self.chunk_metas(k)]

    def summary(self) -> dict[str, Any]:
        return summarize(self._chunks)


def open_dataset(path: str | Path | Sequence[str | Path]) -> Dataset:
    """Open a dataset directory (whole, or one shard by itself), or join shards: a directory of ``shard-*``
    sub-directories, or a list of shard directories, which must cover the whole dataset."""
    join = True
    if isinstance(path, (str, Path)):
        root = Path(path)
        if (root / HEADER).is_file():
            paths, join = [root], False  # one directory, whole or a single shard: read as it is
        else:
            paths = sorted(p.parent for p in root.glob(f"shard-*/{HEADER}"))
            if not paths:
                raise DatasetError(f"no dataset at {root} (no {HEADER}, no shard-*/{HEADER})")
    else:
        paths = [Path(p) for p in path]
    parts = []
    for p in paths:
        if not (p / HEADER).is_file():
            raise DatasetError(f"no dataset at {p} (no {HEADER})")
        h = json.loads((p / HEADER).read_text())
        if h.get("format") != FORMAT:
            raise DatasetError(f"{p}: unknown dataset format {h.get('format')!r}")
        if not h.get("complete"):
            raise DatasetError(f"{p} is incomplete: re-run the command that made it to finish it")
        parts.append((p, h))
    return Dataset(_order_shards(parts) if join else parts)


def merge(out: str | Path, shards: Sequence[str | Path]) -> Path:
    """Join shard directories into one unsharded dataset directory at ``out`` (hard links where possible)."""
    ds = open_dataset(shards)
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise DatasetError(f"{out} exists and is not empty")
    (out / CHUNKS).mkdir(parents=True, exist_ok=True)
    for root, c in ds._chunks:
        for src in (_chunk_images(root, c), _chunk_meta(root, c)):
            dst = out / CHUNKS / src.name
            try:
                os.link(src, dst)
            except OSError:
                shutil.copy2(src, dst)
    header = {**ds.header, "shard": None, "count": len(ds), "complete": True}
    if header.get("variable"):
        header["chunk_sizes"] = ds.chunk_sizes
    header["summary"] = summarize((out, c) for c in range(len(_sizes(header))))
    write_json(out / HEADER, header)
    return out


def _order_shards(parts: list[tuple[Path, dict]]) -> list[tuple[Path, dict]]:
    first = parts[0][1]
    for p, h in parts[1:]:
        diff = _differences(first, h, (*_IDENTITY, "derived"))
        if diff:
            raise DatasetError(f"{p} is a shard of a different dataset than {parts[0][0]} "
                               f"(differs in {', '.join(diff)})")
    parts = sorted(parts, key=lambda ph: (ph[1].get("shard") or {"chunks": [0]})["chunks"][0])
    expected = 0
    for p, h in parts:
        span = (h.get("shard") or {}).get("chunks")
        if span is None or span[0] != expected:
            raise DatasetError(f"shards do not join up: {p} should start at chunk {expected}")
        expected = span[1]
    if expected != len(_sizes(first)):
        raise DatasetError(f"shards cover chunks 0..{expected - 1} of {len(_sizes(first))}: some shards are missing")
    return parts


def _sizes(header: dict) -> list[int]:
    return chunk_sizes(header["total"], header["chunk_size"])


def _differences(a: dict, b: dict, keys: Iterable[str]) -> list[str]:
    out = []
    for k in keys:
        va, vb = a.get(k), b.get(k)
        if isinstance(va, dict) and isinstance(vb, dict):
            out += [f"{k}.{sub}" for sub in sorted(set(va) | set(vb)) if va.get(sub) != vb.get(sub)]
        elif va != vb:
            out.append(k)
    return out


def _chunk_images(root: Path, c: int) -> Path:
    return root / CHUNKS / f"c{c:06d}.npy"


def _chunk_meta(root: Path, c: int) -> Path:
    return root / CHUNKS / f"c{c:06d}.json"
