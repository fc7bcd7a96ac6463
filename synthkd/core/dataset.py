"""Dataset directories: the one on-disk format every synthkd stage reads and writes, and its reader.

A dataset is a directory::

    dataset.json            what it is (generator, settings, seed, ...) and the run summary
    chunks/c000000.npy      images [0, chunk_size) as one uint8 array (k, H, W, 3)
    chunks/c000000.json     their metadata (one list per field) and the chunk's counts (rendered, dropped, ...)

Images are generated in fixed-size *chunks*; chunk ``c`` depends only on the seed, the settings and
``c``, so a run can be split into shards (``--shard i/n`` takes a contiguous range of chunks) and joined
back into exactly the unsharded dataset. A chunk's ``.json`` is written after its ``.npy`` and both are
written under a temporary name and renamed, so a killed run leaves only finished chunks behind and
the next run of the same command continues with the missing ones.

A chunk's ``.json`` records the sha256 and the length of its ``.npy``: a chunk counts as done only when both
files are there and the checksum matches, so the next run of the same command also renders again any chunk that
was deleted, truncated or altered (and says how many it repaired), readers refuse a damaged chunk in one line that
names its file, and :func:`verify` checks them all. ``dataset.json`` carries the dataset's *fingerprint*, a hash
of the chunk checksums in order, which later stages record and compare to notice different data at the same path.
Datasets written before checksums still read; their chunks count as unverified. Every folder a run writes is
locked (:func:`~synthkd.core.files.lock_folder`) so that a second process cannot write into it at the same time.

Generators fill every chunk to its planned size. A *variable* dataset (the prober's output: each chunk's
balanced examples plus however many adversarial examples came out valid) plans its chunks the same way
but lets each hold any number of images; the sizes are recorded in the chunk files and, once complete,
in ``dataset.json`` (``chunk_sizes``).

This module holds the format's constants, :class:`Shard`, and the reading side: :class:`Dataset`,
:func:`open_dataset` and :func:`verify`. The rest of the format lives beside it, one job per module:
``errors`` (:class:`~synthkd.core.errors.DatasetError`, :class:`~synthkd.core.errors.DatasetFault`), ``files``
(atomic writes, checksums, JSON, the guard and lock of output folders), ``chunks`` (a chunk's files and their
checks), ``writer`` (:class:`~synthkd.core.writer.DatasetWriter`) and ``merge`` (joining shards).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from synthkd.core.chunks import (
    CHUNKS,
    check_chunk,
    check_threads,
    chunk_images,
    chunk_meta,
    read_chunk_meta,
    reason,
    repair_hint,
    summarize,
)
from synthkd.core.errors import DatasetError, DatasetFault
from synthkd.core.files import file_sha256, fingerprint, read_json
from synthkd.core.settings import whole

FORMAT = "synthkd-dataset/1"
HEADER = "dataset.json"
IDENTITY = ("format", "generator", "total", "image_size", "seed", "chunk_size", "settings")
MAX_IMAGE_SIZE = 4096
MAPPED_BYTES = 1 << 30  # chunks a Dataset keeps memory-mapped at once, in bytes (at least one chunk)


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


class Dataset:
    """Read access to a complete dataset (or to the shards of one, joined in chunk order).

    ``ds[i]`` returns ``(image, meta)``: an HxWx3 uint8 array and a dict with the generator, the
    image's global index and whatever the generator recorded (source, seed, ...).
    """

    def __init__(self, parts: list[tuple[Path, dict]]):
        self.header = {k: v for k, v in parts[0][1].items()
                       if k not in ("shard", "count", "runs", "summary", "chunk_sizes", "fingerprint")}
        self.roots = [root for root, _ in parts]
        self._chunks: list[tuple[Path, int]] = []
        sizes: list[int] = []
        for root, h in parts:
            span = range(*h["shard"]["chunks"]) if h.get("shard") else range(len(planned_sizes(h)))
            self._chunks += [(root, c) for c in span]
            sizes += h["chunk_sizes"] if h.get("variable") else [planned_sizes(h)[c] for c in span]
        self.chunk_sizes = sizes
        self._offsets = np.cumsum([0, *sizes])
        self._images: dict[int, np.ndarray] = {}  # the open memory maps, least recently used first
        self._verified: set[int] = set()
        self._metas: dict[int, list[dict]] = {}
        self._checksums: dict[int, tuple[str | None, int | None]] = {}

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
        """The k-th chunk's images as a read-only memory map (fast bulk access). The file is checked against the
        checksum its metadata records when it is first opened; a missing or damaged file is a
        :class:`DatasetFault` that names it. The Dataset keeps at most ``MAPPED_BYTES`` of chunks mapped (and
        always the one asked for), dropping the least recently used, so that reading a million images does not
        keep them all in the process's memory; a map is closed once no view of it is left."""
        images = self._images.pop(k, None)
        if images is None:
            images = self._open_chunk(k)
        self._images[k] = images
        while len(self._images) > 1 and sum(m.nbytes for m in self._images.values()) > MAPPED_BYTES:
            del self._images[next(iter(self._images))]
        return images

    def _open_chunk(self, k: int) -> np.ndarray:
        root, c = self._chunks[k]
        path = chunk_images(root, c)
        checksum, length = self._checksum(k) if k not in self._verified else (None, None)
        expected = (self.chunk_sizes[k], self.image_size, self.image_size, 3)
        try:
            images = np.load(path, mmap_mode="r")
            if checksum is not None and (path.stat().st_size != length or file_sha256(path) != checksum):
                raise DatasetFault(f"{path} does not match the checksum in {chunk_meta(root, c).name} (altered "
                                   f"or truncated); {repair_hint(root)}")
        except FileNotFoundError:
            raise DatasetFault(f"{path} is missing; {repair_hint(root)}") from None
        except (OSError, ValueError, EOFError) as exc:
            raise DatasetFault(f"{path} is unreadable ({reason(exc)}); {repair_hint(root)}") from None
        if images.shape != expected or images.dtype != np.uint8:
            raise DatasetFault(f"{path} holds {images.dtype} {images.shape}, expected uint8 {expected}; "
                               f"{repair_hint(root)}")
        self._verified.add(k)
        return images

    def chunk_metas(self, k: int) -> list[dict]:
        if k not in self._metas:
            base = int(self._offsets[k])
            columns = self._columns(k)
            rows = zip(*columns.values(), strict=True) if columns else [()] * (self._offsets[k + 1] - base)
            self._metas[k] = [{"generator": self.generator, "index": base + j, **dict(zip(columns, row, strict=True))}
                              for j, row in enumerate(rows)]
        return self._metas[k]

    def _columns(self, k: int) -> dict[str, list]:
        """The k-th chunk's metadata columns, each checked to hold an entry per image."""
        root, c = self._chunks[k]
        columns = read_chunk_meta(root, c)["columns"]
        if any(not isinstance(v, list) or len(v) != self.chunk_sizes[k] for v in columns.values()):
            raise DatasetFault(f"{chunk_meta(root, c)} does not hold an entry per image of its chunk; "
                               f"{repair_hint(root)}")
        return columns

    def _checksum(self, k: int) -> tuple[str | None, int | None]:
        """The k-th chunk's recorded checksum and length (None, None: written before checksums)."""
        if k not in self._checksums:
            meta = read_chunk_meta(*self._chunks[k])
            self._checksums[k] = (meta.get("sha256"), meta.get("bytes"))
        return self._checksums[k]

    @property
    def fingerprint(self) -> str | None:
        """The data's fingerprint (:func:`fingerprint`) from the checksums its chunks record; None for data
        written before checksums."""
        sums = [self._checksum(k)[0] for k in range(self.num_chunks)]
        return None if None in sums else fingerprint(sums)

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

    def chunk_column(self, k: int, name: str, default: Any = None) -> list:
        """One metadata field for every image of chunk ``k`` (``default`` where the chunk has none)."""
        if k in self._metas:
            return [m.get(name, default) for m in self._metas[k]]
        columns = self._columns(k)
        if name in columns:
            return columns[name]
        if name == "index":  # the two fields every image's metadata has (chunk_metas), where its file has none
            return list(range(int(self._offsets[k]), int(self._offsets[k + 1])))
        if name == "generator":
            return [self.generator] * self.chunk_sizes[k]
        return [default] * self.chunk_sizes[k]

    def column(self, name: str, default: Any = None) -> list:
        """One metadata field for every image, in order (``default`` where an image has none); read from the
        chunks' metadata files, without building (or keeping) a dict per image."""
        return [v for k in range(self.num_chunks) for v in self.chunk_column(k, name, default)]

    def column_array(self, name: str, dtype: Any, default: Any = None) -> np.ndarray:
        """One metadata field as a numpy array of ``dtype`` (None becomes NaN in a float one), made chunk by chunk:
        the column of millions of images as Python objects would take many times the memory."""
        parts = [np.asarray(self.chunk_column(k, name, default), dtype=dtype) for k in range(self.num_chunks)]
        return np.concatenate(parts) if parts else np.zeros(0, dtype)

    def summary(self) -> dict[str, Any]:
        return summarize(self._chunks)


def open_dataset(path: str | Path | Sequence[str | Path]) -> Dataset:
    """Open a dataset directory (whole, or one shard by itself), or join shards: a directory of ``shard-*``
    sub-directories, or a list of shard directories, which must cover the whole dataset."""
    paths, join = _dataset_parts(path)
    parts = []
    for p in paths:
        h = _read_header(p)
        if not h.get("complete"):
            raise DatasetError(f"{p} is incomplete: re-run the command that made it to finish it")
        parts.append((p, h))
    return Dataset(_order_shards(parts) if join else parts)


def _dataset_parts(path: str | Path | Sequence[str | Path]) -> tuple[list[Path], bool]:
    """The dataset directories ``path`` names, and whether they are shards to join (see :func:`open_dataset`)."""
    if isinstance(path, (str, Path)):
        root = Path(path)
        if (root / HEADER).is_file():
            return [root], False  # one directory, whole or a single shard: read as it is
        paths = sorted(p.parent for p in root.glob(f"shard-*/{HEADER}"))
        if not paths:
            raise DatasetError(f"no dataset at {root} (no {HEADER}, no shard-*/{HEADER})")
        return paths, True
    return [Path(p) for p in path], True


def _read_header(root: Path) -> dict[str, Any]:
    """The ``dataset.json`` of the dataset directory ``root`` (a damaged one is a :class:`DatasetFault`)."""
    if not (root / HEADER).is_file():
        raise DatasetError(f"no dataset at {root} (no {HEADER})")
    h = read_json(root / HEADER, "restore it, or run the command that made the dataset again in a new directory")
    if not isinstance(h, dict) or h.get("format") != FORMAT:
        raise DatasetError(f"{root}: unknown dataset format {h.get('format') if isinstance(h, dict) else h!r}")
    problem = _header_problem(root, h)
    if problem:
        raise DatasetFault(f"{root / HEADER} is damaged ({problem}); restore it, or run the command that made the "
                           "dataset again in a new directory")
    return h


def _header_problem(root: Path, h: dict[str, Any]) -> str | None:
    """What is wrong with a header's numbers, checked against each other and against the chunk files on disk
    before anything uses them (a header is data: a damaged or planted one must not divide by zero or send a
    reader through 10^12 chunks); None when nothing is."""
    for key, least in (("total", 0), ("chunk_size", 1), ("image_size", 1), ("count", 0)):
        if (key in h or key != "count") and not whole(h.get(key), least):
            return f"{key} must be a whole number of at least {least}, it is {h.get(key)!r}"
    if h["image_size"] > MAX_IMAGE_SIZE:
        return f"image_size {h['image_size']} is above {MAX_IMAGE_SIZE}"
    if not isinstance(h.get("variable", False), bool) or not isinstance(h.get("complete", False), bool):
        return "variable and complete must be true or false"
    chunks = -(-h["total"] // h["chunk_size"])
    shard = h.get("shard")
    if shard is not None:
        span = shard.get("chunks") if isinstance(shard, dict) else None
        if not (isinstance(span, list) and len(span) == 2 and all(whole(v) for v in span)
                and span[0] <= span[1] <= chunks):
            return f"shard {shard!r} is not a range of the dataset's {chunks} chunks"
        chunks = span[1] - span[0]
    on_disk = sum(1 for _ in (root / CHUNKS).glob("c*.json")) if (root / CHUNKS).is_dir() else 0
    if h.get("complete") and chunks > 2 * on_disk + 16:  # a few missing chunks are repaired; this many: the header
        return f"it counts {chunks} chunks, {root / CHUNKS} holds {on_disk}"
    sizes = h.get("chunk_sizes")
    if h.get("complete") and h.get("variable") and not (isinstance(sizes, list) and len(sizes) == chunks
                                                         and all(whole(v) for v in sizes)):
        return "chunk_sizes must list the size of every chunk"
    return None


def verify(path: str | Path | Sequence[str | Path]) -> dict[str, Any]:
    """Check every chunk of a dataset (a directory, a directory of ``shard-*`` parts, or a list of parts; complete
    or not) against its recorded checksum, and each part's fingerprint against its chunks. Returns the counts
    (``chunks``, ``ok``, ``no_checksum``: intact as far as can be told, written before checksums) and ``bad``: a
    ``[file, problem]`` pair for every damaged or missing chunk file and every wrong fingerprint."""
    paths, _ = _dataset_parts(path)
    result: dict[str, Any] = {"datasets": [str(p) for p in paths], "chunks": 0, "ok": 0, "no_checksum": 0,
                              "incomplete": [], "bad": []}
    for root in paths:
        h = _read_header(root)
        span = range(*h["shard"]["chunks"]) if h.get("shard") else range(-(-h["total"] // h["chunk_size"]))
        if not h.get("complete"):  # still being made: what was written (its header may plan any number)
            written = {int(p.stem[1:]) for p in (root / CHUNKS).glob("c*.json") if p.stem[1:].isdigit()}
            span = sorted(c for c in written if c in span)
        with ThreadPoolExecutor(check_threads()) as pool:
            checks = list(pool.map(lambda c, root=root: check_chunk(root, c), span))
        bad = [x for x in checks if x.problem is not None]
        result["chunks"] += len(checks)
        result["ok"] += sum(x.problem is None and x.sha256 is not None for x in checks)
        result["no_checksum"] += sum(x.problem is None and x.sha256 is None for x in checks)
        result["bad"] += [[str(x.file), x.problem] for x in bad]
        if not h.get("complete"):
            result["incomplete"].append(str(root))
        sums = [x.sha256 for x in checks]
        if not bad and h.get("fingerprint") and None not in sums and fingerprint(sums) != h["fingerprint"]:
            result["bad"].append([str(root / HEADER), f"records fingerprint {h['fingerprint']}, its chunks give "
                                  f"{fingerprint(sums)}"])
    return result


def _order_shards(parts: list[tuple[Path, dict]]) -> list[tuple[Path, dict]]:
    first = parts[0][1]
    for p, h in parts[1:]:
        diff = differences(first, h, (*IDENTITY, "derived"))
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
    if expected != len(planned_sizes(first)):
        raise DatasetError(f"shards cover chunks 0..{expected - 1} of {len(planned_sizes(first))}: some shards are "
                           "missing")
    return parts


def planned_sizes(header: dict) -> list[int]:
    return chunk_sizes(header["total"], header["chunk_size"])


def differences(a: dict, b: dict, keys: Iterable[str]) -> list[str]:
    out = []
    for k in keys:
        va, vb = a.get(k), b.get(k)
        if isinstance(va, dict) and isinstance(vb, dict):
            out += [f"{k}.{sub}" for sub in sorted(set(va) | set(vb)) if va.get(sub) != vb.get(sub)]
        elif va != vb:
            out.append(k)
    return out
