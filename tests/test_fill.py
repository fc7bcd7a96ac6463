"""The prober as class filler, on real shader renders and a real digits teacher: which classes it fills, that what
it adds is in its class as stored, the widening schedule, determinism, and the budget check."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from synthkd.core.classes import histogram
from synthkd.core.dataset import open_dataset
from synthkd.core.tensors import soft_stats, to_float
from synthkd.probe.attack import AttackSettings
from synthkd.probe.balance import BalanceSettings
from synthkd.probe.cli import main as probe_main
from synthkd.probe.fill import deficits, wanted
from synthkd.probe.stage import ProbeSettings, probe
from synthkd.shaders.stage import ShaderDataset, render_shaders
from tests.helpers import chunk_bytes, run_cli

PER_CLASS = 20


def test_deficits_are_the_even_share_minus_what_the_teacher_sees():
    labels = np.array([0] * 30 + [1] * 5 + [2] * 1)
    assert deficits(labels, 4, 40).tolist() == [0, 5, 9, 10]
    assert deficits(labels, 4, 42).tolist() == [0, 6, 9, 10]  # the remainder goes to the first classes
    assert wanted("on", labels, 4, 40) and wanted("auto", labels, 4, 40) and not wanted("off", labels, 4, 40)
    nearly = np.array([0] * 10 + [1] * 10 + [2] * 10 + [3] * 6)
    assert wanted("on", nearly, 4, 40) and not wanted("auto", nearly, 4, 40)  # 6 of 10: more than half


@pytest.fixture(scope="module")
def shaders_ds(tmp_path_factory):
    out = tmp_path_factory.mktemp("ds") / "shaders"
    render_shaders(ShaderDataset(n=400, size=32, out=out, chunk_size=200, quiet=True))
    return out


def _probe(shaders_ds, teacher, out, **changes):
    settings = dict(data=(shaders_ds,), out=out, teacher=teacher.settings, attack="none", fill="on",
                    balance=BalanceSettings(per_class=PER_CLASS), chunk_size=100, quiet=True)
    return probe(ProbeSettings(**{**settings, **changes}))


@pytest.fixture(scope="module")
def filled(shaders_ds, digits_teacher, tmp_path_factory):
    out = tmp_path_factory.mktemp("dk") / "filled"
    return out, _probe(shaders_ds, digits_teacher, out)


def test_fill_gives_starved_classes_distinct_images_the_teacher_puts_there(filled, shaders_ds, digits_teacher):
    out, report = filled
    header = json.loads((out / "dataset.json").read_text())["derived"]
    missing, made = np.array(header["fill"]["missing"]), np.array(header["fill"]["filled"])
    assert missing.sum() > 0, "the renders should leave some class short for this test to mean anything"
    assert made.sum() > 0 and (made <= missing).all()
    before = np.array(header["histogram_ds"])
    distinct = np.array(header["distinct_dk"])
    assert (distinct >= np.minimum(before, PER_CLASS)).all()
    assert (distinct > before).sum() >= 1  # some class gained images it did not have
    assert report["fill"]["rounds"] >= 1 and sum(report["fill"]["pairs_tried"]) == report["fill"]["attacks"]
    ds = open_dataset(out)
    rows = np.flatnonzero(ds.column("filled"))
    assert len(rows) > 0
    with torch.inference_mode():
        got, _, _ = soft_stats(digits_teacher.model(to_float(ds.take(rows))))
    assert got.tolist() == [ds.column("label")[i] for i in rows]  # in the class it is labelled, as stored
    assert all(ds.column("source_index")[i] >= len(open_dataset(shaders_ds)) for i in rows)


@pytest.mark.slow
def test_fill_is_deterministic(filled, shaders_ds, digits_teacher, tmp_path):
    out, _ = filled
    again = tmp_path / "again"
    _probe(shaders_ds, digits_teacher, again)
    assert chunk_bytes(again) == chunk_bytes(out)
    assert (np.load(again / "fill.npz")["images"] == np.load(out / "fill.npz")["images"]).all()


@pytest.mark.slow
def test_too_weak_an_attack_widens_and_says_so(shaders_ds, digits_teacher, tmp_path):
    weak = AttackSettings(eps=1 / 255, max_steps=2)
    report = _probe(shaders_ds, digits_teacher, tmp_path / "weak", boundary=weak, fill_budget=600)
    widened = report["fill"]["widened"]
    assert widened and widened[0]["eps"] == pytest.approx(2 / 255, abs=1e-5) and widened[0]["max_steps"] == 4
    assert report["fill"]["rounds"] >= 2


def test_fill_off_leaves_the_dataset_as_before(shaders_ds, digits_teacher, tmp_path):
    report = _probe(shaders_ds, digits_teacher, tmp_path / "off", fill="off")
    assert "fill" not in report and not (tmp_path / "off" / "fill.npz").exists()
    assert "filled" not in open_dataset(tmp_path / "off").chunk_metas(0)[0]
    labels = np.asarray(open_dataset(tmp_path / "off").column("label"))
    assert histogram(labels, 10).sum() == PER_CLASS * 10


def test_a_fill_budget_below_one_attack_per_class_is_one_line(shaders_ds, random_teacher, tmp_path, capsys):
    code = run_cli(probe_main, "--data", shaders_ds, "--out", tmp_path / "dk", *random_teacher.args,
                   "--fill", "on", "--fill-budget", "3")
    err = capsys.readouterr().err
    assert code == 2 and "too small to fill any class" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "dk").exists()
