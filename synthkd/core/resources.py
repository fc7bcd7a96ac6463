"""Will it fit? Each stage estimates, from its options alone, the memory and disk its request needs at most, and
refuses one that cannot fit with one line that gives the estimate, before any work (not after 50 s and 10 GB)."""

from __future__ import annotations

import shutil
from pathlib import Path

from synthkd.core.settings import UsageError

GIB = 1 << 30
HEADROOM = 0.8  # of the memory available now: the rest is left to the system and other programs
CEILING = 4 * GIB  # what balancing and a whole run keep their peak under, however large the request


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation now (Linux ``MemAvailable``), None where unknown."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def free_disk(path: Path) -> int:
    """Free bytes on the file system that holds ``path`` (or its nearest existing parent)."""
    path = Path(path).absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return shutil.disk_usage(path).free


def check_fits(what: str, memory: float = 0, disk: float = 0, out: Path | None = None,
               ceiling: float | None = None) -> None:
    """Refuse ``what`` (the request, as the user gave it) when its estimated peak ``memory`` or the ``disk`` it
    writes under ``out`` cannot fit here, or the memory is above the stage's ``ceiling``, saying the figures."""
    if ceiling is not None and memory > ceiling:
        raise UsageError(f"{what} needs about {memory / GIB:.1f} GiB of memory at its peak, more than the "
                         f"{ceiling / GIB:.0f} GiB this stage keeps under; ask for less")
    have = available_memory()
    if have is not None and memory > HEADROOM * have:
        raise UsageError(f"{what} needs about {memory / GIB:.1f} GiB of memory at its peak, more than this machine "
                         f"can give now ({have / GIB:.1f} GiB available); ask for less")
    if out is not None and disk > 0:
        free = free_disk(out)
        if disk > free:
            raise UsageError(f"{what} writes about {disk / GIB:.1f} GiB, more than the {free / GIB:.1f} GiB free "
                             f"where {out} is; ask for less or free some space")


def image_bytes(size: int) -> int:
    """Bytes of one stored image (uint8, size x size x 3)."""
    return 3 * size * size
