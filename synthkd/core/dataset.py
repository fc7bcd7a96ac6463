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

A chunk's ``.json`` records the sha256 and the length of its ``.npy``: a chunk counts as done only when both
files are there and the checksum matches, so the next run of the same command also renders again any chunk that
was deleted, truncated or altered (and says how many it repaired), readers refuse a damaged chunk in one line that
names its file, and :func:`verify` checks them all. ``dataset.json`` carries the dataset's *fingerprint*, a hash
of the chunk checksums in order, which later stages record and compare to notice different data at the same path.
Datasets written before checksums still read; their chunks count as unverified. Every folder a run writes is
locked (:func:`lock_folder`) so that a second process cannot write into it at the same time.

Generators fill every chunk to its planned size. A *variable* dataset (the prober's output: each chunk's
balanced examples plus however many adversarial examples came out valid) plans its chunks the same way
but lets each hold any number of images; the sizes are recorded in the chunk files and, once complete,
in ``dataset.json`` (``chunk_sizes``).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from synthkd.core.settings import Fault, whole

FORMAT = "synthkd-dataset/1"
HEADER = "dataset.json"
CHUNKS = "chunks"
_IDENTITY = ("format", "generator", "total", "image_size", "seed", "chunk_size", "settings")
MAX_IMAGE_SIZE = 4096
LOCK = ".synthkd.lock"
MAPPED_BYTES = 1 << 30  # chunks a Dataset keeps memory-mapped at once, in bytes (at least one chunk)
log = logging.getLogger(__name__)
_locks: dict[Path, IO[bytes]] = {}  # the folders this process has locked (lock_folder), by resolved path


class DatasetError(ValueError):
    """A dataset directory is missing, incomplete, inconsistent, or not the one asked for."""


class DatasetFault(DatasetError, Fault):
    """A dataset's file cannot be read or written, or is damaged (exit status 1, not bad input): the message names
    the file and the cause."""


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


class _Checksummed:
    """A file being written: hashes what goes through ``write`` (sha256; a writer that seeks back or writes to the
    file descriptor makes the hash come from the finished file instead) and keeps the first error the system gave,
    which libraries such as torch replace by a message of their own."""

    def __init__(self, f: IO[bytes]):
        self.f, self.sha256, self.error, self.bypassed = f, hashlib.sha256(), None, False

    def write(self, data) -> int:
        try:
            n = self.f.write(data)
        except OSError as exc:
            self.error = self.error or exc
            raise
        self.sha256.update(data)
        return n

    def flush(self) -> None:
        self.f.flush()

    def seek(self, *args) -> int:
        self.bypassed = True
        return self.f.seek(*args)

    def fileno(self) -> int:
        self.bypassed = True
        return self.f.fileno()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.f, name)


def atomic_write(path: Path, write: Callable[[Any], Any]) -> str:
    """Call ``write(file)`` on a temporary file next to ``path``, flush it to disk, then rename it into place;
    returns the sha256 (hex) of the file. A failure (disk full, file size limit, read-only folder) raises
    :class:`DatasetFault` naming ``path`` and the system's reason, and leaves nothing at ``path`` that was not
    there before."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    out = None
    try:
        with open(tmp, "wb") as f:
            out = _Checksummed(f)
            write(out)
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(path)
    except (OSError, RuntimeError) as exc:
        cause = out.error if out is not None and out.error is not None else exc
        if not isinstance(cause, OSError):
            raise
        raise DatasetFault(f"cannot write {path}: {cause.strerror or ' '.join(str(cause).split())}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return file_sha256(path) if out.bypassed else out.sha256.hexdigest()


def file_sha256(path: Path) -> str:
    """The sha256 (hex) of a file's bytes."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def fingerprint(checksums: Iterable[str]) -> str:
    """A dataset's fingerprint: 16 hex digits of the sha256 of its chunks' checksums in chunk order, so that the
    shards of a dataset, joined or merged, have the fingerprint of the whole."""
    return hashlib.sha256("\n".join(checksums).encode()).hexdigest()[:16]


def read_json(path: Path, hint: str = "") -> Any:
    """The JSON value in ``path``; a missing, unreadable or invalid file is a :class:`DatasetFault` that names it
    (and says ``hint``, what to do about it)."""
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        problem = "is missing"
    except OSError as exc:
        problem = f"cannot be read ({exc.strerror or exc})"
    except ValueError as exc:  # invalid JSON, or not text
        problem = f"is not valid JSON ({exc})"
    raise DatasetFault(f"{path} {problem}{'; ' + hint if hint else ''}")


def guard_out(out: Path, marker: str, what: str) -> bool:
    """Check an output folder before any work: it must not exist yet, be empty, or hold ``marker`` (the file the
    command writes there: then the folder is its own, ``what``, to resume or refuse by its contents); a file, a
    broken link or a folder of other files is refused in one line. Returns whether ``marker`` is there."""
    out = Path(out)
    if out.is_symlink() and not out.exists():
        raise DatasetError(f"--out {out} is a broken symbolic link (to {os.readlink(out)}); remove it or choose "
                           "another --out")
    if out.exists() and not out.is_dir():
        raise DatasetError(f"--out {out} is a file, not a directory")
    if (out / marker).is_file():
        return True
    other = sorted(p.name for p in out.iterdir() if p.name != LOCK and not (p.name.startswith(".")
                                                                            and p.name.endswith(".tmp"))) \
        if out.is_dir() else []
    if other:
        raise DatasetError(f"{out} is not empty and holds no {marker} ({', '.join(other[:3])}"
                           f"{', ...' if len(other) > 3 else ''}): not {what}; refusing to write into it, choose "
                           "another --out")
    return False


def lock_folder(folder: Path) -> None:
    """Take this process's lock on ``folder`` (created if need be): an advisory ``fcntl.flock`` on its
    ``.synthkd.lock`` file, so a second process that would write the same folder is refused at once. The system
    drops the lock when the process ends, however it ends, so a killed run leaves nothing stale; within one
    process the lock is taken once per folder (a stage run again in the same process is not refused)."""
    folder = Path(folder)
    key = folder.resolve()
    if key in _locks:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        f = open(folder / LOCK, "ab")  # noqa: SIM115 (kept open: the lock lasts as long as the file is open)
    except (NotADirectoryError, FileExistsError) as exc:
        raise DatasetError(f"cannot write to {folder}: {exc.strerror or exc}") from None
    except OSError as exc:
        raise DatasetFault(f"cannot write to {folder}: {exc.strerror or exc}") from None
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        f.close()
        raise DatasetFault(f"{folder} is being written by another process (it holds {folder / LOCK}); wait for it "
                           "to end, or choose another --out") from None
    _locks[key] = f


def unlock_folder(folder: Path) -> None:
    """Give up this process's lock on ``folder`` (:func:`lock_folder`), if it holds it."""
    f = _locks.pop(Path(folder).resolve(), None)
    if f is not None:
        f.close()


def _forget_locks() -> None:
    """In a forked child (DataLoader and pool workers): close the inherited lock files. A lock lasts while any
    copy of its file stays open, so a worker that outlives its killed parent would otherwise keep the folder
    locked; closing the child's copy leaves the parent's lock as it is."""
    for f in _locks.values():
        f.close()
    _locks.clear()


os.register_at_fork(after_in_child=_forget_locks)


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
            diff = _differences(old, self.header, (*_IDENTITY, "shard", "variable"))
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
            with ThreadPoolExecutor(_check_threads()) as pool:
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
        npy = _chunk_images(self.out, c)
        checksum = atomic_write(npy, lambda f: np.save(f, np.ascontiguousarray(images)))
        write_json(_chunk_meta(self.out, c), {"chunk": c, "size": len(images), "counts": dict(counts),
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
            _chunk_meta(self.out, c).unlink(missing_ok=True)
            _chunk_images(self.out, c).unlink(missing_ok=True)
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
            self.header["chunk_sizes"] = [read_json(_chunk_meta(self.out, c))["size"] for c in self.span]
            self.header["count"] = sum(self.header["chunk_sizes"])
        self.header["fingerprint"] = fingerprint(self.done[c] or file_sha256(_chunk_images(self.out, c))
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
    npy, meta_path = _chunk_images(root, c), _chunk_meta(root, c)
    if not meta_path.is_file():
        return ChunkCheck(c, meta_path, "is missing")
    try:
        meta = json.loads(meta_path.read_text())
        count, recorded, length = meta["size"], meta.get("sha256"), meta.get("bytes")
        if not whole(count) or not (recorded is None or (isinstance(recorded, str) and whole(length))):
            raise ValueError("its size, sha256 or bytes are not what a chunk records")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return ChunkCheck(c, meta_path, f"is unreadable ({_reason(exc)})", written=True)
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
        return ChunkCheck(c, npy, f"is unreadable ({_reason(exc)})", recorded, True)
    return ChunkCheck(c, npy, None, recorded, True)


def _legacy_problem(npy: Path, count: int) -> str | None:
    """What is wrong with the ``.npy`` of a chunk written before checksums (it must hold ``count`` images)."""
    try:
        images = np.load(npy, mmap_mode="r")
    except (ValueError, EOFError) as exc:
        return f"is unreadable ({_reason(exc)})"
    if images.ndim != 4 or len(images) != count:
        return f"holds an array of shape {images.shape}, its metadata counts {count} images"
    return None


def _reason(exc: BaseException) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else " ".join(str(exc).split())


def _check_threads() -> int:
    """Threads that hash chunk files at once (hashlib releases the GIL; more than a few only queue for the disk)."""
    return max(1, min(4, os.cpu_count() or 1))


def summarize(chunks: Iterable[tuple[Path, int]]) -> dict[str, Any]:
    """Counts (rendered, kept, dropped by reason, ...) added up over (directory, chunk) pairs."""
    counts: Counter = Counter()
    for root, c in chunks:
        counts.update(_read_chunk_meta(root, c)["counts"])
    return {"counts": dict(sorted(counts.items()))}


def _read_chunk_meta(root: Path, c: int) -> dict[str, Any]:
    """Chunk ``c``'s metadata file; a missing or damaged one is a :class:`DatasetFault` that names it."""
    path = _chunk_meta(root, c)
    meta = read_json(path, _repair_hint(root))
    if not isinstance(meta, dict) or not isinstance(meta.get("columns"), dict) \
            or not isinstance(meta.get("counts"), dict) or not all(whole(v) for v in meta["counts"].values()):
        raise DatasetFault(f"{path} is not chunk metadata; {_repair_hint(root)}")
    return meta


def _repair_hint(root: Path) -> str:
    return f"run the command that made {root} again to repair it ('synthkd verify {root}' lists every damaged chunk)"


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
            span = range(*h["shard"]["chunks"]) if h.get("shard") else range(len(_sizes(h)))
            self._chunks += [(root, c) for c in span]
            sizes += h["chunk_sizes"] if h.get("variable") else [_sizes(h)[c] for c in span]
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
        path = _chunk_images(root, c)
        checksum, length = self._checksum(k) if k not in self._verified else (None, None)
        expected = (self.chunk_sizes[k], self.image_size, self.image_size, 3)
        try:
            images = np.load(path, mmap_mode="r")
            if checksum is not None and (path.stat().st_size != length or file_sha256(path) != checksum):
                raise DatasetFault(f"{path} does not match the checksum in {_chunk_meta(root, c).name} (altered "
                                   f"or truncated); {_repair_hint(root)}")
        except FileNotFoundError:
            raise DatasetFault(f"{path} is missing; {_repair_hint(root)}") from None
        except (OSError, ValueError, EOFError) as exc:
            raise DatasetFault(f"{path} is unreadable ({_reason(exc)}); {_repair_hint(root)}") from None
        if images.shape != expected or images.dtype != np.uint8:
            raise DatasetFault(f"{path} holds {images.dtype} {images.shape}, expected uint8 {expected}; "
                               f"{_repair_hint(root)}")
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
        columns = _read_chunk_meta(root, c)["columns"]
        if any(not isinstance(v, list) or len(v) != self.chunk_sizes[k] for v in columns.values()):
            raise DatasetFault(f"{_chunk_meta(root, c)} does not hold an entry per image of its chunk; "
                               f"{_repair_hint(root)}")
        return columns

    def _checksum(self, k: int) -> tuple[str | None, int | None]:
        """The k-th chunk's recorded checksum and length (None, None: written before checksums)."""
        if k not in self._checksums:
            meta = _read_chunk_meta(*self._chunks[k])
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
        with ThreadPoolExecutor(_check_threads()) as pool:
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


def merge(out: str | Path, shards: Sequence[str | Path]) -> Path:
    """Join shard directories into one unsharded dataset directory at ``out`` (hard links where possible); every
    chunk is checked first, so a damaged one is not passed on."""
    ds = open_dataset(shards)
    bad = verify([*ds.roots])["bad"]
    if bad:
        raise DatasetFault(f"{bad[0][0]} {bad[0][1]} ({len(bad)} damaged files in the shards); run the command "
                           "that made them again to repair them")
    out = Path(out)
    if guard_out(out, HEADER, "a dataset"):
        raise DatasetError(f"{out} already holds a dataset; merge into a new or empty folder")
    lock_folder(out)
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
    if ds.fingerprint is not None:
        header["fingerprint"] = ds.fingerprint
    write_json(out / HEADER, header)
    unlock_folder(out)
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
