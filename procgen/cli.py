"""``render-leaves``, ``render-noise`` and ``render-images``: parse the options into the stage's settings, run it,
print its record."""

from __future__ import annotations

import sys

from synthkd.core.cli import Parser, add_options, run, settings_from
from synthkd.core.errors import DatasetError
from synthkd.core.models import ModelError
from synthkd.procgen.stage import ImagesDataset, LeavesDataset, NoiseDataset, render_images, render_leaves, render_noise

RESUMES = "Deterministic for a given seed; re-running the same command resumes a killed run."


def leaves_parser() -> Parser:
    p = Parser(prog="render-leaves", description="Draw dead-leaves images: flat-coloured circles, squares, oriented "
               "squares, rectangles, triangles and quadrilaterals with power-law radii, stacked until the canvas is "
               f"covered. {RESUMES}")
    add_options(p, LeavesDataset)
    return p


def noise_parser() -> Parser:
    p = Parser(prog="render-noise", description="Draw noise images around a dataset's per-channel mean and standard "
               f"deviation, clipped to [0, 1]: independent Gaussian (the paper's), uniform, or 1/f^alpha spectral "
               f"noise. {RESUMES}")
    add_options(p, NoiseDataset)
    return p


def images_parser() -> Parser:
    p = Parser(prog="render-images", description="Crop a folder of unlabelled real images of any size and format "
               "into a dataset: seeded square crops at random scales and places, mirrored at random, resized to "
               f"--size. {RESUMES} A changed folder is refused (the dataset records its files' fingerprint).")
    add_options(p, ImagesDataset)
    return p


def render_leaves_main(argv: list[str] | None = None) -> int:
    args = leaves_parser().parse_args(argv)
    return run("render-leaves", lambda: render_leaves(settings_from(LeavesDataset, args)), (DatasetError, ModelError),
               args.quiet, argv)


def render_noise_main(argv: list[str] | None = None) -> int:
    args = noise_parser().parse_args(argv)
    return run("render-noise", lambda: render_noise(settings_from(NoiseDataset, args)), (DatasetError, ModelError),
               args.quiet, argv)


def render_images_main(argv: list[str] | None = None) -> int:
    args = images_parser().parse_args(argv)
    return run("render-images", lambda: render_images(settings_from(ImagesDataset, args)), (DatasetError, ModelError),
               args.quiet, argv)


if __name__ == "__main__":
    command = {"render-leaves": render_leaves_main, "render-noise": render_noise_main,
               "render-images": render_images_main}
    sys.exit(command[sys.argv[1]](sys.argv[2:]) if len(sys.argv) > 1 and sys.argv[1] in command else 2)
