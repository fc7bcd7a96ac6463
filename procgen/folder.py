"""Open-world images: seeded random crops of a folder of unlabelled images of any size, resized to the dataset's.

Real photographs of another domain (a holiday folder, a web scrape, a product catalogue) are a source like the
shaders: the teacher labels and balances what they show. Each image of a chunk is one square crop: a file drawn
uniformly from the folder, a side between ``min_scale`` and 1 of that file's shorter side, a uniform position
and a coin-flip mirror, all from the image's own seed; so a dataset of crops is deterministic, shardable and
resumable like a rendered one, as long as the folder holds the same files (its fingerprint, the files' paths
and sizes, is part of the dataset's identity: another folder's crops are never mixed into it).

Files are read with Pillow (any format it opens; every mode becomes 8-bit RGB, 16-bit images by their range). A
file whose header Pillow cannot read is left out with a warning when the folder is listed; a folder with no
readable image is refused before any work.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from synthkd.core.errors import DatasetFault
from synthkd.core.generate import chunk_seeds
from synthkd.core.pictures import read_rgb8
from synthkd.core.settings import UsageError, opt, require

log = logging.getLogger(__name__)
EXTENSIONS = tuple(sorted(ext for ext, kind in Image.registered_extensions().items() if kind in Image.OPEN))


@dataclass(frozen=True)
class Listing:
    """The readable images of a folder, in a fixed order, and what was left out."""

    root: Path
    files: tuple[str, ...]  # paths relative to root, sorted
    unreadable: tuple[str, ...]
    fingerprint: str  # sha256 of the files' relative paths and sizes


@lru_cache(maxsize=8)
def list_folder(folder: Path) -> Listing:
    """Every file under ``folder`` (recursively, hidden ones skipped) whose extension Pillow knows and whose header
    it reads; UsageError when the folder is missing or holds no readable image. Listed once per process."""
    root = Path(folder).expanduser().resolve()
    if not root.is_dir():
        raise UsageError(f"image folder {folder}: no such folder" if not root.exists() else
                         f"image folder {folder} is a file, not a folder")
    found = []
    for here, dirs, names in os.walk(root, followlinks=True):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(here, n) for n in names if not n.startswith(".") and n.lower().endswith(EXTENSIONS)]
    if not found:
        raise UsageError(f"image folder {folder} holds no images (no .png, .jpg, .webp or other file Pillow opens)")
    files, unreadable, digest = [], [], hashlib.sha256()
    for path in sorted(found):
        rel = path.relative_to(root).as_posix()
        try:
            with Image.open(path) as im:
                width, height = im.size
            require(width >= 1 and height >= 1, "empty image")
        except (OSError, UnidentifiedImageError, UsageError, ValueError, Image.DecompressionBombError):
            unreadable.append(rel)
            continue
        files.append(rel)
        digest.update(f"{rel}\t{path.stat().st_size}\n".encode())
    if not files:
        raise UsageError(f"image folder {folder}: none of its {len(found)} image files can be read (first: "
                         f"{unreadable[0]})")
    if unreadable:
        log.warning("image folder %s: left out %d files Pillow cannot read (first: %s)", folder, len(unreadable),
                    unreadable[0])
    return Listing(root, tuple(files), tuple(unreadable), digest.hexdigest())


MIN_SCALE = 0.25
MIN_SCALE_HELP = (f"smallest crop side, as a fraction of each image's shorter side (default {MIN_SCALE:g}; 1: the "
                  "largest square only, for pictures of one centred object)")


@dataclass(frozen=True, kw_only=True)
class FolderSettings:
    """Where the crops come from and how big they are; invalid values raise UsageError."""

    folder: Path | None = opt(None, "a folder of unlabelled images of any size and format (searched recursively)",
                              "--folder", type=Path, metavar="DIR")
    min_scale: float = opt(MIN_SCALE, MIN_SCALE_HELP, "--min-scale", type=float)

    def __post_init__(self) -> None:
        require(math.isfinite(self.min_scale) and 0 < self.min_scale <= 1,
                f"--min-scale must be in (0, 1], got {self.min_scale}")
        if self.folder is not None:
            list_folder(Path(self.folder))  # refuses a bad folder before any work

    def listing(self) -> Listing:
        require(self.folder is not None, "give the folder of images: --folder DIR (or --source images:DIR)")
        return list_folder(Path(self.folder))

    def identity(self) -> dict:
        """These settings as recorded in a dataset's header: the folder by its fingerprint (it may move)."""
        found = self.listing()
        return {"files": len(found.files), "fingerprint": found.fingerprint, "min_scale": self.min_scale}


def crop_plan(seed: int, width: int, height: int, min_scale: float) -> tuple[tuple[int, int, int, int], bool]:
    """The crop box (left, top, right, bottom) and mirror of one image, from its own seed."""
    rng = np.random.default_rng(seed)
    side = max(1, round(min(width, height) * rng.uniform(min_scale, 1.0)))
    left, top = int(rng.integers(0, width - side + 1)), int(rng.integers(0, height - side + 1))
    return (left, top, left + side, top + side), bool(rng.random() < 0.5)


def make_chunk(settings: FolderSettings, size: int, seed: int, chunk: int,
               count: int) -> tuple[np.ndarray, dict[str, list], dict[str, int]]:
    """Chunk ``chunk`` of crops: (images, metadata columns, counts), see ``synthkd.core.generate``. Each file is
    decoded once per chunk however many crops it gives."""
    found = settings.listing()
    seeds = chunk_seeds(seed, chunk, count)
    picks = np.random.default_rng([seed, chunk, 17]).integers(0, len(found.files), count)
    images = np.empty((count, size, size, 3), np.uint8)
    boxes: list[list[int]] = [[]] * count
    for f in np.unique(picks):
        path = found.root / found.files[f]
        try:
            picture = read_rgb8(str(path))
        except (OSError, ValueError, Image.DecompressionBombError) as e:
            raise DatasetFault(f"cannot read {path} ({e}): fix or remove it, then run the same command again") from None
        for i in np.flatnonzero(picks == f):
            box, mirror = crop_plan(int(seeds[i]), *picture.size, settings.min_scale)
            crop = picture.resize((size, size), Image.Resampling.BILINEAR, box=box)
            images[i] = np.asarray(crop.transpose(Image.Transpose.FLIP_LEFT_RIGHT) if mirror else crop)
            boxes[i] = list(box)
    columns = {"seed": seeds.tolist(), "file": [found.files[f] for f in picks], "box": boxes}
    return images, columns, {"rendered": count, "kept": count}
