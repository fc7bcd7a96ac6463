"""Teacher-steered generation: the variant mixture fit, steered datasets that are deterministic, resumable and
shardable, the in-memory path, and bad input."""

from __future__ import annotations

import json
import math
from functools import partial

import numpy as np
import pytest
import torch

from synthkd.core.classes import histogram, relative_entropy
from synthkd.core.dataset import open_dataset
from synthkd.core.refine import bn_layers, refine
from synthkd.core.settings import UsageError
from synthkd.core.steer import (
    SteerSettings,
    Variant,
    by_quota,
    dark_grid,
    fit_mixture,
    natural_grid,
    turned,
    variant_grid,
)
from synthkd.core.tensors import predict
from synthkd.procgen.cli import render_leaves_main
from synthkd.procgen.leaves import LeavesSettings
from synthkd.procgen.leaves import make_chunk as leaves_chunk
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


def test_natural_variants_keep_colour_and_move_the_spectrum_to_one_over_f():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (6, 32, 32, 3), dtype=np.uint8)
    gray = Variant(saturation=0.0).apply(images, rng)
    assert np.abs(gray.astype(int) - images.mean(3, keepdims=True).round()).max() <= 1
    flat = Variant(contrast=0.0).apply(images, rng)
    assert np.ptp(flat.reshape(6, -1), axis=1).max() <= 1  # every pixel at the image's mean
    same = np.repeat(images[:1], 6, axis=0)
    assert np.abs(Variant(blend=0.5).apply(same, rng).astype(int) - same).max() <= 1  # a blend of equals
    blended = Variant(blend=0.5).apply(images, rng).astype(int)
    assert not np.array_equal(blended, images) and blended.std() < images.std()
    shaped = Variant(spectrum=1.0).apply(images, rng).astype(np.float64)
    amplitude = np.abs(np.fft.fft2(shaped - shaped.mean((1, 2), keepdims=True), axes=(1, 2))).mean((0, 3))
    f = np.hypot(*np.meshgrid(np.fft.fftfreq(32), np.fft.fftfreq(32), indexing="ij"))
    ring = (f > 0.05) & (f < 0.45)
    slope = np.polyfit(np.log(f[ring]), np.log(amplitude[ring]), 1)[0]
    white = np.polyfit(np.log(f[ring]), np.log(np.abs(np.fft.fft2(images - images.mean((1, 2), keepdims=True),
                                                                   axes=(1, 2))).mean((0, 3))[ring]), 1)[0]
    assert slope < -0.7 and abs(white) < 0.2  # white noise in, about 1/f out
    assert np.abs(shaped.mean((1, 2)) - images.mean((1, 2))).max() < 8  # the colours' means stay
    grid = natural_grid()
    assert len(grid) == 27 and len({v.name for v in grid}) == 27 and not any(v.gray or v.invert for v in grid)


def test_dark_variants_are_dim_sparse_and_gray():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (4, 32, 32, 3), dtype=np.uint8)
    dim = Variant(gray=True, smooth=2, keep=0.02, gain=0.1).apply(images, rng).astype(int)
    assert np.all(dim[..., 0] == dim[..., 2]) and 0.01 < (dim[..., 0] > 0).mean() < 0.03 and dim.max() <= 26
    assert Variant(gain=0.5).apply(images, rng).astype(int).sum() < 0.51 * images.astype(int).sum()
    small = Variant(shrink=4).apply(np.full((3, 32, 32, 3), 200, np.uint8), np.random.default_rng(0))
    lit = small[..., 0] > 0
    assert np.all(lit.sum((1, 2)) == 64) and not lit[:, :4].any() and not lit[:, -4:].any()  # 8 x 8, near the middle
    assert np.array_equal(small, Variant(shrink=4).apply(np.full((3, 32, 32, 3), 200, np.uint8),
                                                         np.random.default_rng(0)))  # the place is seeded
    grid = dark_grid()
    assert len(grid) == 49 and len({v.name for v in grid}) == 49 and grid[0] == Variant()
    assert sum(v.stretch == 4 for v in grid) == 24  # each blob also as a streak
    assert all(v.gray and v.smooth > 1 and v.keep <= 0.08 and not v.invert for v in grid[1:])
    assert SteerSettings(steer="dark").grid == grid


def lit_neighbours(images: np.ndarray) -> float:
    """The share of lit pixels' four neighbours that are lit too: near 1 for connected blobs, near the lit
    fraction for scattered pixels."""
    lit = images[..., 0] > 0
    pairs = [(lit[:, 1:], lit[:, :-1]), (lit[:, :-1], lit[:, 1:]), (lit[:, :, 1:], lit[:, :, :-1]),
             (lit[:, :, :-1], lit[:, :, 1:])]
    return sum((a & b).sum() for a, b in pairs) / sum(a.sum() for a, _ in pairs)


def test_smoothed_sparse_variants_are_soft_connected_blobs():
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 256, (8, 32, 32, 3), dtype=np.uint8)
    scattered = Variant(gray=True, keep=0.05).apply(noise, rng)
    blob = Variant(gray=True, smooth=4, keep=0.05)
    blobs = blob.apply(noise, rng)
    assert blob.name == "smooth4+keep0.05" and np.all(blobs[..., 0] == blobs[..., 2])
    assert 0.03 < (blobs[..., 0] > 0).mean() < 0.06
    assert lit_neighbours(blobs) > 0.6 > 0.2 > lit_neighbours(scattered)  # a few sources, not scattered pixels
    assert np.all(blobs.reshape(8, -1).max(1) == 255)  # each image's brightest peak is white ...
    lit = blobs[..., 0][blobs[..., 0] > 0]
    assert np.median(lit) < 160  # ... and fades towards black at the edge of its blob
    assert np.array_equal(blobs, blob.apply(noise, np.random.default_rng(5)))  # no randomness of its own
    flat_top = np.zeros((2, 32, 32, 3), np.uint8)
    flat_top[:, :16] = 255  # half the frame saturated: more than the kept share, all at the maximum
    assert np.all(blob.apply(flat_top, rng)[:, :8] == 255)  # kept whole, not blacked out
    low = Variant(smooth=4).apply(noise, rng).astype(int)
    assert low.std() < 0.5 * noise.mean(3).std() and abs(low.mean() - noise.mean()) < 2  # without keep: a low pass


def elongation(images: np.ndarray) -> float:
    """The median over images of how much longer than wide the lit pixels' shared shape is: the ratio of the
    principal axes of the lit mask's autocorrelation within 4 px of its centre (near 1 for round blobs)."""
    ratios = []
    for lit in images[..., 0] > 0:
        m = lit - lit.mean()
        c = m.shape[0] // 2  # the zero shift, after fftshift
        corr = np.fft.fftshift(np.real(np.fft.ifft2(np.abs(np.fft.fft2(m)) ** 2)))[c - 5:c + 6, c - 5:c + 6]
        corr = corr.clip(min=0)
        ys, xs = np.mgrid[-5:6, -5:6]
        w = corr * (ys * ys + xs * xs <= 16)  # a round window: no direction favoured
        w = w / w.sum()
        cov = [[(w * ys * ys).sum(), (w * ys * xs).sum()], [(w * ys * xs).sum(), (w * xs * xs).sum()]]
        eig = np.linalg.eigvalsh(np.array(cov))
        ratios.append(np.sqrt(eig[1] / eig[0]))
    return float(np.median(ratios))


def test_stretched_blobs_are_streaks_in_seeded_directions():
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 256, (8, 32, 32, 3), dtype=np.uint8)
    streak = Variant(gray=True, smooth=2, stretch=4, keep=0.05)
    streaks = streak.apply(noise, np.random.default_rng(1))
    round_ = Variant(gray=True, smooth=2, keep=0.05).apply(noise, rng)
    assert streak.name == "smooth2+stretch4+keep0.05" and np.all(streaks.reshape(8, -1).max(1) == 255)
    assert abs((streaks[..., 0] > 0).mean() - (round_[..., 0] > 0).mean()) < 0.01  # as sparse as the round blobs
    assert elongation(streaks) > 1.8
    assert elongation(round_) < 1.5
    assert np.array_equal(streaks, streak.apply(noise, np.random.default_rng(1)))  # the directions are seeded ...
    assert not np.array_equal(streaks, streak.apply(noise, np.random.default_rng(2)))  # ... and differ by seed
    x = torch.from_numpy(noise).permute(0, 3, 1, 2).float()
    assert torch.allclose(turned(x, torch.zeros(8)), x, atol=1e-3)
    assert torch.allclose(turned(x, torch.full((8,), math.pi / 2)), torch.rot90(x, 1, (2, 3)), atol=1e-3)
    with pytest.raises(UsageError, match="stretch"):
        Variant(stretch=4)  # a stretch needs a low pass to stretch


def test_rejection_keeps_each_class_to_its_share_first():
    labels = np.array([0, 0, 0, 0, 1, 0, 2, 0, 0, 1, 2, 0])
    keep = by_quota(labels, 3, 6)
    assert histogram(labels[keep], 3).tolist() == [2, 2, 2] and np.all(np.diff(keep) > 0)
    assert histogram(labels[by_quota(labels, 3, 9)], 3).tolist() == [5, 2, 2]  # short classes: filled in order


def steered(out, teacher, lever="all", refine=0, **changes) -> LeavesDataset:
    settings = dict(out=out, n=300, size=16, chunk_size=100, quiet=True, teacher=teacher.settings,
                    steering=SteerSettings(steer=lever, oversample=2.0, refine_steps=refine))
    return LeavesDataset(**{**settings, **changes})


@pytest.mark.parametrize("lever, refine", [("all", 0), ("natural", 2), ("dark", 0)])
def test_steered_leaves_are_deterministic_resumable_and_in_memory(random_teacher, tmp_path, lever, refine):
    steered_ = partial(steered, teacher=random_teacher, lever=lever, refine=refine)
    record = render_leaves(steered_(tmp_path / "a"))
    assert record["steer"]["lever"] == lever and record["kept"] == 300
    assert record["candidates"] == (600 if lever == "all" else 300)  # "all" rejects, the grids only vary
    assert record["steer"].get("refine_steps", 0) == refine
    render_leaves(steered_(tmp_path / "b"))
    assert chunk_bytes(tmp_path / "a") == chunk_bytes(tmp_path / "b")
    header = json.loads((tmp_path / "a" / "dataset.json").read_text())
    chosen = header["derived"]["steer"]
    assert header["settings"]["steer"]["steer"] == lever and header["settings"]["teacher"]["spec"] == "resnet8_cifar"
    assert sum(chosen["weights"]) == pytest.approx(1.0, abs=1e-3) and len(chosen["names"]) == len(chosen["weights"])
    assert lever != "dark" or any("stretch" in name for name in chosen["names"])  # seeded directions included
    ds = open_dataset(tmp_path / "a")
    assert set(ds.column("variant")) <= set(chosen["names"]) and len(set(ds.column("teacher_class"))) >= 1
    for name in ("c000001.npy", "c000001.json"):
        (tmp_path / "b" / "chunks" / name).unlink()
    render_leaves(steered_(tmp_path / "b"))  # resumes with the recorded plan
    assert chunk_bytes(tmp_path / "a") == chunk_bytes(tmp_path / "b")
    for i in range(2):
        render_leaves(steered_(tmp_path / f"s{i}", shard=f"{i}/2"))
    assert np.array_equal(open_dataset([tmp_path / "s0", tmp_path / "s1"]).images(), ds.images())
    images, columns = next(iter(leaves_batches(steered_(tmp_path / "unused"), [2])))
    assert np.array_equal(images, ds.chunk_images(2)) and columns["variant"] == ds.column("variant")[200:]


def test_refinement_moves_a_batch_towards_the_teachers_batch_norm_statistics():
    from synthkd.teacher import BUILTIN

    images = leaves_chunk(LeavesSettings(), 32, 0, 0, 64)[0]
    teacher = BUILTIN.spec.load()
    layers = bn_layers(teacher)

    def mismatch(batch: np.ndarray) -> float:
        seen = []
        hooks = [m.register_forward_hook(lambda m, i, o: seen.append(
            (i[0].mean((0, 2, 3)) - m.running_mean).norm() + (i[0].var((0, 2, 3)) - m.running_var).norm()))
            for m in layers]
        predict(teacher, batch, batch=len(batch))
        for h in hooks:
            h.remove()
        return float(sum(seen))

    refined = refine(images, teacher, 5)
    assert refined.dtype == np.uint8 and refined.shape == images.shape and not np.array_equal(refined, images)
    assert mismatch(refined) < 0.8 * mismatch(images)
    assert np.array_equal(refine(images, teacher, 5), refined)  # deterministic
    assert np.abs(refined.astype(int) - images).mean() < 40  # still the renders, moved


def test_a_teacher_without_batch_norm_is_one_line_and_not_refined(tmp_path, capsys):
    lenet = ["--teacher", "lenet5", "--weights", "assets/teacher/digits_lenet5.pt"]
    common = ["--n", "200", "--chunk-size", "100", "--quiet"]
    assert run_cli(render_leaves_main, *common, "--out", tmp_path / "refined", *lenet, "--refine-steps", "3") == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "the teacher has no batch norm layers" in err and "without refining" in err
    assert run_cli(render_leaves_main, *common, "--out", tmp_path / "plain") == 0
    assert np.array_equal(open_dataset(tmp_path / "refined").images(), open_dataset(tmp_path / "plain").images())


@pytest.mark.slow
def test_steering_covers_the_low_entropy_teachers_classes(tmp_path):
    """The plain CNN trained on black-on-white digits calls almost every render one class; steered, all ten."""
    from synthkd.teacher import PANEL

    teacher = PANEL["ink_gapcnn"]
    settings = LeavesDataset(out=tmp_path / "d", n=512, chunk_size=128, size=32, quiet=True, teacher=teacher.spec,
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
