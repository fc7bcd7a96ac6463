"""Leaves: the shape sampler's statistics, the renderer, and the render-leaves command end to end."""

import json
import sys

import numpy as np
import pytest

from procgen.commands import render_leaves_main
from procgen.dataset import open_dataset
from procgen.leaves import SHAPES, LeavesSettings, image_seeds, make_chunk, render_images, sample_shapes
from tests.conftest import chunk_bytes, run_cli, start_and_kill

SMALL = ["--size", "16", "--chunk-size", "32", "--quiet"]


def leaves_cli(*args) -> int:
    return run_cli(render_leaves_main, *args)


def test_radii_follow_the_truncated_power_law():
    s = LeavesSettings()
    r = np.concatenate([sample_shapes(s, seed, 2000)["r"] for seed in range(10)])
    assert r.min() >= s.rmin and r.max() <= s.rmax
    # CDF of density ~ r^-3 on [rmin, rmax]: (rmin^-2 - r^-2) / (rmin^-2 - rmax^-2); compare at its deciles.
    qs = np.linspace(0.1, 0.9, 9)
    expected = (s.rmin**-2 - qs * (s.rmin**-2 - s.rmax**-2)) ** -0.5
    assert np.allclose(np.quantile(r, qs), expected, rtol=0.02)
    ks = np.max(np.abs(np.searchsorted(np.sort(r), expected) / len(r) - qs))
    assert ks < 0.01


def test_shape_kinds_centres_and_colours_are_uniform():
    shapes = sample_shapes(LeavesSettings(), 7, 30000)
    counts = np.bincount(shapes["kind"], minlength=len(SHAPES)) / 30000
    assert np.allclose(counts, 1 / len(SHAPES), atol=0.01)
    assert abs(shapes["cx"].mean() - 0.5) < 0.01 and abs(shapes["cy"].mean() - 0.5) < 0.01
    colour = shapes["colour"].astype(float)
    assert np.allclose(colour.mean(axis=0), 127.5, atol=2.5) and np.allclose(colour.std(axis=0), 73.9, atol=2.0)
    only = sample_shapes(LeavesSettings(shapes=("circle", "triangle")), 7, 1000)["kind"]
    assert set(only.tolist()) == {SHAPES.index("circle"), SHAPES.index("triangle")}


def test_images_are_covered_flat_and_painted_front_to_back():
    s = LeavesSettings()
    images, used, uncovered = render_images(s, 32, image_seeds(0, 0, 16))
    assert (uncovered == 0).all() and (used < s.max_shapes).all()
    # Shape 0 lies on top: when it is a circle of 1.5 px or more, the pixel at its centre has its colour.
    checked = 0
    for seed in image_seeds(0, 1, 300):
        top = sample_shapes(s, int(seed), 1)
        if top["kind"][0] != SHAPES.index("circle") or top["r"][0] * 32 < 1.5:
            continue
        image = render_images(s, 32, np.array([seed], np.uint64))[0][0]
        assert tuple(image[int(top["cy"][0] * 32), int(top["cx"][0] * 32)]) == tuple(top["colour"][0])
        checked += 1
    assert checked >= 10
    # Flat shapes: far fewer colours than pixels.
    assert all(len(np.unique(im.reshape(-1, 3), axis=0)) < 200 for im in images)


def test_a_shape_cap_leaves_black_pixels_and_says_so():
    images, used, uncovered = render_images(LeavesSettings(max_shapes=3), 32, image_seeds(0, 0, 8))
    assert (used == 3).all() and (uncovered > 0).any()
    assert ((images == 0).all(axis=3).sum(axis=(1, 2)) >= uncovered).all()


def test_antialiasing_changes_edges_only():
    seeds = image_seeds(1, 0, 4)
    flat, _, _ = render_images(LeavesSettings(), 32, seeds)
    smooth, _, _ = render_images(LeavesSettings(supersample=5), 32, seeds)
    differs = (flat != smooth).any(axis=3)
    assert 0 < differs.mean() < 0.5  # edge pixels change, shape interiors keep their colours
    assert len(np.unique(smooth[0].reshape(-1, 3), axis=0)) > len(np.unique(flat[0].reshape(-1, 3), axis=0))


def test_same_seed_same_bytes_and_shards_join(tmp_path):
    for name, seed in (("a", 0), ("b", 0), ("c", 1)):
        assert leaves_cli("--n", 100, "--out", tmp_path / name, "--seed", seed, *SMALL) == 0
    assert chunk_bytes(tmp_path / "a") == chunk_bytes(tmp_path / "b")
    assert not np.array_equal(open_dataset(tmp_path / "a").images(), open_dataset(tmp_path / "c").images())
    for i in range(2):
        assert leaves_cli("--n", 100, "--out", tmp_path / f"s{i}", "--shard", f"{i}/2", *SMALL) == 0
    joined = open_dataset([tmp_path / "s1", tmp_path / "s0"])
    assert np.array_equal(joined.images(), open_dataset(tmp_path / "a").images())
    image, meta = open_dataset(tmp_path / "a")[5]
    assert image.shape == (16, 16, 3) and meta["generator"] == "leaves" and meta["uncovered"] == 0
    assert isinstance(meta["seed"], int) and meta["shapes"] > 0


def test_resume_after_kill(tmp_path):
    args = ["--n", "6000", "--size", "64", "--chunk-size", "200", "--quiet"]
    assert leaves_cli(*args, "--out", tmp_path / "reference") == 0
    out = tmp_path / "killed"
    finished = start_and_kill([sys.executable, "-m", "procgen.commands", "render-leaves", *args, "--out", str(out)],
                              out, 2)
    assert 2 <= finished < 30
    assert leaves_cli(*args, "--out", out) == 0
    assert json.loads((out / "dataset.json").read_text())["runs"][-1]["images"] == 6000 - 200 * finished
    assert chunk_bytes(out) == chunk_bytes(tmp_path / "reference")


def test_make_chunk_counts():
    images, columns, counts = make_chunk(LeavesSettings(), 16, 0, 5, 10)
    assert images.shape == (10, 16, 16, 3) and counts["kept"] == 10 and len(columns["seed"]) == 10


@pytest.mark.parametrize(("args", "message"), [
    (["--shapes", "circle,blob"], "unknown shape 'blob'"),
    (["--shapes", ","], "at least one shape"),
    (["--rmin", "0.5", "--rmax", "0.2"], "0 < rmin < rmax"),
    (["--rmin", "0"], "0 < rmin < rmax"),
    (["--sigma", "-1"], "sigma must be a positive number"),
    (["--aspect", "0.5:2"], "aspect"),
    (["--size", "4"], "--size must be in 8..1024"),
    (["--size", "4096"], "--size must be in 8..1024"),
    (["--n", "0"], "at least 1"),
    (["--max-shapes", "0"], "at least 1"),
    (["--seed", "-1"], "must be at least 0"),
])
def test_bad_input_is_one_line_and_no_work(tmp_path, capsys, args, message):
    assert leaves_cli("--n", "10", "--out", tmp_path / "d", *args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("render-leaves: error:") and "\n" not in err and message in err
    assert not (tmp_path / "d").exists()
