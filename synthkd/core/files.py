"""Files written safely and output folders guarded: what every stage uses to put a file on disk.

:func:`atomic_write` writes through a temporary file and a rename and returns the file's sha256, so a killed run
or a full disk never leaves a half-written file behind; :func:`file_sha256` and :func:`fingerprint` are the
checksums a dataset records; :func:`read_json` and :func:`write_json` read and write its JSON files, a bad one
being one line that names it. :func:`guard_out` checks an output folder before any work and :func:`lock_folder`
keeps a second process from writing it. Datasets, checkpoints, logs, reports and pictures all write through here.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

from synthkd.core.errors import DatasetError, DatasetFault

LOCK = ".synthkd.lock"
_locks: dict[Path, IO[bytes]] = {}  # the folders this process has locked (lock_folder), by resolved path


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


def write_json(path: Path, obj: Any, pretty: bool = True) -> None:
    text = json.dumps(obj, indent=1, sort_keys=True) if pretty else json.dumps(obj, separators=(",", ":"))
    atomic_write(path, lambda f: f.write(text.encode() + b"\n"))


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
