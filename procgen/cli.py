"""``render-leaves`` and ``render-noise``: the procedural generators as commands writing dataset directories."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from synthkd.core.cli import (
    Parser,
    UsageError,
    finish,
    float_range,
    int_at_least,
    positive_int,
    resolve_shard,
    run,
    write_chunks,
)
from synthkd.core.dataset import Dataset, DatasetError, DatasetWriter
from synthkd.procgen import leaves, noise

MIN_SIZE, MAX_SIZE = 8, 1024
ANTIALIAS = 4  # samples per pixel and axis with --antialias


def _parser(prog: str, description: str, default_out: str) -> Parser:
    p = Parser(prog=prog, description=description)
    p.add_argument("--n", "--num-images", dest="n", type=positive_int, default=50000,
                   help="number of images to write (spell it --num-images after torchrun)")
    p.add_argument("--size", type=int, default=32, help=f"image width and height in pixels ({MIN_SIZE}..{MAX_SIZE})")
    p.add_argument("--out", type=Path, default=Path(default_out), help="dataset directory to create or resume")
    p.add_argument("--seed", type=int_at_least(0), default=0, help="seed of the whole dataset (0 or more)")
    p.add_argument("--shard", default=None, metavar="I/N",
                   help="write only the I-th of N equal parts (under torchrun: one part per rank, written to "
                        "OUT/shard-RANK-of-WORLD)")
    p.add_argument("--chunk-size", type=positive_int, default=1024,
                   help="images per chunk file (the unit of resuming and sharding)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def _generate(args, generator: str, settings: dict, make_chunk: Callable, report: dict) -> int:
    """Validate the common options, then write (or resume) the dataset chunk by chunk and report."""
    if not MIN_SIZE <= args.size <= MAX_SIZE:
        raise UsageError(f"--size must be in {MIN_SIZE}..{MAX_SIZE}, got {args.size}")
    shard, out = resolve_shard(args.shard, args.out)
    identity = {"generator": generator, "total": args.n, "image_size": args.size, "seed": args.seed,
                "chunk_size": args.chunk_size, "settings": settings}
    writer = DatasetWriter(out, identity, shard)  # refuses a different dataset before any work
    start = time.perf_counter()
    record = write_chunks(writer, lambda c, n: make_chunk(args.size, args.seed, c, n), "rendering", args.quiet)
    finish(writer, start, record, report, _diversity)
    return 0


def _diversity(ds: Dataset) -> dict:
    from synthkd.core.diversity import dataset_diversity  # imports torch: only when a run ends

    return {"diversity": round(dataset_diversity(ds)[0], 4)}


def render_leaves_main(argv: list[str] | None = None) -> int:
    p = _parser("render-leaves", "Draw dead-leaves images: flat-coloured circles, squares, oriented squares, "
                "rectangles, triangles and quadrilaterals with power-law radii, stacked until the canvas is covered. "
                "Deterministic for a given seed; re-running the same command resumes a killed run.", "data/leaves")
    p.add_argument("--shapes", default=",".join(leaves.SHAPES), help="comma-separated shapes to use")
    p.add_argument("--sigma", type=float, default=3.0, help="radius density is proportional to r^-sigma")
    p.add_argument("--rmin", type=float, default=0.03, help="smallest radius, as a fraction of the image size")
    p.add_argument("--rmax", type=float, default=1.0, help="largest radius, as a fraction of the image size")
    p.add_argument("--max-shapes", type=positive_int, default=5000,
                   help="stop after this many shapes even if the canvas is not covered (the rest stays black)")
    p.add_argument("--aspect", type=float_range, default=(0.25, 0.75), metavar="LO:HI",
                   help="rectangles' short side / long side is uniform in this range")
    p.add_argument("--antialias", action="store_true",
                   help=f"smooth edges ({ANTIALIAS}x{ANTIALIAS} samples per pixel); the paper's shapes are flat")
    args = p.parse_args(argv)

    def body() -> int:
        try:
            s = leaves.LeavesSettings(shapes=tuple(x.strip() for x in args.shapes.split(",") if x.strip()),
                                      sigma=args.sigma, rmin=args.rmin, rmax=args.rmax, max_shapes=args.max_shapes,
                                      aspect=tuple(args.aspect), supersample=ANTIALIAS if args.antialias else 1)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        settings = {"shapes": list(s.shapes), "sigma": s.sigma, "rmin": s.rmin, "rmax": s.rmax,
                    "max_shapes": s.max_shapes, "aspect": list(s.aspect), "supersample": s.supersample}
        return _generate(args, "leaves", settings, lambda size, seed, c, n: leaves.make_chunk(s, size, seed, c, n),
                         {"shape_kinds": list(s.shapes)})

    return run("render-leaves", body, (DatasetError,))


def render_noise_main(argv: list[str] | None = None) -> int:
    p = _parser("render-noise", "Draw noise images around a dataset's per-channel mean and standard deviation, "
                "clipped to [0, 1]: independent Gaussian (the paper's), uniform, or 1/f^alpha spectral noise. "
                "Deterministic for a given seed; re-running the same command resumes a killed run.", "data/noise")
    p.add_argument("--stats", default="cifar10", metavar="NAME|MEAN,STD",
                   help=f"a preset ({', '.join(noise.PRESETS)}), MEAN,STD for all channels, or MR,MG,MB,SR,SG,SB")
    p.add_argument("--kind", choices=noise.KINDS, default="gaussian",
                   help="'gaussian': N(mean, std) per pixel; 'uniform': same mean and std, flat; 'spectral': "
                        "Gaussian values with a 1/f^alpha power spectrum (blobs instead of speckle)")
    p.add_argument("--alpha", type=float, default=1.0, help="spectral slope for --kind spectral (0 = white)")
    args = p.parse_args(argv)

    def body() -> int:
        try:
            mean, std = noise.parse_stats(args.stats)
            s = noise.NoiseSettings(mean=mean, std=std, kind=args.kind, alpha=args.alpha)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        settings = {"stats": args.stats, "mean": list(s.mean), "std": list(s.std), "kind": s.kind,
                    **({"alpha": s.alpha} if s.kind == "spectral" else {})}
        return _generate(args, "noise", settings,
                         lambda size, seed, c, n: noise.make_chunk(s, size, seed, c, n), {"kind": s.kind})

    return run("render-noise", body, (DatasetError,))


if __name__ == "__main__":
    command = {"render-leaves": render_leaves_main, "render-noise": render_noise_main}
    sys.exit(command[sys.argv[1]](sys.argv[2:]) if len(sys.argv) > 1 and sys.argv[1] in command else 2)
