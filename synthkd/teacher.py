"""The digits teacher panel: small classifiers of different families, trained on scikit-learn's digits.

They play "the user's teacher" in the demo, the experiments and the tests, with real held-out data to measure
students on. ``wrn16_1`` is the built-in teacher; the others differ in architecture (a LeNet-5 without batch
norm, a plain conv-BN-ReLU CNN with global average pooling, an MLP) or in what they were trained on (thicker
strokes, normalised inputs, black on white), so that data made for one teacher does not happen to suit them all.
Levers and defaults are tuned on the first six (``TUNING``); the ``held_out`` ones (digits drawn smaller, in
another framing) were made afterwards and are only reported on.

``python -m synthkd.teacher [NAME ...|all]`` re-creates ``assets/teacher/digits_NAME.pt`` bit for bit on a given
machine (one thread, deterministic algorithms, fixed seed; different CPUs round differently) and writes its
figures next to it in ``digits_NAME.json``. Each trains in well under two minutes on two cores.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from synthkd.core.files import atomic_write, write_json
from synthkd.core.models import TeacherSpec, load_model
from synthkd.digits import digits, train_teacher

ASSETS = Path(__file__).resolve().parents[1] / "assets" / "teacher"
SEED = 0


@dataclass(frozen=True)
class PanelTeacher:
    """How one panel teacher is made, and how it sees its inputs."""

    name: str
    arch: str  # a registry name
    normalization: str  # applied inside the model (its inputs are [0, 1] images)
    epochs: int
    thickness: int = 0  # strokes thickened by this many pixels, in training and in its held-out data
    invert: bool = False  # black digits on white (ink on paper) instead of white on black
    scale: float = 1.0  # each digit drawn this fraction of the image's side, centred
    lr: float = 0.05
    about: str = ""
    held_out: bool = False  # no lever or default was tuned on it: the headline figures come from these

    @property
    def weights(self) -> Path:
        return ASSETS / f"digits_{self.name}.pt"

    @property
    def spec(self) -> TeacherSpec:
        """The teacher as the stages take it."""
        return TeacherSpec(name=self.arch, weights=str(self.weights), normalization=self.normalization)

    def test_set(self) -> tuple[np.ndarray, np.ndarray]:
        """The held-out digits as this teacher was trained to see them."""
        return digits("test", thickness=self.thickness, invert=self.invert, scale=self.scale)

    def info(self) -> dict:
        """The figures recorded when it was made (``digits_NAME.json``)."""
        return json.loads(self.weights.with_suffix(".json").read_text())


PANEL = {t.name: t for t in (
    PanelTeacher("wrn16_1", "wrn16_1", "none", 15, about="wide ResNet (WRN-16-1), the built-in teacher"),
    PanelTeacher("lenet5", "lenet5", "none", 30, about="LeNet-5 style CNN, no batch norm"),
    PanelTeacher("gapcnn", "gapcnn", "none", 15, about="plain conv-BN-ReLU CNN with global average pooling"),
    PanelTeacher("mlp", "mlp", "none", 30, about="MLP on the flattened image"),
    PanelTeacher("thick_resnet8", "resnet8_cifar", "mnist", 15, thickness=1,
                 about="ResNet-8 trained on thicker strokes, inputs normalised with MNIST statistics"),
    PanelTeacher("ink_gapcnn", "gapcnn", "mnist", 15, invert=True, lr=0.1,
                 about="the plain CNN trained on black-on-white digits (ink on paper), MNIST-normalised inputs"),
    PanelTeacher("small_gapcnn", "gapcnn", "cifar10", 15, scale=0.625, held_out=True,
                 about="held out: the plain CNN on digits drawn 20 of 32 px, centred, CIFAR-10-normalised inputs"),
    PanelTeacher("small_ink_wrn16_1", "wrn16_1", "none", 15, thickness=1, invert=True, scale=0.75, held_out=True,
                 about="held out: the WRN-16-1 on thick black-on-white digits drawn 24 of 32 px, centred"),
)}
BUILTIN = PANEL["wrn16_1"]
TUNING = {name: t for name, t in PANEL.items() if not t.held_out}


def make_teacher(teacher: PanelTeacher = BUILTIN, out: Path | None = None, epochs: int | None = None,
                 seed: int = SEED, limit: int | None = None) -> dict:
    """Train ``teacher`` deterministically and save its state_dict at ``out`` (default: its asset path), with its
    figures in ``out.json``; ``limit`` trains on the first images only (quick checks of determinism)."""
    out = teacher.weights if out is None else out
    epochs = teacher.epochs if epochs is None else epochs
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    try:
        torch.manual_seed(seed)
        model = load_model(teacher.arch, need_weights=False, num_classes=10, normalization=teacher.normalization)
        clock = time.perf_counter()
        result = train_teacher(model, epochs=epochs, lr=teacher.lr, seed=seed, limit=limit,
                               thickness=teacher.thickness, invert=teacher.invert, scale=teacher.scale)
        seconds = time.perf_counter() - clock
    finally:
        torch.use_deterministic_algorithms(False)
        torch.set_num_threads(threads)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out, lambda f: torch.save({"state_dict": model.net.state_dict()}, f))
    info = {"teacher": teacher.name, "arch": teacher.arch, "normalization": teacher.normalization,
            "weights": out.name, "sha256": hashlib.sha256(out.read_bytes()).hexdigest(),
            "data": f"sklearn load_digits, 32 px RGB, synthkd.digits split (seed 0, 25 % test), "
                    f"strokes thickened by {teacher.thickness} px, "
                    f"{'black on white' if teacher.invert else 'white on black'}"
                    f"{f', drawn {teacher.scale:g} of the side' if teacher.scale != 1 else ''}",
            "held_out": teacher.held_out,
            "epochs": epochs, "lr": teacher.lr, "seed": seed, "train_accuracy": round(result.train_accuracy, 4),
            "test_accuracy": round(result.test_accuracy, 4), "seconds": round(seconds, 1), "about": teacher.about,
            "command": f"python -m synthkd.teacher {teacher.name}"}
    write_json(out.with_suffix(".json"), info)
    return info


def builtin_teacher() -> tuple[str, Path]:
    """(spec, weights path) of the built-in teacher."""
    return BUILTIN.arch, BUILTIN.weights


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m synthkd.teacher", description=__doc__.split("\n\n")[0])
    p.add_argument("names", nargs="*", default=[BUILTIN.name], metavar="NAME",
                   help=f"panel teachers to make: {', '.join(PANEL)}, or all (default: {BUILTIN.name})")
    args = p.parse_args(argv)
    names = list(PANEL) if args.names == ["all"] else args.names
    if unknown := [n for n in names if n not in PANEL]:
        p.error(f"unknown panel teacher {unknown[0]!r}: choose from {', '.join(PANEL)} or all")
    for name in names:
        print(json.dumps(make_teacher(PANEL[name])), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
