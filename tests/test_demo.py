"""The built-in teacher's script, the demo on a tiny budget, and the report (with a Chromium screenshot)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from synthkd.cli import main as synthkd_main
from synthkd.demo import demo
from synthkd.report import chromium
from synthkd.teacher import BUILTIN, PANEL, make_teacher
from tests.helpers import SLOW_RATES, FakeClock, run_cli


@pytest.mark.parametrize("name", ["wrn16_1", "ink_gapcnn"])
def test_teacher_script_is_deterministic(tmp_path, name):
    a = make_teacher(PANEL[name], tmp_path / "a.pt", epochs=1, limit=128)
    b = make_teacher(PANEL[name], tmp_path / "b.pt", epochs=1, limit=128)
    assert a["sha256"] == b["sha256"] and (tmp_path / "a.pt").read_bytes() == (tmp_path / "b.pt").read_bytes()


@pytest.mark.parametrize("name", list(PANEL))
def test_shipped_panel_teachers_are_what_the_script_records(name):
    import hashlib

    teacher = PANEL[name]
    info = teacher.info()
    assert hashlib.sha256(teacher.weights.read_bytes()).hexdigest() == info["sha256"]
    assert info["test_accuracy"] > 0.97 and teacher.weights.stat().st_size < 1_000_000
    model = teacher.spec.load()
    from synthkd.core.tensors import accuracy

    assert accuracy(model, *teacher.test_set()) == pytest.approx(info["test_accuracy"], abs=0.005)
    assert BUILTIN.name == "wrn16_1"


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """The demo for one minute per source on a stand-in clock (1 s per reading) and rates: quick, and the same on
    any machine."""
    out = tmp_path_factory.mktemp("demo") / "run"
    demo(out, 1.0, ("shaders", "noise"), quiet=True, clock=FakeClock(1.0), measure=SLOW_RATES)
    return out


@pytest.mark.slow
def test_demo_runs_every_stage(demo_run):
    meta = json.loads((demo_run / "demo.json").read_text())
    assert [r["source"] for r in meta["rows"]] == ["shaders", "noise"]
    for r in meta["rows"]:
        assert 0 <= r["student_top1"] <= 1 and r["teacher_top1"] > 0.9
        assert 0 <= r["relative_entropy_ds"] <= r["relative_entropy_dk"] <= 1  # noise: one class, 0
        assert set(r["seconds"]) == {"measure", "data", "train", "total"} and 57 <= r["seconds"]["total"] <= 63
        for path in r["paths"].values():
            assert (demo_run / r["run"] / path).is_dir()
    assert len(list((demo_run / "digits-test").glob("*/*.png"))) == 449


@pytest.mark.slow
def test_report_content(demo_run):
    page = (demo_run / "report.html").read_text()
    meta = json.loads((demo_run / "demo.json").read_text())
    assert page.count("data:image/png;base64,") >= 2 * 4  # per source: D_S, histograms, classes, curves
    assert "src=\"http" not in page and "src='http" not in page  # self-contained
    for r in meta["rows"]:
        assert f"<td>{r['source']}</td><td>{r['student_top1']:.3f}</td>" in page
    assert (demo_run / "curves-shaders.png").is_file() and "Plan:" not in page  # a plan per run, on its page


@pytest.mark.slow
@pytest.mark.skipif(chromium() is None, reason="chromium is not installed (Debian: apt-get install chromium)")
def test_report_screenshot_shows_the_page(demo_run):
    assert run_cli(synthkd_main, "report", demo_run, "--screenshot") == 0
    shot = np.asarray(Image.open(demo_run / "report.png").convert("RGB"))
    assert shot.shape[0] >= 1000 and shot.shape[1] >= 1000
    rows_with_ink = (shot.min(axis=(1, 2)) < 128).mean()  # text, tables and pictures, not a blank page
    assert rows_with_ink > 0.2
    colourful = (shot.std(axis=2) > 30).mean()  # the embedded pictures rendered
    assert colourful > 0.01


def test_demo_table_has_a_row_per_source():
    from synthkd.demo import table

    row = {"source": "shaders", "student_top1": 0.9, "teacher_top1": 0.99, "agreement": 0.91,
           "relative_entropy_ds": 0.92, "train_images": 14000, "epochs": 26, "seconds": {"total": 230.0}}
    lines = table([row, {**row, "source": "leaves"}]).splitlines()
    assert [line.split()[0] for line in lines[1:]] == ["shaders", "leaves"] and "14000 x 26" in lines[1]


def test_report_of_a_non_run_is_one_line(tmp_path, capsys):
    assert run_cli(synthkd_main, "report", tmp_path) == 2
    assert "not a synthkd run" in capsys.readouterr().err
