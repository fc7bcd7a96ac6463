"""Real labelled data that ships with scikit-learn: the 1,797 8x8 handwritten digits of ``load_digits``,
upsampled to RGB images, with a fixed train/test split, and a plain supervised trainer for a teacher.

This is what the tests, the demo and the digits experiment use as "the user's teacher and its real data":
no download, and small enough to train a teacher in seconds on a laptop CPU.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from synthkd.core.models import Classifier
from synthkd.core.tensors import accuracy, to_float
from synthkd.core.writer import DatasetWriter

CLASSES = 10
TEST_FRACTION = 0.25
SPLIT_SEED = 0


def digits(split: str = "train", size: int = 32, thickness: int = 0, invert: bool = False,
           scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """(images, labels) of the ``train`` or ``test`` split: (N, size, size, 3) uint8 white-on-black digits;
    ``thickness`` > 0 thickens the strokes by that many pixels (a 3x3 maximum filter, applied that often),
    ``invert`` makes them black on white (ink on paper), ``scale`` < 1 draws each digit that fraction of the
    image's side, centred on a blank field (as MNIST draws 20 px digits in 28 px images)."""
    from sklearn.datasets import load_digits

    data = load_digits()
    order = np.random.default_rng(SPLIT_SEED).permutation(len(data.target))
    n_test = int(round(len(order) * TEST_FRACTION))
    pick = order[n_test:] if split == "train" else order[:n_test]
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    small = torch.from_numpy(data.images[pick] / 16.0).float().unsqueeze(1)
    inner = max(1, round(size * scale))
    big = F.interpolate(small, size=(inner, inner), mode="bilinear", align_corners=False).clamp(0, 1)
    before = (size - inner) // 2
    big = F.pad(big, (before, size - inner - before) * 2)
    for _ in range(thickness):
        big = F.max_pool2d(big, 3, stride=1, padding=1)
    if invert:
        big = 1 - big
    images = (big * 255).round().to(torch.uint8).repeat(1, 3, 1, 1).permute(0, 2, 3, 1).numpy()
    return np.ascontiguousarray(images), data.target[pick].astype(np.int64)


@dataclass
class TrainResult:
    train_accuracy: float
    test_accuracy: float
    losses: list[float]


def train_teacher(model: Classifier, epochs: int = 15, batch: int = 64, lr: float = 0.05, seed: int = 0,
                  size: int = 32, limit: int | None = None, thickness: int = 0, invert: bool = False,
                  scale: float = 1.0) -> TrainResult:
    """Supervised training on the digits train split (or its first ``limit`` images): :func:`train_supervised`."""
    x_train, y_train = digits("train", size, thickness, invert, scale)
    return train_supervised(model, (x_train[:limit], y_train[:limit]), digits("test", size, thickness, invert, scale),
                            epochs=epochs, batch=batch, lr=lr, seed=seed)


def train_supervised(model: Classifier, train: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray],
                     epochs: int = 15, batch: int = 64, lr: float = 0.05, seed: int = 0,
                     flip: bool = False) -> TrainResult:
    """A panel teacher's training on labelled uint8 images: SGD, one-cycle schedule, random shifts of up to 2 px
    (and, with ``flip``, random mirroring of each batch). Deterministic on the CPU for a seed and thread count."""
    generator = torch.Generator().manual_seed(seed)
    x, y = to_float(train[0]), torch.from_numpy(train[1])
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=5e-4, nesterov=True)
    steps = epochs * ((len(x) + batch - 1) // batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.15)
    losses = []
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(x), generator=generator)
        total = 0.0
        for i in range(0, len(x), batch):
            idx = order[i:i + batch]
            shift = torch.randint(-2, 3, (2,), generator=generator).tolist()
            xb = torch.roll(x[idx], shifts=shift, dims=(2, 3))
            if flip and bool(torch.randint(0, 2, (1,), generator=generator)):
                xb = xb.flip(3)
            loss = F.cross_entropy(model(xb), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(idx)
        losses.append(total / len(x))
    model.eval()
    return TrainResult(accuracy(model, *train), accuracy(model, *test), losses)


def write_digits_dataset(out: Path, split: str = "train", size: int = 32) -> Path:
    """A split of the digits as a synthkd dataset directory (labels kept as ``digit``, not as the teacher's
    ``label``): the "teacher's own training data" reference for the experiments."""
    images, labels = digits(split, size)
    writer = DatasetWriter(out, {"generator": "digits", "total": len(images), "image_size": size, "seed": SPLIT_SEED,
                                 "chunk_size": len(images), "settings": {"split": split}})
    if writer.todo():
        writer.write_chunk(0, images, {"digit": labels.tolist()}, {"images": len(images)})
    if not writer.header.get("complete"):
        writer.finish()
    writer.close()
    return out
