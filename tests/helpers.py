"""What several test modules share: real digits teachers, dataset comparisons, running a command, killing a run."""

from __future__ import annotations

import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from synthkd.core.models import Classifier, TeacherSpec, load_model

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
MODES = TESTS / "shaders" / "modes"  # one small shader per TwiGL mode (and Shadertoy)
BAD = TESTS / "shaders" / "bad"  # shaders each filter or check must catch


def start_and_kill(cmd: list[str], out: Path, chunks: int, timeout: float = 120.0) -> int:
    """Run ``cmd`` (which writes a dataset to ``out``), SIGKILL it once ``chunks`` chunks are on disk, and
    return how many finished chunks it left behind."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while len(list((out / "chunks").glob("*.json"))) < chunks and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return len(list((out / "chunks").glob("*.json")))


def chunk_bytes(path: Path) -> dict[str, bytes]:
    """Every file of a dataset's chunks folder, by name: equal dicts mean byte-identical datasets."""
    return {p.name: p.read_bytes() for p in sorted((path / "chunks").iterdir())}


def run_cli(main, *args) -> int:
    """Exit status of a command's ``main(argv)``, whether it returns it or argparse exits with it."""
    try:
        return main([str(a) for a in args])
    except SystemExit as exc:
        return exc.code


@dataclass
class Teacher:
    """A real teacher trained in this test session on scikit-learn's digits (32 px RGB, 10 classes)."""

    spec: str  # model name for --teacher
    weights: Path  # its state_dict, for --weights
    model: Classifier  # the loaded Classifier, eval mode, [0, 1] inputs
    test_accuracy: float

    @property
    def settings(self) -> TeacherSpec:
        """The teacher as the stages take it."""
        return TeacherSpec(name=self.spec, weights=str(self.weights), normalization="none")

    @property
    def args(self) -> list[str]:
        """The teacher as the commands take it."""
        return ["--teacher", self.spec, "--weights", str(self.weights), "--teacher-normalization", "none"]


def untrained_teacher(path: Path, spec: str = "resnet8_cifar") -> Teacher:
    """A teacher with seeded random weights, saved at ``path``: enough where only the mechanics matter."""
    torch.manual_seed(0)
    model = load_model(spec, need_weights=False, num_classes=10, normalization="none")
    torch.save({"state_dict": model.net.state_dict()}, path)
    return Teacher(spec, path, model.eval(), float("nan"))


def train_digits_teacher(path: Path, spec: str = "resnet8_cifar", epochs: int = 10) -> Teacher:
    """Train ``spec`` on the digits train split (seeded; resnet8_cifar: ~15 s on 2 cores, ~97 % test accuracy)
    and save its state_dict at ``path``."""
    from synthkd.digits import train_teacher

    torch.manual_seed(0)
    model = load_model(spec, need_weights=False, num_classes=10, normalization="none")
    result = train_teacher(model, epochs=epochs)
    torch.save({"state_dict": model.net.state_dict()}, path)
    return Teacher(spec, path, model, result.test_accuracy)
