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


def load_teacher(path: Path, spec: str = "resnet8_cifar") -> Teacher:
    """A digits teacher that :func:`train_digits_teacher` saved at ``path``, with its test accuracy."""
    from synthkd.core.tensors import accuracy
    from synthkd.digits import digits

    model = load_model(spec, str(path), num_classes=10, normalization="none").eval()
    return Teacher(spec, path, model, accuracy(model, *digits("test")))


class FakeClock:
    """A clock for tests that stands in for the machine's speed: every reading moves it on by ``tick(n)`` seconds
    (``n``: how many readings came before), so a run's deadlines fall after a known amount of work, whatever this
    machine is doing. A slow-down is a tick that grows, a speed-up one that shrinks."""

    def __init__(self, tick=0.05):
        self.tick = tick if callable(tick) else (lambda n, t=tick: t)
        self.now, self.reads = 1000.0, 0

    def __call__(self) -> float:
        self.now += self.tick(self.reads)
        self.reads += 1
        return self.now


def fixed_rates(train: float = 1000.0, render: float = 5000.0, label: float = 2000.0, entropy: float = 1.0,
                attack: float = 200.0, gray: float = 1.0, dark: float = 0.0):
    """A stand-in for synthkd.run.measure_machine: this machine's rates as a test wants them (``gray``: the share
    of the teacher's answers that graying keeps; ``dark``: how much better the dark grid covers its classes)."""
    return lambda *_: {"train_images_per_s": train, "render_images_per_s": render, "label_images_per_s": label,
                       "plain_relative_entropy": entropy, "attack_images_per_s": attack, "gray_agreement": gray,
                       "dark_gain": dark}


# A slow machine's rates, for whole-run tests of the mechanics: the plan is a small D_S and D_K, so the test is short.
SLOW_RATES = fixed_rates(train=250, render=1250, label=500, attack=50)


# A student without batch norm: split over processes it computes exactly what one process computes.
TINY_NETS = '''
from torch import nn


def plain_cnn(num_classes=10):
    return nn.Sequential(nn.Conv2d(3, 8, 3, 2, 1), nn.ReLU(), nn.Conv2d(8, 16, 3, 2, 1), nn.ReLU(),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, num_classes))
'''


def make_tiny(root: Path) -> Path:
    """A random-weight resnet8_cifar teacher, a module with a BN-free student, and 64 smooth random images."""
    import numpy as np
    from PIL import Image

    from synthkd.core.models import build_model
    from synthkd.core.writer import DatasetWriter

    torch.manual_seed(0)
    teacher = build_model("resnet8_cifar", 10)
    teacher.fc.weight.data *= 30  # confident enough to give the student something to learn
    torch.save({"state_dict": teacher.state_dict()}, root / "teacher.pt")
    (root / "tinynets.py").write_text(TINY_NETS)
    rng = np.random.default_rng(0)
    small = rng.integers(0, 256, (64, 8, 8, 3)).astype(np.uint8)
    images = np.stack([np.asarray(Image.fromarray(im).resize((32, 32), Image.BILINEAR)) for im in small])
    writer = DatasetWriter(root / "data", {"generator": "test", "total": 64, "image_size": 32, "seed": 0,
                                           "chunk_size": 40, "settings": {}})
    writer.write_chunk(0, images[:40], {}, {})
    writer.write_chunk(1, images[40:], {}, {})
    writer.finish()
    return root


def tiny_config(root: Path, out: Path, **changes):
    """A distill run of the tiny set-up (:func:`make_tiny`): 3 epochs of 3 steps, one thread."""
    from synthkd.distill.settings import DistillSettings

    settings = dict(teacher=TeacherSpec(name="resnet8_cifar", weights=str(root / "teacher.pt")),
                    student="resnet8_cifar", data=root / "data", out=out, epochs=3, batch_size=16, holdout=0.25,
                    workers=0, threads=1, quiet=True)
    return DistillSettings(**{**settings, **changes})


def tiny_args(root: Path, out: Path) -> list[str]:
    """tiny_config(root, out) as command-line arguments."""
    return ["--teacher", "resnet8_cifar", "--weights", str(root / "teacher.pt"), "--student", "resnet8_cifar",
            "--data", str(root / "data"), "--out", str(out), "--epochs", "3", "--batch-size", "16",
            "--holdout", "0.25", "--workers", "0", "--threads", "1", "--quiet"]


def history(out: Path) -> list[dict]:
    """A distill run's metrics, one dict per epoch."""
    import json

    return [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]


def weights(out: Path) -> dict[str, torch.Tensor]:
    return torch.load(out / "student.pt", weights_only=True)["state_dict"]


def same_run(a: Path, b: Path) -> None:
    """Bit-identical students (batch-norm buffers included) and the same metrics, timings aside."""
    for key, value in weights(a).items():
        assert torch.equal(value, weights(b)[key]), key
    drop = ("seconds", "images_per_s")
    assert [{k: v for k, v in m.items() if k not in drop} for m in history(a)] == \
           [{k: v for k, v in m.items() if k not in drop} for m in history(b)]
