"""The built-in teacher: a small CIFAR-style wide ResNet trained on scikit-learn's digits (32 px RGB).

``python -m synthkd.teacher`` re-creates ``assets/teacher/digits_wrn16_1.pt`` bit for bit on a CPU (one
thread, deterministic algorithms, fixed seed) and writes its test accuracy next to it in a JSON file.
``synthkd demo`` uses it as the "user's teacher" when no other is given.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import torch

from synthkd.core.dataset import atomic_write, write_json
from synthkd.core.models import load_model
from synthkd.digits import train_teacher

ARCH = "wrn16_1"
ASSET = Path(__file__).resolve().parents[1] / "assets" / "teacher" / f"digits_{ARCH}.pt"
EPOCHS = 15
SEED = 0


def make_teacher(out: Path = ASSET, epochs: int = EPOCHS, seed: int = SEED, limit: int | None = None) -> dict:
    """Train the teacher deterministically and save its state_dict at ``out`` (+ ``out.json`` with figures);
    ``limit`` trains on the first images only (quick checks of determinism)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    try:
        torch.manual_seed(seed)
        model = load_model(ARCH, need_weights=False, num_classes=10, normalization="none")
        clock = time.perf_counter()
        result = train_teacher(model, epochs=epochs, seed=seed, limit=limit)
        seconds = time.perf_counter() - clock
    finally:
        torch.use_deterministic_algorithms(False)
        torch.set_num_threads(threads)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out, lambda f: torch.save({"state_dict": model.net.state_dict()}, f))
    info = {"teacher": ARCH, "weights": out.name, "sha256": hashlib.sha256(out.read_bytes()).hexdigest(),
            "data": "sklearn load_digits, 32 px RGB, synthkd.digits split (seed 0, 25 % test)",
            "epochs": epochs, "seed": seed, "train_accuracy": round(result.train_accuracy, 4),
            "test_accuracy": round(result.test_accuracy, 4), "seconds": round(seconds, 1),
            "command": f"python -m synthkd.teacher --epochs {epochs} --seed {seed}"}
    write_json(out.with_suffix(".json"), info)
    return info


def builtin_teacher() -> tuple[str, Path]:
    """(spec, weights path) of the shipped teacher."""
    return ARCH, ASSET


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m synthkd.teacher", description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, default=ASSET)
    p.add_argument("--epochs", type=int, default=EPOCHS)
    p.add_argument("--seed", type=int, default=SEED)
    args = p.parse_args(argv)
    print(json.dumps(make_teacher(args.out, args.epochs, args.seed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
