"""Teacher-steered generation: the variant mixture fit, steered datasets that are deterministic, resumable and
shardable, the in-memory path, and bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest

from synthkd.core.classes import histogram, relative_entropy
from synthkd.core.dataset import open_dataset
from synthkd.core.steer import SteerSettings, Variant, by_quota, fit_mixture, variant_grid
from synthkd.procgen.cli import render_leaves_main
from synthkd.procgen.stage import LeavesDataset, leaves_batches, render_leaves
from tests.helpers import chunk_bytes, run_cli


def test_the_fit_finds_the_flattest_mixture():
    half = np.array([[10, 10, 10, 10, 10, 0, 0, 0, 0, 0],  # covers classes 0-4
                     [0, 0, 0, 0, 0, 10, 10, 10, 10, 10],  # covers 5-9
                     [0, 0, 50, 0, 0, 0, 0, 0, 0, 0]])  # one class only: adds nothing
    w = fit_mixture(half, diversity_weight=0.0)
    assert w[0] == pytest.approx(0.5, abs=0.02) and w[1] == pytest.approx(0.5, abs=0.02) and w[2] < 0.03
    mixed = w @ (half / half.sum(1, keepdims=True))
    assert relative_entropy(mixed) > 0.99
    spread = fit_mixture(half, diversity_weight=1.0)
    assert spread[2] > w[2]  # the diversity bonus keeps some weight on every variant
    assert fit_mixture(np.eye(4) * 5).round(3).tolist() == [0.25] * 4


def test_variants_transform_as_named():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (4, 16, 16, 3), dtype=np.uint8)
    assert np.array_equal(Variant().apply(images, rng), images)
    gray = Variant(gray=True).apply(images, rng)
    assert np.all(gray[..., 0] == gray[..., 1]) and np.all(gray[..., 1] == gray[..., 2])
    sparse = Variant(gray=True, keep=0.1).apply(images, rng)
    assert 0.05 < (sparse[..., 0] > 0).mean() < 0.15
    assert np.array_equal(Variant(invert=True).apply(images, rng), 255 - images)
    assert len(variant_grid()) == 41 and len({v.name for v in variant_grid()}) == 41


def test_rejection_keeps_each_class_to_its_share_first():
    labels = np.array([0, 0, 0, 0, 1, 0, 2, 0, 0, 1, 2, 0])
    keep = by_quota(labels, 3, 6)
    assert histogram(labels[keep], 3).tolist() == [2, 2, 2] and np.all(np.diff(keep) > 0)
    assert histogram(labels[by_quota(labels, 3, 9)], 3).tolist() == [5, 2, 2]  # short classes: filled in order


def steered(out, teacher, **changes) -> LeavesDataset:
    settings = dict(out=out, n=300, size=32, chunk_size=100, quiet=True, teacher=teacher.settings,
                    steering=SteerSettings(steer="all", oversample=2.0))
    return LeavesDataset(**{**settings, **changes})


def test_steered_leaves_are_deterministic_resumable_and_in_memory(random_teacher, tmp_path):
    record = render_leaves(steered(tmp_path / "a", random_teacher))
    assert record["steer"]["lever"] == "all" and record["candidates"] == 600 and record["kept"] == 300
    render_leaves(steered(tmp_path / "b", random_teacher))
    assert chunk_bytes(tmp_path / "a") == chunk_bytes(tmp_path / "b")
    header = json.loads((tmp_path / "a" / "dataset.json").read_text())
    chosen = header["derived"]["steer"]
    assert header["settings"]["steer"]["steer"] == "all" and header["settings"]["teacher"]["spec"] == "resnet8_cifar"
    assert sum(chosen["weights"]) == pytest.approx(1.0, abs=1e-3) and len(chosen["names"]) == len(chosen["weights"])
    ds = open_dataset(tmp_path / "a")
    assert set(ds.column("variant")) <= set(chosen["names"]) and len(set(ds.column("teacher_class"))) >= 1
    for name in ("c000001.npy", "c000001.json"):
        (tmp_path / "b" / "chunks" / name).unlink()
    render_leaves(steered(tmp_path / "b", random_teacher))  # resumes with the recorded plan
    assert chunk_bytes(tmp_path / "a") == chunk_bytes(tmp_path / "b")
    for i in range(2):
        render_leaves(steered(tmp_path / f"s{i}", random_teacher, shard=f"{i}/2"))
    assert np.array_equal(open_dataset([tmp_path / "s0", tmp_path / "s1"]).images(), ds.images())
    images, columns = next(iter(leaves_batches(steered(tmp_path / "unused", random_teacher), [2])))
    assert np.array_equal(images, ds.chunk_images(2)) and columns["variant"] == ds.column("variant")[200:]


@pytest.mark.slow
def test_steering_covers_the_low_entropy_teachers_classes(tmp_path):
    """The plain CNN trained on black-on-white digits calls almost every render one class; steered, all ten."""
    from synthkd.teacher import PANEL

    teacher = PANEL["ink_gapcnn"]
    settings = LeavesDataset(out=tmp_path / "d", n=1024, chunk_size=256, size=32, quiet=True, teacher=teacher.spec,
                             steering=SteerSettings(steer="variants"))
    record = render_leaves(settings)
    counts = histogram(np.asarray(open_dataset(tmp_path / "d").column("teacher_class")), 10)
    assert record["steer"]["identity_relative_entropy"] < 0.2 and relative_entropy(counts) > 0.85
    assert (counts > 0).all()


@pytest.mark.parametrize("args, message", [
    (["--steer", "variants"], "--steer needs the teacher"),
    (["--teacher", "resnet8_cifar", "--weights", "{w}"], "--teacher is for steering"),
    (["--steer", "variants", "--teacher", "lenet5", "--size", "8"], "lenet5 fails on a (2, 3, 8, 8) image batch"),
    (["--steer", "reject", "--oversample", "0.5", "--teacher", "resnet8_cifar"], "--oversample must be at least 1"),
    (["--steer", "variants", "--teacher", "resnet8_cifar", "--weights", "{w}"],
     "--n 10 with --chunk-size 1024 is too small to steer 10 classes"),
])
def test_bad_steering_input_is_one_line(random_teacher, tmp_path, capsys, args, message):
    args = [a.format(w=random_teacher.weights) for a in args]
    if "lenet5" in args:
        args += ["--weights", "assets/teacher/digits_lenet5.pt"]
    assert run_cli(render_leaves_main, "--n", 10, "--out", tmp_path / "d", *args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "d").exists()
