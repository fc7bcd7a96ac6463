"""Leaves: the shape sampler's statistics, the renderer, and the render-leaves command end to end."""

import json
import math
import sys

import numpy as np
import pytest

from synthkd.core.dataset import open_dataset
from synthkd.core.generate import chunk_seeds
from synthkd.procgen.cli import render_leaves_main
from synthkd.procgen.leaves import SHAPES, LeavesSettings, make_chunk, render_images, sample_shapes
from synthkd.procgen.stage import LeavesDataset, leaves_batches, render_leaves
from tests.helpers import chunk_bytes, run_cli, start_and_kill


def leaves(out, **settings) -> dict:
    """render-leaves at 16 px, 32 images per chunk, as a stage function."""
    return render_leaves(LeavesDataset(out=out, **{"size": 16, "chunk_size": 32, "quiet": True, **settings}))


def power_law_cdf(r: np.ndarray, sigma: float, rmin: float, rmax: float) -> np.ndarray:
    """CDF of the density proportional to r^-sigma on [rmin, rmax]."""
    if sigma == 1:
        return np.log(r / rmin) / math.log(rmax / rmin)
    e = 1 - sigma
    return (r**e - rmin**e) / (rmax**e - rmin**e)


@pytest.mark.parametrize(("sigma", "rmin", "rmax"), [(3.0, 0.03, 1.0), (1.0, 0.05, 0.5), (2.5, 0.1, 2.0)])
def test_radii_follow_the_truncated_power_law(sigma, rmin, rmax):
    r = np.sort(sample_shapes(LeavesSettings(sigma=sigma, rmin=rmin, rmax=rmax), 7, 20000)["r"])
    assert rmin <= r[0] and r[-1] <= rmax
    cdf = power_law_cdf(r, sigma, rmin, rmax)
    n = len(r)
    ks = max(np.max(np.arange(1, n + 1) / n - cdf), np.max(cdf - np.arange(n) / n))
    assert ks < 1.63 / math.sqrt(n), f"Kolmogorov-Smirnov distance {ks:.4f} (1% critical value)"
    counts, edges = np.histogram(np.log(r), bins=10)  # log r has density ~ r^(1 - sigma)
    slope = np.polyfit((edges[:-1] + edges[1:]) / 2, np.log(counts), 1)[0]
    assert abs(slope - (1 - sigma)) < 0.1


def reference_paint(settings: LeavesSettings, seed: int, count: int, size: int) -> np.ndarray:
    """The painter's algorithm, plainly: shapes count-1 .. 0 drawn back to front as whole masks."""
    p = sample_shapes(settings, seed, count)
    ys, xs = np.mgrid[0:size, 0:size] + 0.5
    image = np.zeros((size, size, 3), np.uint8)
    for k in reversed(range(count)):
        x, y, rad = p["cx"][k] * size, p["cy"][k] * size, p["r"][k] * size
        dx, dy = xs - x, ys - y
        kind = SHAPES[p["kind"][k]]
        c, s = math.cos(p["theta"][k]), math.sin(p["theta"][k])
        if kind == "circle":
            mask = dx * dx + dy * dy <= rad * rad
        elif kind == "square":
            mask = (abs(dx) <= rad) & (abs(dy) <= rad)
        elif kind in ("oriented_square", "rectangle"):
            half_b = rad * p["aspect"][k] if kind == "rectangle" else rad
            mask = (abs(dx * c + dy * s) <= rad) & (abs(dy * c - dx * s) <= half_b)
        else:
            angles = p["angles"][k][: 3 if kind == "triangle" else 4]
            vx, vy = x + rad * np.cos(angles), y + rad * np.sin(angles)
            mask = np.ones((size, size), bool)
            for i in range(len(angles)):
                ax, ay, bx, by = vx[i], vy[i], vx[(i + 1) % len(angles)], vy[(i + 1) % len(angles)]
                mask &= (bx - ax) * (ys - ay) - (by - ay) * (xs - ax) >= 0
        image[mask] = p["colour"][k]
    return image


def test_renderer_equals_a_back_to_front_painter_of_the_same_shapes():
    settings = LeavesSettings(rmin=0.05, rmax=0.6)
    seeds = chunk_seeds(5, 0, 12)
    images, used, uncovered = render_images(settings, 40, seeds)
    for image, seed, count in zip(images, seeds.tolist(), used.tolist(), strict=True):
        assert np.array_equal(image, reference_paint(settings, seed, count, 40))
    assert not uncovered.any()


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
    images, used, uncovered = render_images(s, 32, chunk_seeds(0, 0, 16))
    assert (uncovered == 0).all() and (used < s.max_shapes).all()
    # Shape 0 lies on top: when it is a circle of 1.5 px or more, the pixel at its centre has its colour.
    checked = 0
    for seed in chunk_seeds(0, 1, 300):
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
    images, used, uncovered = render_images(LeavesSettings(max_shapes=3), 32, chunk_seeds(0, 0, 8))
    assert (used == 3).all() and (uncovered > 0).any()
    assert ((images == 0).all(axis=3).sum(axis=(1, 2)) >= uncovered).all()


def test_antialiasing_changes_edges_only():
    seeds = chunk_seeds(1, 0, 4)
    flat, _, _ = render_images(LeavesSettings(), 32, seeds)
    smooth, _, _ = render_images(LeavesSettings(supersample=5), 32, seeds)
    differs = (flat != smooth).any(axis=3)
    assert 0 < differs.mean() < 0.5  # edge pixels change, shape interiors keep their colours
    assert len(np.unique(smooth[0].reshape(-1, 3), axis=0)) > len(np.unique(flat[0].reshape(-1, 3), axis=0))


def test_same_seed_same_bytes_and_shards_join(tmp_path):
    for name, seed in (("a", 0), ("b", 0), ("c", 1)):
        leaves(tmp_path / name, n=100, seed=seed)
    assert chunk_bytes(tmp_path / "a") == chunk_bytes(tmp_path / "b")
    assert not np.array_equal(open_dataset(tmp_path / "a").images(), open_dataset(tmp_path / "c").images())
    for i in range(2):
        leaves(tmp_path / f"s{i}", n=100, shard=f"{i}/2")
    joined = open_dataset([tmp_path / "s1", tmp_path / "s0"])
    assert np.array_equal(joined.images(), open_dataset(tmp_path / "a").images())
    image, meta = open_dataset(tmp_path / "a")[5]
    assert image.shape == (16, 16, 3) and meta["generator"] == "leaves" and meta["uncovered"] == 0
    assert isinstance(meta["seed"], int) and meta["shapes"] > 0
    batches = leaves_batches(LeavesDataset(out=tmp_path / "unused", n=100, size=16, chunk_size=32), [2, 0])
    ds = open_dataset(tmp_path / "a")
    for k, (images, columns) in zip((2, 0), batches, strict=True):  # in memory: the same bytes, any chunk order
        assert np.array_equal(images, ds.chunk_images(k)) and columns["seed"] == [m["seed"] for m in ds.chunk_metas(k)]
    assert not (tmp_path / "unused").exists()


@pytest.mark.slow
def test_resume_after_kill(tmp_path):
    args = ["--n", "6000", "--size", "64", "--chunk-size", "200", "--quiet"]
    leaves(tmp_path / "reference", n=6000, size=64, chunk_size=200)
    out = tmp_path / "killed"
    finished = start_and_kill([sys.executable, "-m", "synthkd.procgen.cli", "render-leaves", *args, "--out", str(out)],
                              out, 2)
    assert 2 <= finished < 30
    assert run_cli(render_leaves_main, *args, "--out", out) == 0  # the same command again
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
    assert run_cli(render_leaves_main, "--n", "10", "--out", tmp_path / "d", *args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("render-leaves: error:") and "\n" not in err and message in err
    assert not (tmp_path / "d").exists()
