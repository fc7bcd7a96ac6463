"""Shared fixtures: a real headless EGL context (Mesa llvmpipe on CI) and the test shader folders."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch

from synthkd.shaders.gl import create_context
from synthkd.shaders.render import TileRenderer

TESTS = Path(__file__).resolve().parent
MODES = TESTS / "shaders" / "modes"  # one small shader per TwiGL mode (and Shadertoy)
BAD = TESTS / "shaders" / "bad"  # shaders each filter or check must catch


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    """Shader-check verdicts are cached per machine; tests start from an empty cache of their own."""
    mp = pytest.MonkeyPatch()
    mp.setenv("SYNTHKD_CACHE_DIR", str(tmp_path_factory.mktemp("synthkd-cache")))
    yield
    mp.undo()


@pytest.fixture(scope="session")
def ctx():
    return create_context("egl")


@pytest.fixture(scope="session")
def renderer(ctx):
    return TileRenderer(ctx, 32)


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
    model: torch.nn.Module  # the loaded Classifier, eval mode, [0, 1] inputs
    test_accuracy: float


@pytest.fixture(scope="session")
def digits_teacher(tmp_path_factory) -> Teacher:
    """resnet8_cifar trained for 10 epochs on the digits train split (~15 s on 2 cores, ~97 % test accuracy)."""
    from synthkd.core.models import load_model
    from synthkd.digits import train_teacher

    path = tmp_path_factory.mktemp("teacher") / "digits_resnet8.pt"
    reuse = os.environ.get("SYNTHKD_DEV_TEACHER")  # developers only: a file this fixture saved before
    if reuse:
        shutil.copy(reuse, path)
        model = load_model("resnet8_cifar", str(path), num_classes=10, normalization="none")
        return Teacher("resnet8_cifar", path, model, torch.load(path)["test_accuracy"])
    torch.manual_seed(0)
    model = load_model("resnet8_cifar", need_weights=False, num_classes=10, normalization="none")
    result = train_teacher(model, epochs=10)
    torch.save({"state_dict": model.net.state_dict(), "test_accuracy": result.test_accuracy}, path)
    return Teacher("resnet8_cifar", path, model, result.test_accuracy)
