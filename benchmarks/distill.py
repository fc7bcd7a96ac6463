"""Benchmark of distill's training loop: today's step against the previous one, quiet and beside a busy process.

Both loops train the same student from the same teacher on the same dataset directory with the same settings
(by default the demo's: resnet8_cifar from the built-in wrn16_1 teacher with ``synthkd run``'s recipe, batch 64,
standard augmentation, no mixup, a DataLoader worker) and are timed over whole epochs of ``train_one_epoch``:

- (old) the step as it was: float32, contiguous tensors, torch's default thread count, fixed;
- (new) the step as it is: bf16 autocast where the CPU has native bf16 (float32 elsewhere), channels_last
  batches and models, and the thread count kept to the cores other programs leave free (``CpuShare``);
- (ema) the new step with ``--ema 0.999``: the cost of updating the weight average after every step;
- (log) the new step with the student's ``_log`` form (``--student auto``'s choice for a run steered with
  ``dark``): the cost of its log map of the input, which ``synthkd run`` plans with the plain form's rate.

Each is measured alone and again while a second CPU-bound process (a Python busy loop, one core) runs. The
machine may be noisy, so (old) and (new) alternate over rounds and each figure is the median over rounds.
Prints a table and ends with one JSON line of the figures.

Usage: python -m benchmarks.distill [--rounds 3] [--images 8192] [--aug standard] [--batch-size 64]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

from synthkd.core.runtime import Dist, pick_device, usable_cores
from synthkd.core.writer import DatasetWriter
from synthkd.distill.settings import DistillSettings
from synthkd.distill.train import prepare, train_one_epoch
from synthkd.recipe import RECIPE
from synthkd.teacher import BUILTIN

NAMES = ("old", "new", "ema", "log")


def write_dataset(path: Path, n: int, size: int) -> None:
    """``n`` random images with some structure (upsampled noise), as a dataset directory."""
    rng = np.random.default_rng(0)
    small = torch.from_numpy(rng.random((n, 3, max(2, size // 4), max(2, size // 4)), dtype=np.float32))
    images = torch.nn.functional.interpolate(small, size=size, mode="bilinear", align_corners=False)
    images = (images * 255).round().to(torch.uint8).permute(0, 2, 3, 1).numpy()
    writer = DatasetWriter(path, {"generator": "benchmark", "total": n, "image_size": size, "seed": 0,
                                  "chunk_size": 4096, "settings": {}})
    for c, start in enumerate(range(0, n, 4096)):
        writer.write_chunk(c, images[start:start + 4096], {}, {})
    writer.finish()


CORES = usable_cores()


def make_run(cfg: DistillSettings, old: bool):
    """A prepared run; ``old`` turns it back into the previous step (float32, contiguous, fixed threads)."""
    run = prepare(cfg, Dist(), pick_device("cpu"))
    if old:
        run.amp, run.cpu_share, run.memory_format = None, None, torch.contiguous_format
        run.teacher.to(memory_format=torch.contiguous_format)
        run.student.to(memory_format=torch.contiguous_format)
    return run


def rate(run, epoch: int) -> float:
    """Images/s of one epoch. The thread count is the process's, so each run sets its own before it starts:
    the old step all cores (torch's default), the new one what its CpuShare decides."""
    torch.set_num_threads(run.cpu_share.update() if run.cpu_share is not None else CORES)
    return train_one_epoch(run, epoch)["images_per_s"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--student", default="resnet8_cifar")
    ap.add_argument("--images", type=int, default=8192, help="images per epoch (one timed epoch per round)")
    ap.add_argument("--batch-size", type=int, default=RECIPE.batch_size)
    ap.add_argument("--aug", default=RECIPE.aug)
    ap.add_argument("--mixup-alpha", type=float, default=RECIPE.mixup_alpha)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    figures: dict = {"student": args.student, "teacher": BUILTIN.arch, "batch_size": args.batch_size,
                     "aug": args.aug, "mixup_alpha": args.mixup_alpha, "images_per_epoch": args.images,
                     "bf16": bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        write_dataset(tmp / "data", args.images, 32)
        runs = {}
        for name in NAMES:
            student = f"{args.student}_log" if name == "log" else args.student
            cfg = DistillSettings(teacher=BUILTIN.spec, student=student, data=tmp / "data", out=tmp / name,
                                  epochs=1000, batch_size=args.batch_size, aug=args.aug, mixup_alpha=args.mixup_alpha,
                                  lr=0.05, holdout=0.0, workers=1, quiet=True, ema=0.999 if name == "ema" else 0.0)
            runs[name] = make_run(cfg, old=name == "old")
            rate(runs[name], 0)  # warm-up: worker start, first allocations
        epoch = 1
        for load in ("quiet", "busy"):
            busy = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if load == "busy" else None
            try:
                rates: dict[str, list[float]] = {name: [] for name in NAMES}
                for r in range(args.rounds + 1):  # the first round settles in (and lets CpuShare notice the load)
                    for name in NAMES:
                        value = rate(runs[name], epoch)
                        epoch += 1
                        if r:
                            rates[name].append(value)
            finally:
                if busy is not None:
                    busy.kill()
                    busy.wait()
            for name in NAMES:
                figures[f"{name}_{load}_img_s"] = round(statistics.median(rates[name]), 1)
                figures[f"{name}_{load}_rounds"] = rates[name]
    figures["new_over_old_quiet"] = round(figures["new_quiet_img_s"] / figures["old_quiet_img_s"], 2)
    figures["new_over_old_busy"] = round(figures["new_busy_img_s"] / figures["old_busy_img_s"], 2)
    figures["ema_over_new_quiet"] = round(figures["ema_quiet_img_s"] / figures["new_quiet_img_s"], 2)
    figures["log_over_new_quiet"] = round(figures["log_quiet_img_s"] / figures["new_quiet_img_s"], 2)
    figures["new_busy_over_quiet"] = round(figures["new_busy_img_s"] / figures["new_quiet_img_s"], 2)
    figures["old_busy_over_quiet"] = round(figures["old_busy_img_s"] / figures["old_quiet_img_s"], 2)
    print(f"{args.student} <- {BUILTIN.arch}, batch {args.batch_size}, aug {args.aug}, mixup {args.mixup_alpha}, "
          f"bf16 {'on' if figures['bf16'] else 'not available'}")
    for load in ("quiet", "busy"):
        print(f"  {load:<6} old {figures[f'old_{load}_img_s']:>8.1f} img/s   new {figures[f'new_{load}_img_s']:>8.1f} "
              f"img/s   new/old {figures[f'new_over_old_{load}']}")
    print(f"  --ema 0.999 over new, quiet: {figures['ema_over_new_quiet']}")
    print(f"  {args.student}_log over new, quiet: {figures['log_over_new_quiet']}")
    print(f"  busy/quiet: old {figures['old_busy_over_quiet']}, new {figures['new_busy_over_quiet']}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
