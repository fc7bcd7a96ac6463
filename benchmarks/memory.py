"""Benchmark of peak memory per stage at 10, 100 and 1,000 classes, against the 10-class run of the same stage.

Each stage runs as its own process, as a user runs it, on noise images (32 px) and a seeded random MLP teacher with
C classes (its last layer scaled, so that its classes spread over the images): ``render-noise`` (D_S),
``probe`` (balance into D_K, a tenth of it probed for boundary pairs), ``distill`` (one pass over D_K, no DataLoader
workers, so that the stage is one process) and ``synthkd run --minutes 1``. The figure is the process's peak resident
set (``os.wait4``'s ``ru_maxrss``), which counts the pages of memory-mapped chunks it touched. Then ``probe`` on a
D_S of ``--million`` images at 1,000 classes, the largest request of the goal (4 GiB).
Prints a table and ends with one JSON line. Usage: python -m benchmarks.memory [--quick] [--million N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import torch

from synthkd.core.models import load_model
from synthkd.core.resources import CEILING

MIB = 1 << 20
CLASSES = (10, 100, 1000)


def peak_mib(args: list[str]) -> float:
    """Peak resident memory of the command ``args`` (a synthkd entry point), in MiB; it must succeed."""
    proc = subprocess.Popen([sys.executable, "-c", "import sys; from synthkd.cli import main; sys.exit(main())",
                             *map(str, args)], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(map(str, args[:2]))} failed with exit status {proc.returncode}")
    return usage.ru_maxrss * 1024 / MIB  # kilobytes on Linux


def teacher(root: Path, classes: int) -> list[str]:
    """A seeded random MLP teacher with ``classes`` classes, as command-line options."""
    path = root / f"mlp{classes}.pt"
    torch.manual_seed(0)
    model = load_model("mlp", need_weights=False, num_classes=classes, normalization="none")
    model.net[-1].weight.data *= 10
    torch.save({"state_dict": model.net.state_dict()}, path)
    return ["--teacher", "mlp", "--weights", path, "--num-classes", classes, "--teacher-normalization", "none"]


def stages(root: Path, classes: int, images: int) -> dict[str, float]:
    """Peak MiB of each stage for a ``classes``-class teacher and ``images`` D_S images."""
    t = teacher(root, classes)
    ds, dk, student = root / f"ds{classes}", root / f"dk{classes}", root / f"student{classes}"
    return {
        "render-noise": peak_mib(["render-noise", "--n", images, "--out", ds, "--quiet"]),
        "probe": peak_mib(["probe", "--data", ds, "--out", dk, *t, "--total", images // 2, "--probe-fraction", 0.1,
                           "--quiet"]),
        "distill": peak_mib(["distill", "--data", dk, "--out", student, *t, "--student", "resnet8_cifar",
                             "--epochs", 1, "--workers", 0, "--quiet"]),
        "run": peak_mib(["run", *t, "--source", "noise", "--minutes", 1, "--out", root / f"run{classes}",
                         "--quiet"]),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="4,096 D_S images per class count instead of 20,480")
    ap.add_argument("--million", type=int, default=1_000_000, help="D_S images of the large probe (0: skip it)")
    args = ap.parse_args()
    images = 4096 if args.quick else 20_480
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        peaks = {c: stages(root, c, images) for c in CLASSES}
        print(f"{'stage':<14}" + "".join(f"{f'{c} classes, MiB':>20}" for c in CLASSES) + f"{'1000 / 10':>12}")
        for stage in peaks[10]:
            print(f"{stage:<14}" + "".join(f"{peaks[c][stage]:>20.0f}" for c in CLASSES)
                  + f"{peaks[1000][stage] / peaks[10][stage]:>12.2f}")
        large = None
        if args.million:
            ds = root / "million"
            peak_mib(["render-noise", "--n", args.million, "--out", ds, "--quiet"])
            large = peak_mib(["probe", "--data", ds, "--out", root / "million-dk", *teacher(root, 1000),
                              "--total", args.million // 2, "--attack", "none", "--quiet"])
            print(f"probe of {args.million} D_S images at 1000 classes (D_K {args.million // 2}): {large:.0f} MiB "
                  f"(ceiling {CEILING / MIB:.0f} MiB)")
    print(json.dumps({"benchmark": "memory", "ds_images": images, "peak_mib": {
        stage: {c: round(peaks[c][stage]) for c in CLASSES} for stage in peaks[10]},
        "ratio_1000_vs_10": {stage: round(peaks[1000][stage] / peaks[10][stage], 3) for stage in peaks[10]},
        "probe_large": {"ds_images": args.million, "peak_mib": round(large) if large else None,
                        "ceiling_mib": CEILING // MIB}}))


if __name__ == "__main__":
    main()
