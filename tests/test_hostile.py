"""Hostile and careless input: no code runs from a data file, no memory blow-up, no silently wrong evaluation, every
fault one line. One test per defect found by trying the tools as a hostile but realistic user would."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from synthkd.cli import main as synthkd_main
from synthkd.core.dataset import HEADER
from synthkd.core.pictures import rgb8
from synthkd.distill.checks import load_image_folder
from synthkd.distill.cli import main as distill_main
from synthkd.probe.cli import main as probe_main
from synthkd.procgen.cli import render_noise_main
from synthkd.run import RunSettings, run
from tests.helpers import ROOT, FakeClock, fixed_rates, run_cli
from tests.test_faults import NOISE32, one_line, teacher_run_args
from tests.test_stream import children

SUBPROCESS_ENV = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}


@pytest.fixture
def noise32(tmp_path) -> Path:
    """64 noise images of 32 px in two chunks."""
    assert run_cli(render_noise_main, *NOISE32, "--out", tmp_path / "ds") == 0
    return tmp_path / "ds"


def wait_for(ready, proc: subprocess.Popen, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while not ready() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None and ready(), "the command ended, or never got there"


# 1. A request far beyond the machine is refused, with its estimate, before any work.
def test_a_request_that_cannot_fit_is_refused_with_its_estimate(noise32, tmp_path, capsys, random_teacher):
    out = tmp_path / "dk"
    args = ["--data", noise32, "--out", out, *random_teacher.args, "--attack", "none", "--quiet"]
    assert run_cli(probe_main, *args, "--total", 10**10) == 2
    err = one_line(capsys.readouterr().err, "probe")
    assert "probe --total 10000000000 needs about" in err and "GiB" in err
    assert not out.exists()  # nothing made, not even the folder
    assert run_cli(render_noise_main, "--n", 10**13, "--size", 64, "--out", tmp_path / "big", "--quiet") == 2
    assert "--n 10000000000000 at --size 64" in one_line(capsys.readouterr().err, "render-noise")


# 2. A planted checkpoint cannot run code: checkpoints are read as data.
class Planted:
    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return Path.touch, (self.marker,)


def test_a_planted_checkpoint_runs_no_code(noise32, tmp_path, capsys, random_teacher):
    run_dir, marker = tmp_path / "run", tmp_path / "pwned"
    run_dir.mkdir()
    torch.save({"settings": Planted(marker)}, run_dir / "checkpoint.pt")
    assert run_cli(distill_main, *teacher_run_args(random_teacher, noise32, run_dir, "--resume")) == 1
    assert "checkpoint.pt: it is damaged or not a checkpoint" in one_line(capsys.readouterr().err, "distill")
    assert not marker.exists()


# 3. Every image mode of an --eval folder is read with its range kept: 16-bit images are not clipped.
@pytest.mark.parametrize("mode", ["1", "L", "LA", "P", "RGB", "RGBA", "I;16", "I", "F"])
def test_every_image_mode_reads_as_its_8_bit_picture(mode):
    grey = np.arange(256, dtype=np.uint8).reshape(16, 16)
    if mode == "1":
        image, want = Image.fromarray(grey >= 128), np.where(grey >= 128, 255, 0)
    elif mode in ("L", "LA", "P", "RGB", "RGBA"):
        image, want = Image.fromarray(grey).convert(mode), grey
    elif mode in ("I;16", "I"):
        image, want = Image.fromarray(grey.astype(np.uint16) * 257).convert(mode), grey
    else:
        image, want = Image.fromarray(grey.astype(np.float32) / 255), grey
    got = np.asarray(rgb8(image))
    assert got.dtype == np.uint8 and got.shape == (16, 16, 3)
    assert np.abs(got.astype(int) - np.asarray(want)[..., None]).max() <= 1, mode


def write_eval(root: Path, images: np.ndarray, labels: np.ndarray, bits16: bool = False) -> Path:
    for i, (image, label) in enumerate(zip(images, labels, strict=True)):
        (root / str(label)).mkdir(parents=True, exist_ok=True)
        grey = image.mean(2).round().astype(np.uint16)
        Image.fromarray(grey * 257 if bits16 else grey.astype(np.uint8)).save(root / str(label) / f"{i}.png")
    return root


def test_a_16_bit_eval_folder_scores_as_its_8_bit_copy(tmp_path):
    from synthkd.digits import digits

    images, labels = digits("test")
    a, la = load_image_folder(write_eval(tmp_path / "8", images[:40], labels[:40]), 32, 10)
    b, lb = load_image_folder(write_eval(tmp_path / "16", images[:40], labels[:40], bits16=True), 32, 10)
    assert torch.equal(la, lb) and (a.int() - b.int()).abs().max() <= 1


# 4. A hidden folder or file in --eval is not a class.
def test_hidden_folders_and_files_in_an_eval_folder_are_ignored(tmp_path):
    root = tmp_path / "eval"
    for c in range(3):
        (root / str(c)).mkdir(parents=True)
        Image.new("RGB", (32, 32), (c * 80,) * 3).save(root / str(c) / "a.png")
    before = load_image_folder(root, 32, 10)
    (root / ".ipynb_checkpoints").mkdir()
    (root / ".DS_Store").write_bytes(b"\0\1")
    (root / "1" / ".hidden.png").write_bytes(b"not an image")
    (root / "2" / ".ipynb_checkpoints").mkdir()
    Image.new("RGB", (32, 32)).save(root / "2" / ".ipynb_checkpoints" / "a-checkpoint.png")
    after = load_image_folder(root, 32, 10)
    assert torch.equal(before[0], after[0]) and torch.equal(before[1], after[1])
    named = tmp_path / "named"  # folder names that are not numbers: sorted, hidden ones not counted
    for name in ("cat", "dog", ".ipynb_checkpoints"):
        (named / name).mkdir(parents=True)
        Image.new("RGB", (32, 32)).save(named / name / "a.png")
    assert load_image_folder(named, 32, 2)[1].tolist() == [0, 1]


# 5. A run is known by what it is, not by the spelling of its paths: relative, absolute, moved.
class KillOnceWritten(FakeClock):
    """The stand-in clock, and a kill (a KeyboardInterrupt) at its first reading after ``path`` exists."""

    def __init__(self, tick: float, path: Path):
        super().__init__(tick)
        self.path = path

    def __call__(self) -> float:
        if self.path.is_file():
            raise KeyboardInterrupt
        return super().__call__()


def test_a_run_resumes_whatever_its_paths_spelling_and_after_a_move(random_teacher, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "eval" / "0").mkdir(parents=True)
    Image.new("RGB", (32, 32)).save(tmp_path / "eval" / "0" / "a.png")

    def settings(out, eval_dir) -> RunSettings:
        return RunSettings(teacher=random_teacher.settings, out=out, minutes=1.0, source="leaves",
                           eval_dir=eval_dir, threads=1, quiet=True)

    checkpoint = tmp_path / "run" / "student" / "checkpoint.pt"
    with pytest.raises(KeyboardInterrupt):  # killed in training: its checkpoint and plan are on disk
        run(settings(Path("run"), Path("eval")), clock=KillOnceWritten(1.0, checkpoint), measure=fixed_rates())
    assert not (tmp_path / "run" / "summary.json").exists()
    shutil.move(tmp_path / "run", tmp_path / "moved")
    shutil.move(tmp_path / "eval", tmp_path / "moved-eval")
    record = run(settings(tmp_path / "moved", (tmp_path / "moved-eval").resolve()), clock=FakeClock(1.0),
                 measure=lambda *_: pytest.fail("the plan is followed, not made again"))
    assert record["student_top1"] is not None and (tmp_path / "moved" / "report.html").is_file()
    again = run(settings(Path("moved"), Path("moved-eval")), clock=FakeClock(1.0))  # finished: as it is
    assert {k: v for k, v in again.items() if k != "report"} == {k: v for k, v in record.items() if k != "report"}


# 6. A DataLoader worker killed with SIGKILL ends the run with one line that says how to continue.
@pytest.mark.slow
def test_a_killed_dataloader_worker_is_one_line(noise32, tmp_path, random_teacher):
    run_dir = tmp_path / "run"
    args = [str(a) for a in teacher_run_args(random_teacher, noise32, run_dir, "--workers", "1")]
    args[args.index("--epochs") + 1] = "500"
    proc = subprocess.Popen([sys.executable, "-m", "synthkd.distill.cli", *args], env=SUBPROCESS_ENV,
                            stderr=subprocess.PIPE, text=True)
    wait_for(lambda: (run_dir / "checkpoint.pt").is_file(), proc)
    workers = children(proc.pid)
    assert workers, "no DataLoader worker found"
    os.kill(workers[0], signal.SIGKILL)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert "a DataLoader worker died" in one_line(err, "distill") and "--resume" in err


# 7. A program exported for a fixed batch size is refused before any work.
def test_a_fixed_batch_export_is_refused_before_any_work(noise32, tmp_path, capsys):
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(3 * 32 * 32, 10)).eval()
    program = tmp_path / "fixed.pt2"
    torch.export.save(torch.export.export(net, (torch.rand(2, 3, 32, 32),)), str(program))
    out = tmp_path / "dk"
    assert run_cli(probe_main, "--data", noise32, "--out", out, "--teacher", program, "--attack", "none") == 2
    assert "fixed batch size" in one_line(capsys.readouterr().err, "probe")
    assert not out.exists()


# 8. An infinite budget is bad input.
def test_an_infinite_budget_is_one_line(tmp_path, capsys, random_teacher):
    args = ["run", *random_teacher.args, "--out", tmp_path / "run", "--minutes", "inf"]
    assert run_cli(synthkd_main, *args) == 2
    assert "--minutes must be a number of minutes above 0" in one_line(capsys.readouterr().err, "synthkd")


# 9. A damaged plan.json is one line.
@pytest.mark.parametrize("text, status, says", [
    ('{"settings": {', 1, "is not valid JSON"), ("[]", 2, "is not a run's plan"),
    ('{"settings": {}, "why": "", "measured": {"train_images_per_s": 0}}', 1,
     "measured must be rates, each a number above 0"),
    ('{"settings": {}, "why": "", "student": "s", "steer": false, "budget_seconds": 60, "chunk_size": 256, '
     '"ds_cap": 1024, "checks": 0, "seconds": {"measure": 1}, "planned": {"passes": 5}, "probe": true, '
     '"measured": {"train_images_per_s": 1, "render_images_per_s": 1, "label_images_per_s": 1}}', 1,
     "attack_images_per_s, a number above 0, for a run that probes"),
])
def test_a_damaged_plan_is_one_line(tmp_path, capsys, random_teacher, text, status, says):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "plan.json").write_text(text)
    assert run_cli(synthkd_main, "run", *random_teacher.args, "--out", tmp_path / "run") == status
    assert says in one_line(capsys.readouterr().err, "synthkd")


# 10 and 11. A header whose numbers are damaged (chunk size 0, a count of 10^12) is one line, at once.
@pytest.mark.parametrize("key, value, says", [
    ("chunk_size", 0, "chunk_size must be a whole number of at least 1"),
    ("total", 10**12, "it counts 31250000000 chunks"), ("count", "many", "count must be a whole number"),
])
def test_a_damaged_header_is_one_line_at_once(noise32, tmp_path, capsys, random_teacher, key, value, says):
    header = json.loads((noise32 / HEADER).read_text())
    (noise32 / HEADER).write_text(json.dumps({**header, key: value}))
    for command in (["info", noise32], ["verify", noise32]):
        clock = time.monotonic()
        assert run_cli(synthkd_main, *command) == 1
        assert says in one_line(capsys.readouterr().err, "synthkd") and time.monotonic() - clock < 30
    assert run_cli(probe_main, "--data", noise32, "--out", tmp_path / "dk", *random_teacher.args) == 1
    assert says in one_line(capsys.readouterr().err, "probe")


# 12. Ctrl-C and SIGTERM say the exact command that continues, and that command does.
@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_stopped_distill_names_the_command_that_continues_it(noise32, tmp_path, random_teacher, sig):
    run_dir = tmp_path / "run"
    args = [str(a) for a in teacher_run_args(random_teacher, noise32, run_dir)]
    args[args.index("--epochs") + 1] = "6"
    args[args.index("--batch-size") + 1] = "2"  # 32 steps an epoch: still running well after the first checkpoint
    # As from a terminal: a process started where SIGINT is ignored (a test worker, a shell's background job)
    # inherits that, and Python then leaves Ctrl-C ignored.
    proc = subprocess.Popen([sys.executable, "-m", "synthkd.distill.cli", *args], env=SUBPROCESS_ENV,
                            stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    wait_for(lambda: (run_dir / "checkpoint.pt").is_file(), proc)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == (130 if sig == signal.SIGINT else 143), err
    assert err.count("\n") == 1 and "to continue where it stopped, run: distill " in err, err
    command = shlex.split(err.split("run: ", 1)[1])
    assert command[0] == "distill" and command[-1] == "--resume"
    assert not list(run_dir.glob(".*.tmp"))  # nothing half-written
    done = subprocess.run([sys.executable, "-m", "synthkd.distill.cli", *command[1:]], env=SUBPROCESS_ENV,
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 0 and json.loads(done.stdout)["epochs"] == 6


# Also noticed, each as one line.
def test_a_resumed_distill_clears_a_killed_runs_temporary_files(noise32, tmp_path, random_teacher):
    from synthkd.distill.settings import DistillSettings
    from synthkd.distill.train import distill

    cfg = DistillSettings(teacher=random_teacher.settings, student="resnet8_cifar", data=noise32,
                          out=tmp_path / "run", epochs=2, batch_size=16, workers=0, quiet=True)
    assert distill(cfg, stop_after=1) is None
    (tmp_path / "run" / ".metrics.jsonl.12345.tmp").write_text("half")
    from dataclasses import replace

    distill(replace(cfg, resume=True))
    assert not list((tmp_path / "run").glob(".*.tmp"))


@pytest.mark.parametrize("case, says", [
    ("weights-dir", "is a directory, not a checkpoint file"),
    ("weights-pickle", "synthkd loads weights as data, never as code"),
    ("corrupt-pt2", "cannot load"),
    ("callable-raises", "raised ZeroDivisionError: division by zero"),
    ("dangling-out", "is a broken symbolic link"),
])
def test_careless_teachers_and_outputs_are_one_line(noise32, tmp_path, capsys, monkeypatch, random_teacher, case,
                                                    says):
    out = tmp_path / "dk"
    teacher = list(map(str, random_teacher.args))
    if case == "weights-dir":
        teacher[teacher.index("--weights") + 1] = str(tmp_path)
    elif case == "weights-pickle":
        torch.save({"state_dict": Planted(tmp_path / "pwned")}, tmp_path / "w.pt")
        teacher[teacher.index("--weights") + 1] = str(tmp_path / "w.pt")
    elif case == "corrupt-pt2":
        (tmp_path / "bad.pt2").write_bytes(b"PK\3\4 not really a program")
        teacher = ["--teacher", str(tmp_path / "bad.pt2")]
    elif case == "callable-raises":
        (tmp_path / "mymodels.py").write_text("def broken(num_classes=10):\n    return 1 / 0\n")
        monkeypatch.syspath_prepend(str(tmp_path))
        teacher = ["--teacher", "mymodels:broken", "--weights", str(random_teacher.weights)]
    else:
        out.symlink_to(tmp_path / "nowhere")
    assert run_cli(probe_main, "--data", noise32, "--out", out, *teacher, "--attack", "none", "--quiet") == 2
    err = one_line(capsys.readouterr().err, "probe")
    assert says in err and "weights_only=False" not in err and not (tmp_path / "pwned").exists()
