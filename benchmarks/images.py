"""Benchmark of the open-world images source and of refinement, each against a baseline in the same run.

Crops (``--source images:DIR``) of a folder of large pictures: (a) every crop opens and decodes its file, against
(b) the generator's chunk function, which decodes each file once per chunk. Refinement (``--refine-steps``): the
cost of a refined image against one teacher labelling of it (the built-in teacher, 32 px), at 1, 2 and 5 steps.
Prints a table and ends with one JSON line of the figures. Usage: python -m benchmarks.images [--quick]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from benchmarks.generators import rate
from synthkd.core.generate import chunk_seeds
from synthkd.core.refine import refine
from synthkd.core.tensors import predict
from synthkd.procgen import folder, leaves
from synthkd.teacher import BUILTIN


def pictures(root: Path, count: int = 20, side: int = 1024) -> Path:
    """``count`` Leaves pictures of ``side`` px as JPEG files: a folder like a photo collection."""
    for i in range(count):
        Image.fromarray(leaves.make_chunk(leaves.LeavesSettings(), side, 0, i, 1)[0][0]).save(root / f"{i}.jpg")
    return root


def crop_by_crop(settings: folder.FolderSettings, size: int, count: int) -> np.ndarray:
    """The baseline: each crop opens and decodes its own file."""
    found = settings.listing()
    picks = np.random.default_rng([0, 0, 17]).integers(0, len(found.files), count)
    out = np.empty((count, size, size, 3), np.uint8)
    for i, (f, seed) in enumerate(zip(picks, chunk_seeds(0, 0, count), strict=True)):
        with Image.open(found.root / found.files[f]) as im:
            picture = im.convert("RGB")
        box, _ = folder.crop_plan(int(seed), *picture.size, settings.min_scale)
        out[i] = np.asarray(picture.resize((size, size), Image.Resampling.BILINEAR, box=box))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="a tenth of the crops and a quarter of the images refined")
    args = ap.parse_args()
    figures: dict = {"crops": {}, "refine": {}}
    with tempfile.TemporaryDirectory() as tmp:
        s = folder.FolderSettings(folder=pictures(Path(tmp)))
        n = 200 if args.quick else 2000
        for size in (32, 64):
            fast = rate(n, folder.make_chunk, s, size, 0, 0, n)
            slow = rate(n // 10, crop_by_crop, s, size, n // 10)
            figures["crops"][str(size)] = {"chunk_img_s": round(fast, 1), "crop_by_crop_img_s": round(slow, 1),
                                           "speedup": round(fast / slow, 1)}
            print(f"crops {size:>3} px: chunk {fast:>8.1f} img/s | crop by crop {slow:>7.1f} img/s | "
                  f"x{fast / slow:.1f}", flush=True)
    teacher = BUILTIN.spec.load()
    images = leaves.make_chunk(leaves.LeavesSettings(), 32, 0, 0, 64 if args.quick else 256)[0]
    predict(teacher, images)  # warm
    label = rate(len(images), predict, teacher, images)
    for steps in (1, 2, 5):
        refined = rate(len(images), refine, images, teacher, steps)
        figures["refine"][str(steps)] = {"img_s": round(refined, 1), "labellings_per_image": round(label / refined, 1)}
        print(f"refine {steps} steps: {refined:>8.1f} img/s | labelling {label:.1f} img/s | "
              f"{label / refined:.1f} labellings per image", flush=True)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
