"""synthkd run: a real run within its time budget, resumed, refused on a foreign directory; bad input first."""

from __future__ import annotations

import json
import time

import pytest
from PIL import Image

from synthkd.cli import main as synthkd_main
from synthkd.run import RunSettings, run
from tests.helpers import run_cli


@pytest.mark.slow
def test_a_run_keeps_to_its_budget_and_resumes(random_teacher, tmp_path):
    settings = RunSettings(teacher=random_teacher.settings, out=tmp_path / "run", minutes=1.0, source="leaves",
                           quiet=True)
    clock = time.perf_counter()
    record = run(settings)
    seconds = time.perf_counter() - clock
    assert 0.85 * 60 <= seconds <= 1.15 * 60, seconds  # the planner's promise: within 15 % of the budget
    plan = json.loads((tmp_path / "run" / "plan.json").read_text())
    assert plan["epochs"] >= 1 and plan["dk_images"] <= plan["ds_images"] and plan["why"]
    assert record["agreement"] is not None and (tmp_path / "run" / "report.html").stat().st_size > 1000
    clock = time.perf_counter()
    assert run(settings)["agreement"] == record["agreement"]  # the same command again: resumes, nothing to redo
    assert time.perf_counter() - clock < 20


def eval_folder(root, classes):
    for c in classes:
        (root / str(c)).mkdir(parents=True)
        Image.new("RGB", (32, 32)).save(root / str(c) / "a.png")
    return root


@pytest.mark.parametrize("case, message", [
    ("minutes", "--minutes must be at least 1"),
    ("eval", "class folder 12, the teacher has only 10 classes"),
    ("classes", "has 10 classes"),
    ("foreign", "is not empty and holds no plan.json"),
])
def test_bad_input_is_one_line_before_any_work(random_teacher, tmp_path, capsys, case, message):
    args = ["run", *random_teacher.args, "--out", tmp_path / "run", "--source", "leaves", "--quiet"]
    if case == "minutes":
        args += ["--minutes", "0.5"]
    elif case == "eval":
        args += ["--eval", eval_folder(tmp_path / "eval", [0, 12])]
    elif case == "classes":
        args += ["--num-classes", "7"]
    else:
        (tmp_path / "run").mkdir()
        (tmp_path / "run" / "notes.txt").write_text("mine")
    assert run_cli(synthkd_main, *args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "run" / "plan.json").exists()
