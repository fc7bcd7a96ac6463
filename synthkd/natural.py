"""The natural-image teacher panel: classifiers trained on real photographs that installable packages carry.

Digit teachers read ink on paper; the people this tool is for hold classifiers of photographs, which read colour,
texture and parts. These four play that teacher in the experiments, each with real held-out images to measure
students on, in three splits: ``train`` (the teacher's), ``pool`` (held-out images for the in-domain ceiling:
the same run on the teacher's own kind of images) and ``test`` (what every student is measured on).

- ``photos``: which of ten colour photographs (scikit-image's and scikit-learn's bundled pictures) a 32 px crop
  comes from. Each photograph is cut into three vertical bands, one per split, so test crops show parts of the
  scene that no training crop saw.
- ``elpv``: the defect level (four) of a solar cell in an electroluminescence photograph, 64 px
  (``elpv-dataset``, CC BY-NC-SA 4.0), split by a fixed seed.
- ``galaxy``: the morphology (four classes) of a radio galaxy in a FIRST survey image, 32 px (``firstgalaxydata``,
  for non-commercial scholarly use), the package's own train / valid / test split. The teacher sees the central
  128 px of each 300 px cutout, where the source is (most of its flux); the whole cutout shrunk to 32 px leaves a
  source of a pixel or two.

- ``photos_gapcnn``: the ``photos`` task learnt by another network (a plain CNN with global average pooling),
  made after ``--steer auto``'s choice of grid was set, to check it on a colour teacher it was not set on.

``held_out`` marks the teachers no lever or default is tuned on; the README's headline figures come from them.
Images are only read here, for teachers and evaluation: no generator reads or ships a photograph.
``python -m synthkd.natural [NAME ...|all]`` trains a teacher (seeded, a few minutes on two cores) into
``assets/teacher/natural_NAME.pt`` with its figures in ``natural_NAME.json``; it needs ``pip install -e
'.[natural]'``.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import io
import json
import sys
import time
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from synthkd.core.files import atomic_write, write_json
from synthkd.core.models import TeacherSpec, load_model
from synthkd.core.settings import UsageError
from synthkd.digits import train_supervised
from synthkd.teacher import ASSETS

SPLITS = ("train", "pool", "test")
SEED = 0
# scikit-image's and scikit-learn's colour photographs (files shipped inside the packages)
PHOTOS = (("skimage", "astronaut.png"), ("skimage", "chelsea.png"), ("skimage", "coffee.png"),
          ("skimage", "hubble_deep_field.jpg"), ("skimage", "ihc.png"), ("skimage", "motorcycle_left.png"),
          ("skimage", "retina.jpg"), ("skimage", "rocket.jpg"), ("sklearn", "china.jpg"), ("sklearn", "flower.jpg"))
BANDS = {"train": (0.0, 0.6), "pool": (0.6, 0.75), "test": (0.75, 1.0)}  # of each photograph's width
CROPS = {"train": 200, "pool": 0, "test": 100}  # 32 px crops per photograph (the pool is the band itself)
ELPV_SHARES = {"train": 0.5, "pool": 0.2, "test": 0.3}
GALAXY_SPLITS = {"train": "train", "pool": "valid", "test": "test"}
GALAXY_CLASSES = ("FRI", "FRII", "Compact", "Bent")
GALAXY_CROP = 128  # px of the 300 px cutout's centre kept


def package_dir(name: str) -> Path:
    """Where an installed package's files are; a clear error when it is not installed."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise UsageError(f"the natural panel needs the package {name}: pip install -e '.[natural]'")
    return Path(spec.origin).parent


@cache
def photograph(k: int) -> np.ndarray:
    """The k-th photograph of ``PHOTOS``, uint8 (H, W, 3)."""
    package, name = PHOTOS[k]
    folder = package_dir(package) / ("data" if package == "skimage" else "datasets/images")
    with Image.open(folder / name) as im:
        return np.asarray(im.convert("RGB"))


def band(k: int, split: str) -> np.ndarray:
    """The vertical band of photograph ``k`` that belongs to ``split``."""
    picture = photograph(k)
    lo, hi = BANDS[split]
    return picture[:, round(lo * picture.shape[1]):round(hi * picture.shape[1])]


def photo_crops(split: str, size: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """Square crops of each photograph's ``split`` band (side 24 px to the band's width), resized to ``size``."""
    images, labels = [], []
    for k in range(len(PHOTOS)):
        part = Image.fromarray(band(k, split))
        rng = np.random.default_rng([SEED, k, SPLITS.index(split)])
        for _ in range(CROPS[split]):
            side = int(rng.integers(24, min(part.size) + 1))
            left, top = int(rng.integers(0, part.size[0] - side + 1)), int(rng.integers(0, part.size[1] - side + 1))
            images.append(np.asarray(part.resize((size, size), Image.Resampling.BILINEAR,
                                                 box=(left, top, left + side, top + side))))
            labels.append(k)
    return np.stack(images), np.asarray(labels, dtype=np.int64)


def elpv_files() -> list[tuple[Path, int]]:
    """Every elpv cell image with its defect level 0..3 (probability 0, 1/3, 2/3, 1), in the package's order."""
    data = package_dir("elpv_dataset") / "data"
    with open(data / "labels.csv") as f:
        rows = [line.split() for line in f if line.strip()]
    return [(data / path, round(float(p) * 3)) for path, p, _ in rows]


def elpv_split(split: str) -> list[tuple[Path, int]]:
    """The elpv images of ``split`` (a fixed random split of the package's list)."""
    files = elpv_files()
    order = np.random.default_rng(SEED).permutation(len(files))
    cut = np.cumsum([round(ELPV_SHARES[s] * len(files)) for s in SPLITS])
    return [files[i] for i in sorted(np.split(order, cut[:-1])[SPLITS.index(split)])]


def elpv(split: str, size: int = 64) -> tuple[np.ndarray, np.ndarray]:
    files = elpv_split(split)
    images = [_resized(Image.open(path), size) for path, _ in files]
    return np.stack(images), np.asarray([label for _, label in files], dtype=np.int64)


def galaxy_files(split: str) -> list[tuple[bytes, int]]:
    """The encoded images of a split of ``firstgalaxydata``'s bundled PNGs, with their class index."""
    with zipfile.ZipFile(package_dir("firstgalaxydata") / "galaxy_data.zip") as archive:
        names = sorted(n for n in archive.namelist() if n.endswith(".png") and n.split("/")[1] == GALAXY_SPLITS[split])
        return [(archive.read(n), GALAXY_CLASSES.index(n.split("/")[2])) for n in names]


def galaxy_picture(data: bytes) -> Image.Image:
    """A galaxy cutout's central ``GALAXY_CROP`` px square."""
    im = Image.open(io.BytesIO(data))
    left, top = (im.width - GALAXY_CROP) // 2, (im.height - GALAXY_CROP) // 2
    return im.crop((left, top, left + GALAXY_CROP, top + GALAXY_CROP))


def galaxy(split: str, size: int = 32) -> tuple[np.ndarray, np.ndarray]:
    files = galaxy_files(split)
    images = [_resized(galaxy_picture(data), size) for data, _ in files]
    return np.stack(images), np.asarray([label for _, label in files], dtype=np.int64)


def _resized(im: Image.Image, size: int | None) -> np.ndarray:
    """An opened image as uint8 RGB, resized to ``size`` (None: as it is)."""
    with im:
        rgb = im.convert("RGB")
        return np.asarray(rgb if size is None else rgb.resize((size, size), Image.Resampling.BILINEAR))


LOADERS = {"photos": photo_crops, "elpv": elpv, "galaxy": galaxy}


@dataclass(frozen=True)
class NaturalTeacher:
    """One natural panel teacher: its data, network, size, and whether levers are tuned on it."""

    name: str
    arch: str
    size: int
    classes: tuple[str, ...]
    epochs: int
    held_out: bool
    lr: float = 0.05
    about: str = ""
    whole: bool = False  # its test images are whole pictures (not crops): the ceiling takes its pool whole too
    data: str = ""  # whose images it is trained and measured on (a key of LOADERS; default: its own name)

    @property
    def images(self) -> str:
        return self.data or self.name

    @property
    def weights(self) -> Path:
        return ASSETS / f"natural_{self.name}.pt"

    @property
    def spec(self) -> TeacherSpec:
        return TeacherSpec(name=self.arch, weights=str(self.weights), normalization="none",
                           num_classes=len(self.classes))

    def split(self, split: str) -> tuple[np.ndarray, np.ndarray]:
        """(uint8 images (N, size, size, 3), labels) of a split, as this teacher sees them."""
        return LOADERS[self.images](split, self.size)

    def pool_images(self) -> list[np.ndarray]:
        """The pool split at its own resolution (the in-domain ceiling crops these, as it would any folder)."""
        if self.images == "photos":
            return [band(k, "pool") for k in range(len(PHOTOS))]
        encoded = [Image.open(path) for path, _ in elpv_split("pool")] if self.images == "elpv" else \
            [galaxy_picture(data) for data, _ in galaxy_files("pool")]
        return [_resized(im, None) for im in encoded]


NATURAL = {t.name: t for t in (
    NaturalTeacher("photos", "wrn16_1", 32, tuple(Path(n).stem for _, n in PHOTOS), 15, held_out=False,
                   about="which of ten colour photographs a crop comes from"),
    NaturalTeacher("elpv", "wrn16_1", 64, ("functional", "possibly defective", "likely defective", "defective"), 15,
                   held_out=True, whole=True, about="solar-cell defect level in electroluminescence images, 64 px"),
    NaturalTeacher("galaxy", "gapcnn", 32, GALAXY_CLASSES, 40, held_out=True,
                   about="radio-galaxy morphology in FIRST survey images", whole=True),
    NaturalTeacher("photos_gapcnn", "gapcnn", 32, tuple(Path(n).stem for _, n in PHOTOS), 15, held_out=True,
                   data="photos", about="the photos task learnt by another network: the plain CNN with global "
                   "average pooling"),
)}


def make_natural_teacher(t: NaturalTeacher, out: Path | None = None, epochs: int | None = None) -> dict:
    """Train ``t`` on its train split (seeded, on every core: the bits may differ between machines) and save it with
    its figures."""
    out = t.weights if out is None else out
    epochs = t.epochs if epochs is None else epochs
    train, test = t.split("train"), t.split("test")
    torch.manual_seed(SEED)
    model = load_model(t.arch, need_weights=False, num_classes=len(t.classes), normalization="none")
    clock = time.perf_counter()
    result = train_supervised(model, train, test, epochs=epochs, lr=t.lr, seed=SEED, flip=True)
    seconds = time.perf_counter() - clock
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out, lambda f: torch.save({"state_dict": model.net.state_dict()}, f))
    counts = {"train": len(train[1]), "pool pictures": len(t.pool_images()), "test": len(test[1])}
    info = {"teacher": t.name, "arch": t.arch, "size": t.size, "classes": list(t.classes), "held_out": t.held_out,
            "weights": out.name, "sha256": hashlib.sha256(out.read_bytes()).hexdigest(), "images": counts,
            "epochs": epochs, "lr": t.lr, "seed": SEED, "train_accuracy": round(result.train_accuracy, 4),
            "test_accuracy": round(result.test_accuracy, 4), "seconds": round(seconds, 1), "about": t.about,
            "command": f"python -m synthkd.natural {t.name}"}
    write_json(out.with_suffix(".json"), info)
    return info


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m synthkd.natural", description=__doc__.split("\n\n")[0])
    p.add_argument("names", nargs="*", default=["all"], metavar="NAME",
                   help=f"panel teachers to make: {', '.join(NATURAL)}, or all (default)")
    args = p.parse_args(argv)
    names = list(NATURAL) if args.names == ["all"] else args.names
    if unknown := [n for n in names if n not in NATURAL]:
        p.error(f"unknown natural teacher {unknown[0]!r}: choose from {', '.join(NATURAL)} or all")
    for name in names:
        print(json.dumps(make_natural_teacher(NATURAL[name])), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
