"""Benchmark of the balancer's teacher pass against a bare forward loop, in one run.

(a) ``model(x)`` over batches already in memory as float tensors; (b) the balancer's pass
(:func:`synthkd.probe.balance.predict_chunks`) over the same images read from a dataset directory (memory-mapped
uint8 chunks, converted per batch on a background thread, softmax statistics taken). Same model, batch and
thread count, interleaved, best of three; teachers: resnet8_cifar (tiny: the worst case for
overheads) and resnet18_cifar, 32 px.
Goal: (b)/(a) >= 0.9. Prints a table and ends with one JSON line. Usage: python -m benchmarks.balance [--quick]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import torch

from synthkd.core.dataset import open_dataset
from synthkd.core.models import load_model
from synthkd.core.tensors import to_float
from synthkd.probe.balance import predict_chunks
from synthkd.shaders.stage import ShaderDataset, render_shaders


def bare(model: torch.nn.Module, batches: list[torch.Tensor]) -> float:
    clock = time.perf_counter()
    with torch.inference_mode():
        for x in batches:
            model(x)
    return sum(len(x) for x in batches) / (time.perf_counter() - clock)


def balancer(model: torch.nn.Module, ds, batch: int) -> float:
    clock = time.perf_counter()
    for _ in predict_chunks(ds, model, list(range(ds.num_chunks)), batch):
        pass
    return len(ds) / (time.perf_counter() - clock)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer images")
    ap.add_argument("--batch", type=int, default=256)
    args = ap.parse_args()
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        n = 1024 if args.quick else 4096
        render_shaders(ShaderDataset(n=n, size=32, out=Path(tmp) / "ds", chunk_size=1000, quiet=True))
        ds = open_dataset(Path(tmp) / "ds")
        batches = [to_float(ds.images(i, i + args.batch)) for i in range(0, len(ds), args.batch)]
        print(f"{'teacher':<16}{'bare img/s':>12}{'balancer img/s':>16}{'ratio':>8}")
        for name in ("resnet8_cifar", "resnet18_cifar"):
            model = load_model(name, need_weights=False, num_classes=10).eval()
            bare(model, batches[:2])  # warm-up
            a = b = 0.0
            for _ in range(3):  # interleaved, best of three: the machine is shared and noisy
                a, b = max(a, bare(model, batches)), max(b, balancer(model, ds, args.batch))
            figures[name] = {"bare_images_per_s": round(a, 1), "balancer_images_per_s": round(b, 1),
                             "ratio": round(b / a, 3)}
            print(f"{name:<16}{a:>12.1f}{b:>16.1f}{b / a:>8.3f}")
    print(json.dumps({"benchmark": "balance", "images": n, "batch": args.batch, "threads": torch.get_num_threads(),
                      **figures}))


if __name__ == "__main__":
    main()
