"""Whole distill runs: a killed run resumes to the uninterrupted result, torchrun with two CPU processes gives the
one-process loss curve, and the digits teacher's knowledge reaches a student through shader images."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from synthkd.core.dataset import open_dataset
from synthkd.core.writer import DatasetWriter
from synthkd.distill.cli import main
from synthkd.distill.settings import DistillSettings
from synthkd.distill.train import distill
from tests.helpers import history, run_cli, same_run, tiny_args, tiny_config, weights
from tests.test_distill import one_thread  # noqa: F401  (autouse fixture)

ROOT = Path(__file__).resolve().parents[1]

@pytest.fixture(scope="module")
def whole(tiny, tmp_path_factory) -> Path:
    """An uninterrupted 3-epoch run (with a DataLoader worker making the batches)."""
    out = tmp_path_factory.mktemp("whole") / "run"
    distill(tiny_config(tiny, out, workers=1))
    assert set(history(out)[0]) == {"epoch", "loss", "lr", "steps", "progress", "seconds", "images_per_s",
                                    "holdout_agreement", "effective_relative_entropy", "effective_histogram"}
    return out


def test_stopped_run_resumes_to_the_same_result(tiny, whole, tmp_path, capsys):
    """Stopped after epoch 1 (made in this process, no worker) and resumed: the uninterrupted run's result."""
    cut = tmp_path / "cut"
    assert distill(tiny_config(tiny, cut), stop_after=1) is None
    assert len(history(cut)) == 1 and not (cut / "student.pt").exists()
    assert run_cli(main, *tiny_args(tiny, cut)) == 2  # no --resume: refuses to touch the run
    assert "pass --resume" in capsys.readouterr().err
    with pytest.raises(ValueError, match="other settings.*lr"):
        distill(tiny_config(tiny, cut, resume=True, lr=0.05))
    distill(tiny_config(tiny, cut, resume=True))
    same_run(whole, cut)


def test_the_weight_average_is_what_is_saved_and_it_resumes_bit_for_bit(tiny, tmp_path):
    """--ema: the saved student is the running average of the trained weights (batch-norm buffers too), the one
    the checkpoint keeps beside the trained student; stopped after epoch 1 and resumed, the same bits."""
    def trained_and_saved(out):
        last = torch.load(out / "checkpoint.pt", weights_only=True)
        return {k.removeprefix("net."): v for k, v in last["student"].items()}, last["average"], weights(out)

    distill(tiny_config(tiny, tmp_path / "close", ema=1e-6))  # an average that all but follows the last step
    trained, _, saved = trained_and_saved(tmp_path / "close")
    assert all(torch.allclose(v, trained[k], atol=1e-4) for k, v in saved.items() if v.is_floating_point())
    distill(tiny_config(tiny, tmp_path / "ema", ema=0.5))
    trained, average, saved = trained_and_saved(tmp_path / "ema")
    assert all(torch.equal(v, average["module.net." + k]) for k, v in saved.items())
    assert not all(torch.equal(v, trained[k]) for k, v in saved.items() if v.is_floating_point())
    assert int(average["n_averaged"]) == history(tmp_path / "ema")[-1]["steps"]
    cut = tmp_path / "cut"
    assert distill(tiny_config(tiny, cut, ema=0.5), stop_after=1) is None
    with pytest.raises(ValueError, match="other settings.*ema"):
        distill(tiny_config(tiny, cut, resume=True))
    distill(tiny_config(tiny, cut, ema=0.5, resume=True))
    same_run(tmp_path / "ema", cut)


@pytest.mark.slow
def test_killed_run_resumes_to_the_same_result(tiny, whole, tmp_path, capsys):
    """The command SIGKILLed once its first checkpoint is on disk, then run again with --resume."""
    out = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "synthkd.distill.cli", *tiny_args(tiny, out)], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not (out / "checkpoint.pt").exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert (out / "checkpoint.pt").exists() and not (out / "student.pt").exists()
    assert run_cli(main, *tiny_args(tiny, out), "--resume") == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["epochs"] == 3 and summary["student_weights"] == str(out / "student.pt")
    same_run(whole, out)


@pytest.mark.slow
def test_torchrun_two_processes_match_one(tiny, tmp_path, monkeypatch):
    """torchrun --nproc-per-node 2 (gloo on the CPU) at the same global batch: the same per-epoch losses and
    the same student as one process (a BN-free student; augmentation and mixup on; float32, since bf16 rounds
    a half batch differently from a whole one)."""
    monkeypatch.syspath_prepend(str(tiny))
    one = tmp_path / "one"
    distill(tiny_config(tiny, one, student="tinynets:plain_cnn", holdout=0.0, aug="extreme", epochs=2, amp="none"))
    two = tmp_path / "two"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tiny), str(ROOT)]), "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
           "-m", "synthkd.distill.cli", "--teacher", "resnet8_cifar", "--weights", str(tiny / "teacher.pt"),
           "--student", "tinynets:plain_cnn", "--data", str(tiny / "data"), "--out", str(two), "--epochs", "2",
           "--batch-size", "16", "--holdout", "0", "--aug", "extreme", "--workers", "0", "--amp", "none",
           "--quiet"]
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["processes"] == 2
    assert [m["loss"] for m in history(two)] == pytest.approx([m["loss"] for m in history(one)], rel=1e-4)
    for key, value in weights(one).items():
        assert torch.allclose(value, weights(two)[key], atol=1e-5), key


@pytest.mark.slow
def test_torchrun_timed_run_stops_every_process_at_one_step(tiny, tmp_path):
    """torchrun with --minutes: the processes agree on the clock (the slowest one's) and on the time the checks
    after each epoch take, so that all stop at the same step and the run ends instead of waiting on a collective."""
    out = tmp_path / "timed"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tiny), str(ROOT)]), "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
           "-m", "synthkd.distill.cli", "--teacher", "resnet8_cifar", "--weights", str(tiny / "teacher.pt"),
           "--student", "tinynets:plain_cnn", "--data", str(tiny / "data"), "--out", str(out), "--minutes", "0.05",
           "--batch-size", "16", "--workers", "0", "--quiet"]
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    schedule = json.loads((out / "schedule.json").read_text())
    assert summary["processes"] == 2 and summary["steps"] == schedule["steps"] == history(out)[-1]["steps"] >= 1


@pytest.fixture(scope="module")
def digits_dk(digits_teacher, tmp_path_factory) -> Path:
    """A small D_K for the digits teacher: 2048 shader renders, one 'high' and two 'extreme' augmentations of
    each, labelled by the teacher and drawn 100 per class (repeated where the teacher names a class less often),
    the way probe balances a D_S; and the digits test split as an ImageFolder for --eval."""
    from synthkd.core.tensors import to_uint8
    from synthkd.digits import digits
    from synthkd.distill.pipeline import Pipeline
    from synthkd.shaders.stage import ShaderDataset, render_shaders

    root = tmp_path_factory.mktemp("digits")
    render_shaders(ShaderDataset(n=2048, size=32, out=root / "shaders", quiet=True))
    shaders = to_uint8(open_dataset(root / "shaders").images()).contiguous()
    augmented = [Pipeline(level, 0.0, seed=k)(shaders, 0, 0) for k, level in enumerate(("high", "extreme", "extreme"))]
    candidates = torch.cat([shaders] + [(x * 255).round().byte() for x in augmented])
    with torch.no_grad():
        labels = torch.cat([digits_teacher.model(x.float() / 255).argmax(1) for x in candidates.split(512)]).numpy()
    rng = np.random.default_rng(0)
    pick = np.concatenate([rng.choice(np.flatnonzero(labels == c), 100, replace=(labels == c).sum() < 100)
                           for c in range(10) if (labels == c).any()])
    rng.shuffle(pick)
    writer = DatasetWriter(root / "dk", {"generator": "test-dk", "total": len(pick), "image_size": 32, "seed": 0,
                                         "chunk_size": 1024, "settings": {}})
    writer.write_chunk(0, candidates[pick].permute(0, 2, 3, 1).numpy(), {"label": labels[pick].tolist()}, {})
    writer.finish()
    for i, (image, label) in enumerate(zip(*digits("test"), strict=True)):
        (root / "test" / str(label)).mkdir(parents=True, exist_ok=True)
        Image.fromarray(image).save(root / "test" / str(label) / f"{i:04d}.png")
    return root


@pytest.mark.slow
def test_digits_knowledge_reaches_the_student(digits_teacher, digits_dk, tmp_path, capsys):
    """The digits teacher distilled through shader images only: the student, never shown a digit, classifies
    the held-out real digits well above chance (10 %). Short-run settings (the paper's heavy augmentation and
    mixup pay off over hundreds of epochs, not eight): no augmentation, most of the loss on the teacher's argmax."""
    from synthkd.core.models import load_model
    from synthkd.core.tensors import accuracy
    from synthkd.digits import digits

    out = tmp_path / "run"
    summary = distill(DistillSettings(teacher=digits_teacher.settings, student="resnet8_cifar", data=digits_dk / "dk",
                                      out=out, eval_dir=digits_dk / "test", epochs=8, batch_size=32, lr=0.05,
                                      aug="none", mixup_alpha=0.0, hard_weight=0.8, workers=0, quiet=True))
    assert summary["eval_teacher_top1"] == pytest.approx(digits_teacher.test_accuracy, abs=1e-4)
    assert summary["eval_student_top1"] >= 0.3, history(out)  # 42-54 % over seeds and teachers tried
    assert json.loads((out / "summary.json").read_text()) == summary and len(history(out)) == 8
    student = load_model("resnet8_cifar", str(out / "student.pt"), num_classes=10)
    assert accuracy(student, *digits("test")) == pytest.approx(summary["eval_student_top1"], abs=1e-4)
