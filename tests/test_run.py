"""synthkd run: a whole run within its budget on a stand-in clock and rates, replayed bit for bit, resumed after a
kill in each stage, the budget's floor and its refusal; bad input first."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace

import numpy as np
import pytest
import torch
from PIL import Image

from synthkd import measure as measure_module
from synthkd import run as run_module
from synthkd.budget import (
    CHUNK,
    DARK_ABOVE,
    FLOOR_DK,
    KNEE,
    PASSES,
    PROBE_BELOW,
    READS_COLOUR_BELOW,
    RESERVE,
    auto_lever,
    floor_seconds,
    probes,
    run_lever,
    size_run,
)
from synthkd.cli import main as synthkd_main
from synthkd.core.dataset import open_dataset
from synthkd.core.models import num_classes_of
from synthkd.core.runtime import measure_rate
from synthkd.core.steer import dark_gain, gray_agreement
from synthkd.core.tensors import predict
from synthkd.distill.sources import source_of, source_settings
from synthkd.measure import GRAY_SAMPLE, grid_measures
from synthkd.natural import NATURAL
from synthkd.plan import plan_run
from synthkd.run import RunSettings, run
from synthkd.teacher import PANEL
from tests.helpers import ROOT, SLOW_RATES, FakeClock, chunk_bytes, fixed_rates, run_cli

RATES = fixed_rates()  # this machine as the tests see it: 1,000 training, 5,000 rendered, 2,000 labelled images/s


@pytest.fixture(scope="module")
def timed_run(random_teacher, tmp_path_factory):
    """A one-minute run of Leaves on a clock that moves 1 s per reading (a rendered chunk, or half a training
    step), with one training thread so that it can be replayed."""
    out = tmp_path_factory.mktemp("timed") / "run"
    settings = RunSettings(teacher=random_teacher.settings, out=out, minutes=1.0, source="leaves", threads=1,
                           quiet=True)
    clock = FakeClock(1.0)
    record = run(settings, clock=clock, measure=RATES)
    return settings, out, record, json.loads((out / "summary.json").read_text())


def test_a_run_ends_within_its_budget(timed_run):
    _, out, record, summary = timed_run
    plan = json.loads((out / "plan.json").read_text())
    assert 0.95 * 60 <= summary["seconds"]["total"] <= 1.05 * 60  # on the stand-in clock: what the deadlines do
    training = plan["training"]
    assert training["seconds"] >= training["allotted_seconds"] and training["steps"] == record["steps"] > 5
    assert plan["ds_images"] <= plan["ds_cap"] and plan["dk_images"] == max(FLOOR_DK, plan["ds_images"] // 2)
    assert plan["measured"]["train_images_per_s"] == 1000 and not plan["steer"] and plan["why"]
    assert record["agreement"] is not None and (out / "report.html").stat().st_size > 1000


def test_the_same_command_again_resumes_a_finished_run(timed_run):
    settings, out, record, _ = timed_run
    assert run(settings, clock=FakeClock(1.0), measure=lambda *_: pytest.fail("measured again")) == record


def test_replay_repeats_the_run_bit_for_bit(timed_run, tmp_path, capsys):
    _, out, record, _ = timed_run
    args = ["run", "--replay", out / "plan.json", "--out", tmp_path / "again", "--threads", 1, "--quiet"]
    assert run_cli(synthkd_main, *args) == 0
    again = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert again["steps"] == record["steps"] and again["agreement"] == record["agreement"]
    assert chunk_bytes(tmp_path / "again" / "dk") == chunk_bytes(out / "dk")
    a = torch.load(out / "student" / "student.pt", weights_only=True)["state_dict"]
    b = torch.load(tmp_path / "again" / "student" / "student.pt", weights_only=True)["state_dict"]
    assert all(torch.equal(a[k], b[k]) for k in a)
    plan = json.loads((tmp_path / "again" / "plan.json").read_text())
    assert plan["replay_of"] == str(out / "plan.json") and plan["training"]["points"] == \
        json.loads((out / "plan.json").read_text())["training"]["points"]


def test_the_budget_shrinks_the_run_down_to_a_floor():
    rates = RATES()
    sizes = [size_run(seconds, rates, False, 0, 10) for seconds in (600, 120, 30, 10, 5, 3)]
    full, mid, short = sizes[0], sizes[1], sizes[3]
    assert full["passes"] == PASSES and full["dk_images"] > KNEE and full["chunk_size"] == 1024
    assert short["passes"] < PASSES and FLOOR_DK <= short["dk_images"] < KNEE and short["chunk_size"] == 256
    assert [s["dk_images"] for s in sizes if s] == sorted([s["dk_images"] for s in sizes if s], reverse=True)
    assert sizes[-1] is None and mid["dk_images"] > short["dk_images"]  # 3 s: below the floor


def test_probing_is_paid_for_with_fewer_rendered_images():
    rates = RATES()
    plain, probed = size_run(600, rates, False, 0, 10), size_run(600, rates, False, 0, 10, probe=True)
    slow = size_run(600, {**rates, "attack_images_per_s": 20.0}, False, 0, 10, probe=True)
    assert plain["dk_images"] > probed["dk_images"] > slow["dk_images"] >= FLOOR_DK
    assert probed["passes"] == plain["passes"] == PASSES  # passes over D_K and its pairs: more images a pass
    assert floor_seconds(rates, False, 0, 10, probe=True) > floor_seconds(rates, False, 0, 10)


@pytest.fixture(scope="module")
def plain_shaders() -> np.ndarray:
    """The first 256 plain shader renders at 32 px, as a run measures its teacher on them."""
    settings = source_settings("shaders", {}, n=CHUNK, size=32, seed=0, chunk_size=CHUNK, quiet=True)
    return source_of("shaders")[0].chunks(settings, None)[0](0, GRAY_SAMPLE)[0]


@pytest.mark.parametrize("teacher, reads_colour", [(NATURAL["photos"], True), (PANEL["wrn16_1"], False),
                                                   (PANEL["ink_gapcnn"], False)])
def test_graying_tells_a_teacher_that_reads_colour(plain_shaders, teacher, reads_colour):
    model = teacher.spec.load(check_size=32)
    kept = gray_agreement(model, plain_shaders, predict(model, plain_shaders))
    assert auto_lever({"gray_agreement": kept}) == ("natural" if reads_colour else "variants")
    assert kept < READS_COLOUR_BELOW - 0.15 if reads_colour else kept > READS_COLOUR_BELOW + 0.15  # with a margin


@pytest.mark.parametrize("teacher, dark", [(NATURAL["galaxy"], True), (PANEL["lenet5"], False),
                                           (PANEL["small_ink_wrn16_1"], False)])
def test_the_dark_grid_tells_a_teacher_of_mostly_black_images(plain_shaders, teacher, dark):
    model = teacher.spec.load(check_size=32)
    gain = dark_gain(model, plain_shaders, num_classes_of(model, 32), 0)
    assert auto_lever({"gray_agreement": 1.0, "dark_gain": gain}) == ("dark" if dark else "variants")
    assert gain > DARK_ABOVE + 0.05 if dark else gain < DARK_ABOVE - 0.05  # with a margin


def test_the_dark_check_is_skipped_where_the_budget_cannot_spare_it(plain_shaders):
    model, cpu = PANEL["lenet5"].spec.load(check_size=32), torch.device("cpu")
    logits = predict(model, plain_shaders)
    assert "dark_gain" in grid_measures(model, plain_shaders, logits, 32, 0, cpu)
    skipped = grid_measures(model, plain_shaders, logits, 32, 0, cpu, affordable=1000)  # 90 passes an image
    assert "dark_gain" not in skipped and auto_lever(skipped) == "variants"


@pytest.mark.parametrize("gray, dark, lever", [(0.1, 0.5, "natural"), (0.9, 0.0, "variants"), (0.9, 0.2, "dark")])
def test_steer_auto_takes_the_grid_that_suits_the_teacher(random_teacher, tmp_path, gray, dark, lever):
    settings = RunSettings(teacher=random_teacher.settings, out=tmp_path / "run", minutes=10.0, quiet=True)
    teacher, clock = random_teacher.settings.load(), FakeClock(0.0)
    rates = fixed_rates(entropy=0.5, gray=gray, dark=dark)
    plan = plan_run(settings, teacher, 10, torch.device("cpu"), 0, rates, clock(), clock)
    assert plan["steer"] and plan.get("lever", "variants") == lever and f"steer the generator ({lever})" in plan["why"]
    assert f"graying plain images keeps {gray:.0%} of its answers" in plan["why"]
    assert (f"covers its classes {'better' if lever == 'dark' else 'no better'} than variants (relative entropy "
            f"{dark:+.2f})" in plan["why"]) == (lever != "natural")
    assert plan.get("probe", False) == (lever != "dark")  # --probe auto: no pairs for a teacher of dim images
    assert plan["student"] == ("resnet8_cifar_log" if lever == "dark" else "resnet8_cifar")  # --student auto
    assert ("the student (resnet8_cifar_log) reads log intensities" in plan["why"]) == (lever == "dark")
    named = plan_run(replace(settings, student="wrn16_1"), teacher, 10, torch.device("cpu"), 0, rates, clock(), clock)
    assert named["student"] == "wrn16_1" and "log intensities" not in named["why"]  # a student asked for is kept
    dark_lever = plan_run(replace(settings, steer="dark"), teacher, 10, torch.device("cpu"), 0, rates, clock(), clock)
    assert dark_lever["student"] == "resnet8_cifar_log"  # the lever asked for by name: the same student
    slow = fixed_rates(train=200, render=2000, label=30, entropy=0.5, gray=gray, dark=dark)  # steering too dear
    dropped = plan_run(replace(settings, minutes=1.0), teacher, 10, torch.device("cpu"), 0, slow, clock(), clock)
    assert not dropped["steer"] and dropped["student"] == "resnet8_cifar"  # no dark steering, no log student
    forced = plan_run(replace(settings, steer="variants"), teacher, 10, torch.device("cpu"), 0, rates, clock(), clock)
    assert "lever" not in forced and "graying" not in forced["why"]  # a lever asked for by name is kept
    asked = plan_run(replace(settings, probe="on"), teacher, 10, torch.device("cpu"), 0, rates, clock(), clock)
    assert asked["probe"] is True
    unchecked = {k: v for k, v in rates().items() if k != "dark_gain"}  # the budget could not spare the check
    plain = plan_run(settings, teacher, 10, torch.device("cpu"), 0, lambda *_: unchecked, clock(), clock)
    assert ("the dark grid is not checked" in plain["why"]) == (lever != "natural")
    measured = {k: v for k, v in fixed_rates(entropy=0.5)().items()
                if k not in ("gray_agreement", "dark_gain")}  # as measure_machine has them without --steer auto
    off = plan_run(replace(settings, steer="off"), teacher, 10, torch.device("cpu"), 0, lambda *_: measured, clock(),
                   clock)
    assert not off["steer"] and "no steering" in off["why"]


def test_the_grid_a_run_steers_with_decides_whether_it_probes():
    dim = fixed_rates(entropy=0.5, gray=0.9, dark=0.2)()
    assert run_lever("auto", dim) == "dark" and not probes("auto", dim, "dark") and probes("on", dim, "dark")
    assert run_lever("auto", fixed_rates(entropy=0.5, gray=0.9)()) == "variants"
    assert run_lever("auto", fixed_rates(entropy=0.5, gray=0.1)()) == "natural"
    flat = fixed_rates(entropy=0.99)()  # the teacher already calls every class on plain renders
    assert run_lever("auto", flat) is None and run_lever("off", dim) is None and run_lever("natural", flat) == "natural"


@pytest.mark.parametrize("steer, timed", [("dark", False), ("variants", True)])
def test_the_measure_stage_times_the_prober_only_for_a_run_that_may_probe(tmp_path, monkeypatch, steer, timed):
    monkeypatch.setattr(measure_module, "train_images_per_s", lambda *_: 1000.0)  # a measured rate: not at issue
    settings = RunSettings(teacher=NATURAL["galaxy"].spec, out=tmp_path / "run", minutes=10.0, steer=steer,
                           quiet=True)
    teacher = settings.teacher.load(check_size=32)
    rates = measure_module.measure_machine(settings, teacher, "resnet8_cifar_log", torch.device("cpu"))
    assert rates["plain_relative_entropy"] < PROBE_BELOW  # --probe auto probes this teacher unless it steers dark
    assert ("attack_images_per_s" in rates) == timed


def test_a_probing_run_trains_on_boundary_pairs_within_its_budget(random_teacher, tmp_path):
    out = tmp_path / "run"
    settings = RunSettings(teacher=random_teacher.settings, out=out, minutes=1.0, source="leaves", probe="on",
                           threads=1, quiet=True)
    record = run(settings, clock=FakeClock(1.0), measure=SLOW_RATES)
    plan, summary = (json.loads((out / name).read_text()) for name in ("plan.json", "summary.json"))
    assert plan["probe"] is True and "25% of D_K probed for boundary pairs" in plan["why"]
    assert 0.95 * 60 <= summary["seconds"]["total"] <= 1.05 * 60
    kinds = open_dataset(out / "dk").column("kind")
    assert abs(record["pairs_tried"] - 0.25 * plan["dk_images"]) <= 2 and record["pairs_valid"] > 0
    assert all(0 < kinds.count(k) <= record["pairs_valid"] for k in ("pre", "post"))  # less any lost to rounding
    assert record["train_images"] > plan["dk_images"]


def test_a_budget_below_the_floor_is_refused_with_the_minutes_that_would_do(random_teacher, tmp_path, monkeypatch,
                                                                             capsys):
    monkeypatch.setattr(run_module, "measure_machine", fixed_rates(train=20, render=200, label=100))
    args = ["run", *random_teacher.args, "--out", tmp_path / "run", "--source", "leaves", "--quiet"]
    assert run_cli(synthkd_main, *args, "--minutes", "0.5") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--minutes 0.5 is too short" in err and "D_K of 512 images, 5 passes" in err
    need = float(err.split("give --minutes ")[1].split()[0])
    assert not (tmp_path / "run" / "plan.json").exists()
    slow = fixed_rates(train=20, render=200, label=100)()
    floor = RESERVE + floor_seconds(slow, False, 0, 10)
    assert floor / 60 <= need <= floor / 60 + 0.2  # the floor, the seconds measuring took, rounded up
    assert size_run(need * 60 - RESERVE, slow, False, 0, 10)["dk_images"] >= FLOOR_DK  # the minutes it names do
    assert size_run(floor - RESERVE - 1, slow, False, 0, 10) is None


KILLABLE = """
import sys
from pathlib import Path
from synthkd.core.models import TeacherSpec
from synthkd.run import RunSettings, run
from synthkd.teacher import PANEL
from tests.helpers import FakeClock, fixed_rates
teacher = TeacherSpec(name="resnet8_cifar", weights=sys.argv[2], normalization="none")
run(RunSettings(teacher=teacher, out=Path(sys.argv[1]), minutes=1.0, source="leaves", quiet=True),
    clock=FakeClock(0.5), measure=fixed_rates(train=250))
"""


@pytest.mark.slow
def test_a_run_killed_in_each_stage_resumes(random_teacher, tmp_path):
    """A run (on the stand-in clock and rates) SIGKILLed while rendering, while labelling and while training; the
    same command again each time, then once more to the end. What was made before a kill is kept."""
    out = tmp_path / "run"
    cmd = [sys.executable, "-c", KILLABLE, str(out), str(random_teacher.weights)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def start_and_kill(ready) -> None:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 240
        while not ready() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        assert proc.poll() is None, "the run ended before the stage to kill it in"
        proc.send_signal(signal.SIGKILL)
        proc.wait()

    start_and_kill(lambda: len(list((out / "data" / "chunks").glob("*.json"))) >= 2)
    made = chunk_bytes(out / "data")
    start_and_kill(lambda: any((out / "dk" / "predictions").glob("*")))
    assert {k: v for k, v in chunk_bytes(out / "data").items() if k in made} == made  # kept, not made again
    plan = json.loads((out / "plan.json").read_text())
    assert "ds_images" in plan and "training" not in plan  # the data stage is recorded, training not begun
    start_and_kill(lambda: (out / "student" / "checkpoint.pt").is_file())
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    plan = json.loads((out / "plan.json").read_text())
    assert plan["training"]["steps"] > 0 and (out / "student" / "student.pt").is_file()
    assert len(open_dataset(out / "dk")) >= plan["dk_images"] and (out / "report.html").is_file()


def eval_folder(root, classes):
    for c in classes:
        (root / str(c)).mkdir(parents=True)
        Image.new("RGB", (32, 32)).save(root / str(c) / "a.png")
    return root


@pytest.mark.parametrize("case, message", [
    ("minutes", "--minutes must be a number of minutes above 0"),
    ("infinite", "--minutes must be a number of minutes above 0"),
    ("eval", "class folder 12, the teacher has only 10 classes"),
    ("classes", "has 10 classes"),
    ("foreign", "is not empty and holds no plan.json"),
    ("no-teacher", "give --teacher SPEC (or --replay PLAN)"),
    ("replay-and-teacher", "--replay repeats the recorded run's own settings: drop --teacher"),
    ("plan", "is not a run's plan"),
])
def test_bad_input_is_one_line_before_any_work(random_teacher, tmp_path, capsys, case, message):
    args = ["run", *random_teacher.args, "--out", tmp_path / "run", "--source", "leaves", "--quiet"]
    if case == "minutes":
        args += ["--minutes", "-1"]
    elif case == "infinite":
        args += ["--minutes", "inf"]
    elif case == "eval":
        args += ["--eval", eval_folder(tmp_path / "eval", [0, 12])]
    elif case == "classes":
        args += ["--num-classes", "7"]
    elif case == "no-teacher":
        args = ["run", "--out", tmp_path / "run"]
    elif case == "replay-and-teacher":
        args += ["--replay", tmp_path / "plan.json"]
    elif case == "plan":
        (tmp_path / "run").mkdir()
        (tmp_path / "run" / "plan.json").write_text("[]")
    else:
        (tmp_path / "run").mkdir()
        (tmp_path / "run" / "notes.txt").write_text("mine")
    assert run_cli(synthkd_main, *args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    if case != "plan":
        assert not (tmp_path / "run" / "plan.json").exists()


def test_a_rate_is_timed_for_at_most_its_limit():
    now = [0.0]
    durations = iter([30.0, 60.0, 30.0, 60.0, 30.0, 60.0])  # windows that never agree

    def work() -> int:
        now[0] += next(durations)
        return 1

    assert measure_rate(work, warmup=1, clock=lambda: now[0], limit=20.0) == 1 / 60.0
    assert now[0] == 90.0  # the warm-up call and one window: past the limit, no more calls
