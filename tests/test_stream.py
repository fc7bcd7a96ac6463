"""Streaming D_K: windows are balanced by the teacher as the balancer does it, a seed gives the same run, and a
run stopped or killed mid-stream resumes at the same place in the stream to the same student."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from synthkd.core.classes import histogram
from synthkd.core.steer import MIN_GROUPS, pilot_floor
from synthkd.distill.cli import main
from synthkd.distill.settings import DistillSettings
from synthkd.distill.stream import CHUNK, StreamSettings, make_window, source_chunks, window_batches, window_chunks
from synthkd.distill.train import distill
from tests.helpers import ROOT, run_cli

STREAM = StreamSettings(source="leaves", window=128, overshoot=1.5, reuse=1, size=16)


def stream_config(teacher, out, **changes) -> DistillSettings:
    settings = dict(teacher=teacher.settings, student="resnet8_cifar", stream=STREAM, out=out, epochs=2,
                    batch_size=32, holdout=0.1, workers=0, amp="none", threads=1, quiet=True)
    return DistillSettings(**{**settings, **changes})


def weights(out) -> dict[str, torch.Tensor]:
    return torch.load(out / "student.pt", weights_only=True)["state_dict"]


def test_a_window_is_balanced_by_the_teacher(random_teacher):
    make = source_chunks(STREAM, 0)[0]
    window = make_window(STREAM, make, random_teacher.model, 10, seed=0, window=0)
    counts = histogram(window.labels, 10)
    present = counts > 0
    assert len(window.images) == 128 and window.images.dtype == torch.uint8
    assert counts[present].max() - counts[present].min() <= 1  # every predicted class equally often
    assert window.counts["candidates"] == 192 and window.counts["classes_present"] == int(present.sum())
    again = make_window(STREAM, make, random_teacher.model, 10, seed=0, window=0)
    assert torch.equal(again.images, window.images)
    other = make_window(STREAM, make, random_teacher.model, 10, seed=0, window=1)
    assert not torch.equal(other.images, window.images)


def test_windows_and_ranks_draw_different_chunks():
    seen = [set(window_chunks(STREAM, w, r, 2)) for w in (-1, 0, 1) for r in (0, 1)]
    assert sum(len(s) for s in seen) == len(set().union(*seen))
    batches = window_batches(100, 32, 2, seed=0, window=0)
    assert len(batches) == 6 and all(len(b) == 32 for b in batches)


def test_a_small_window_renders_only_its_candidates():
    """A window needing fewer candidates than a chunk renders chunks of that many (not below a pilot's worth)."""
    assert STREAM.chunk == 192 and STREAM.chunks_per_window == 1
    assert StreamSettings(source="leaves").chunk == CHUNK and StreamSettings(source="leaves").chunks_per_window == 20
    assert StreamSettings(source="leaves", window=10, overshoot=1.0).chunk == pilot_floor(MIN_GROUPS)


def children(pid: int) -> list[int]:
    """Live processes whose parent is ``pid`` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.slow
def test_killed_stream_resumes_to_the_same_student(random_teacher, tmp_path, capsys):
    """The command SIGKILLed once its first checkpoint is on disk: its stream process ends by itself, and the
    run resumed with --resume (its stream started again at the second window) reaches the student an
    uninterrupted run of the same seed gives. Steered, so the plan is the same each time."""
    steered = replace(STREAM, steer="variants")
    distill(stream_config(random_teacher, tmp_path / "whole", stream=steered))
    out = tmp_path / "killed"
    args = [*random_teacher.args, "--student", "resnet8_cifar", "--stream", "leaves", "--stream-window", "128",
            "--stream-overshoot", "1.5", "--stream-reuse", "1", "--stream-size", "16", "--stream-steer", "variants",
            "--out", str(out), "--epochs", "2", "--batch-size", "32", "--holdout", "0.1", "--workers", "0",
            "--amp", "none", "--threads", "1", "--quiet"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "synthkd.distill.cli", *args], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while not (out / "checkpoint.pt").exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.01)
    producers = children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert (out / "checkpoint.pt").exists() and not (out / "student.pt").exists()
    assert producers, "the stream's background process was not running"
    deadline = time.monotonic() + 30
    while any(alive(p) for p in producers) and time.monotonic() < deadline:
        time.sleep(0.1)
    survivors = [(Path("/proc") / str(p) / "cmdline").read_bytes().replace(b"\0", b" ")[:200]
                 for p in producers if alive(p)]
    assert not survivors, f"processes of the killed run still alive: {survivors}"
    assert run_cli(main, *args, "--resume") == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["epochs"] == 2 and summary["data"] == "stream:leaves" and summary["train_images"] == 2 * 128
    for key, value in weights(tmp_path / "whole").items():
        assert torch.equal(value, weights(out)[key]), key


@pytest.mark.slow
def test_probed_windows_keep_the_steps_per_epoch(random_teacher, tmp_path):
    """Boundary pairs join a window's images but not its step count: every epoch has the steps of a window."""
    summary = distill(stream_config(random_teacher, tmp_path / "p", stream=replace(STREAM, probe=0.25)))
    history = [json.loads(line) for line in (tmp_path / "p" / "metrics.jsonl").read_text().splitlines()]
    assert [m["epoch"] for m in history] == [1, 2] and summary["train_images"] == 2 * 128
    assert all(m["window"]["pairs_tried"] == 32 for m in history)


@pytest.mark.parametrize("args, message", [
    ([], "give --data DIR or --stream SOURCE"),
    (["--stream", "leaves", "--data", "somewhere"], "give --data DIR or --stream SOURCE"),
    (["--stream", "leaves", "--stream-overshoot", "0.5"], "--stream-overshoot must be at least 1"),
    (["--stream", "clouds"], "unknown source 'clouds': choose one of shaders, leaves, noise, images:DIR, or mix"),
])
def test_bad_stream_input_is_one_line(random_teacher, tmp_path, capsys, args, message):
    from synthkd.distill.cli import main

    assert run_cli(main, *random_teacher.args, "--out", tmp_path / "run", *args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "run").exists()
