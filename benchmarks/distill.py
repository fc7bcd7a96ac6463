"""Benchmark of distill's training loop against the compute it cannot avoid, in one run.

Same student, teacher, batch and device: (a) compute only: teacher forward, student forward and backward, SGD
step, on one batch already in memory, no loading, augmentation or mixup; (b) distill's loop: an epoch of
``train_one_epoch`` over a dataset directory (DataLoader reading uint8 batches; augmentation and mixup in its
worker processes on the CPU, on the device with CUDA; the same step). b/a near 1 means loading and augmentation
hide behind (or are negligible next to) the step. Also timed alone: the DataLoader, and augmentation with mixup
in the training process (what a CPU run would pay without workers). The machine may be shared and noisy:
(a) and (b) are measured in alternating rounds; b/a is the median over rounds of (b) over the (a) next to it.
Prints a table and ends with one JSON line of the figures.
Usage: python -m benchmarks.distill [--student resnet18_cifar] [--teacher resnet18_cifar] [--aug high] [--quick]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from synthkd.core.dataset import DatasetWriter
from synthkd.core.models import TeacherSpec, build_model
from synthkd.core.runtime import Dist, pick_device
from synthkd.distill.train import DistillSettings, prepare, train_one_epoch, train_step


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


def compute_only(run, steps: int, size: int) -> float:
    """Images/s of the bare step on a batch that is already on the device."""
    x = torch.rand(run.cfg.batch_size, 3, size, size, device=run.device)
    if run.device.type == "cuda":
        x = x.contiguous(memory_format=torch.channels_last)
    run.student.train()
    _sync(run)
    start = time.perf_counter()
    for _ in range(steps):
        train_step(run, x)
    _sync(run)
    return steps * len(x) / (time.perf_counter() - start)


def loader_only(run) -> float:
    """Images/s of the DataLoader alone, batches moved to the device (on the CPU its workers also augment)."""
    start = time.perf_counter()
    n = sum(len(batch.to(run.device)) for batch, _, _ in run.loader)
    _sync(run)
    return n / (time.perf_counter() - start)


def pipeline_only(run, steps: int) -> float:
    """Images/s of augmentation and mixup alone, in this process, on uint8 batches already on the device."""
    images = run.loader.dataset.read(list(range(run.cfg.batch_size))).to(run.device)
    _sync(run)
    start = time.perf_counter()
    for step in range(steps):
        run.pipeline(images, 0, step)
    _sync(run)
    return steps * len(images) / (time.perf_counter() - start)


def _sync(run) -> None:
    if run.device.type == "cuda":
        torch.cuda.synchronize(run.device)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--student", default="resnet18_cifar")
    ap.add_argument("--teacher", default="resnet18_cifar", help="a registry or torchvision name (random weights)")
    ap.add_argument("--size", type=int, default=32)
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--steps", type=int, default=4, help="batches per timed round")
    ap.add_argument("--rounds", type=int, default=3, help="alternating timed rounds of (b) and (a)")
    ap.add_argument("--aug", default="high")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--quick", action="store_true", help="resnet8_cifar student and teacher, batch 64 (smoke run)")
    args = ap.parse_args()
    if args.quick:
        args.student, args.teacher, args.batch_size = "resnet8_cifar", "resnet8_cifar", 64
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        write_dataset(tmp / "data", args.batch_size * args.steps, args.size)
        torch.save({"state_dict": build_model(args.teacher, 10).state_dict()}, tmp / "teacher.pt")
        teacher = TeacherSpec(name=args.teacher, weights=str(tmp / "teacher.pt"), num_classes=10)
        cfg = DistillSettings(teacher=teacher, student=args.student, data=tmp / "data", out=tmp / "run", epochs=1000,
                              batch_size=args.batch_size, aug=args.aug, holdout=0.0, workers=args.workers,
                              device=args.device, quiet=True)
        run = prepare(cfg, Dist(), pick_device(args.device))
        loop_rates, compute_rates = [], []
        train_one_epoch(run, 0)  # warm-up: worker start, first allocations
        compute_only(run, 1, args.size)
        for r in range(args.rounds):
            loop_rates.append(train_one_epoch(run, r + 1)["images_per_s"])
            compute_rates.append(compute_only(run, args.steps, args.size))
        loading, augmenting = loader_only(run), pipeline_only(run, args.steps)
    loop, compute = statistics.median(loop_rates), statistics.median(compute_rates)
    ratio = statistics.median(b / a for b, a in zip(loop_rates, compute_rates, strict=True))
    figures = {
        "device": str(run.device), "threads": torch.get_num_threads(), "student": args.student,
        "teacher": args.teacher, "size": args.size, "batch_size": args.batch_size, "aug": args.aug,
        "workers": args.workers, "amp": str(run.amp), "steps_per_round": args.steps,
        "compute_only_img_s": round(compute, 1), "distill_loop_img_s": round(loop, 1),
        "b_over_a": round(ratio, 3), "loader_only_img_s": round(loading, 1),
        "augment_mix_only_img_s": round(augmenting, 1),
        "rounds": {"compute_only": [round(x, 1) for x in compute_rates], "distill_loop": loop_rates},
    }
    print(f"{args.student} <- {args.teacher}, {args.size} px, batch {args.batch_size}, aug {args.aug}, "
          f"{figures['device']} ({figures['threads']} threads), workers {args.workers}")
    for name, rate in (("(a) compute only", compute), ("(b) distill loop", loop),
                       ("DataLoader alone", loading), ("augment+mix alone", augmenting)):
        print(f"  {name:<20} {rate:>9.1f} img/s  {1000 * args.batch_size / rate:>9.1f} ms/batch")
    print(f"  b/a {figures['b_over_a']}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
