"""Noise: per-channel statistics of every preset and kind, spectra, and the render-noise command."""

import numpy as np
import pytest

from synthkd.core.dataset import open_dataset
from synthkd.procgen.cli import render_noise_main
from synthkd.procgen.noise import PRESETS, NoiseSettings, clipped_moments, make_chunk, parse_stats, unit_noise
from tests.conftest import chunk_bytes, run_cli

SMALL = ["--size", "16", "--chunk-size", "32", "--quiet"]


def noise_cli(*args) -> int:
    return run_cli(render_noise_main, *args)


@pytest.mark.parametrize("preset", sorted(PRESETS))
@pytest.mark.parametrize("kind", ["gaussian", "uniform", "spectral"])
def test_channel_means_and_stds_match_the_clipped_preset(preset, kind):
    mean, std = PRESETS[preset]
    images, _, _ = make_chunk(NoiseSettings(mean=mean, std=std, kind=kind), 32, 0, 0, 256)
    x = images.reshape(-1, 3) / 255.0
    for c in range(3):
        m, s = clipped_moments(mean[c], std[c], "uniform" if kind == "uniform" else "gaussian")
        assert abs(x[:, c].mean() - m) < 0.004, (c, x[:, c].mean(), m)
        assert abs(x[:, c].std() - s) < 0.004, (c, x[:, c].std(), s)


def test_explicit_statistics():
    assert parse_stats("0.5,0.1") == ((0.5,) * 3, (0.1,) * 3)
    assert parse_stats("0.1,0.2,0.3,0.04,0.05,0.06") == ((0.1, 0.2, 0.3), (0.04, 0.05, 0.06))
    assert parse_stats("ImageNet") == PRESETS["imagenet"]
    images, _, _ = make_chunk(NoiseSettings(mean=(0.2, 0.5, 0.8), std=(0.05, 0.05, 0.05)), 32, 0, 0, 64)
    assert np.allclose((images.reshape(-1, 3) / 255.0).mean(axis=0), (0.2, 0.5, 0.8), atol=0.003)


def _gaussian_image(seed: int, size: int) -> np.ndarray:
    """One CIFAR-10 Gaussian noise image made from its seed alone."""
    z = unit_noise("gaussian", np.array([seed], np.uint64), size, 1.0)[0]
    x = z * np.float32(PRESETS["cifar10"][1]) + np.float32(PRESETS["cifar10"][0])
    return np.rint(np.clip(x, 0.0, 1.0) * 255.0).astype(np.uint8)


def _low_frequency_share(images: np.ndarray) -> float:
    grey = images.astype(float).mean(axis=3)
    power = np.abs(np.fft.fft2(grey - grey.mean(axis=(1, 2), keepdims=True))) ** 2
    f = np.hypot(*np.meshgrid(np.fft.fftfreq(32), np.fft.fftfreq(32)))
    return float(power[:, (f > 0) & (f < 0.1)].sum() / power.sum())


def test_spectral_noise_puts_its_power_at_low_frequencies():
    white, _, _ = make_chunk(NoiseSettings(kind="gaussian"), 32, 0, 0, 64)
    pink, _, _ = make_chunk(NoiseSettings(kind="spectral", alpha=1.0), 32, 0, 0, 64)
    brown, _, _ = make_chunk(NoiseSettings(kind="spectral", alpha=2.0), 32, 0, 0, 64)
    shares = [_low_frequency_share(x) for x in (white, pink, brown)]
    assert shares[0] < 0.05 and shares[0] * 3 < shares[1] < shares[2]


def test_same_seed_same_bytes_shards_join_and_resume(tmp_path):
    for name, seed in (("a", 0), ("b", 0), ("c", 1)):
        assert noise_cli("--n", 100, "--out", tmp_path / name, "--seed", seed, *SMALL) == 0
    assert chunk_bytes(tmp_path / "a") == chunk_bytes(tmp_path / "b")
    assert not np.array_equal(open_dataset(tmp_path / "a").images(), open_dataset(tmp_path / "c").images())
    for i in range(2):
        assert noise_cli("--n", 100, "--out", tmp_path / f"s{i}", "--shard", f"{i}/2", *SMALL) == 0
    assert np.array_equal(open_dataset([tmp_path / "s0", tmp_path / "s1"]).images(),
                          open_dataset(tmp_path / "a").images())
    # A run that stopped after some chunks: remove two finished chunks, run again, same bytes.
    for name in ("c000001.npy", "c000001.json", "c000003.json"):
        (tmp_path / "b" / "chunks" / name).unlink()
    assert noise_cli("--n", 100, "--out", tmp_path / "b", *SMALL) == 0
    assert chunk_bytes(tmp_path / "b") == chunk_bytes(tmp_path / "a")
    image, meta = open_dataset(tmp_path / "a")[3]
    assert meta["kind"] == "gaussian"
    # The recorded seed alone makes the image again.
    assert np.array_equal(_gaussian_image(int(meta["seed"]), 16), image)


@pytest.mark.parametrize(("args", "message"), [
    (["--stats", "cifar11"], "unknown statistics preset 'cifar11'"),
    (["--stats", "0.5"], "expected 2 (MEAN,STD) or 6"),
    (["--stats", "a,b"], "unknown statistics preset 'a,b'"),
    (["--stats", "0.5,,0.2"], "malformed statistics"),
    (["--stats", "0.5,-0.1"], "standard deviations must lie in (0, 1]"),
    (["--stats", "1.5,0.1"], "means must lie in [0, 1]"),
    (["--stats", "0.1,0.2,0.3,0.1"], "expected 2 (MEAN,STD) or 6"),
    (["--kind", "perlin"], "invalid choice"),
    (["--kind", "spectral", "--alpha", "9"], "alpha must be in [0, 4]"),
    (["--size", "5000"], "--size must be in 8..1024"),
    (["--size", "2"], "--size must be in 8..1024"),
    (["--seed", "-1"], "must be at least 0"),
])
def test_bad_input_is_one_line_and_no_work(tmp_path, capsys, args, message):
    assert noise_cli("--n", "10", "--out", tmp_path / "d", *args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("render-noise: error:") and "\n" not in err and message in err
    assert not (tmp_path / "d").exists()
