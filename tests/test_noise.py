"""Noise: per-channel statistics of every preset and kind, spectra, and the render-noise command."""

import numpy as np
import pytest

from synthkd.core.dataset import open_dataset
from synthkd.core.statistics import STATISTICS
from synthkd.procgen.cli import render_noise_main
from synthkd.procgen.noise import NoiseSettings, clipped_moments, make_chunk, parse_stats, unit_noise
from synthkd.procgen.stage import NoiseDataset, noise_batches, render_noise
from tests.helpers import chunk_bytes, run_cli


def noise(out, **settings) -> dict:
    """render-noise at 16 px, 32 images per chunk, as a stage function."""
    return render_noise(NoiseDataset(out=out, size=16, chunk_size=32, quiet=True, **settings))


@pytest.mark.parametrize("preset", sorted(STATISTICS))
@pytest.mark.parametrize("kind", ["gaussian", "uniform", "spectral"])
def test_channel_means_and_stds_match_the_clipped_preset(preset, kind):
    mean, std = STATISTICS[preset]
    images, _, _ = make_chunk(NoiseSettings(stats=preset, kind=kind), 32, 0, 0, 256)
    x = images.reshape(-1, 3) / 255.0
    for c in range(3):
        m, s = clipped_moments(mean[c], std[c], "uniform" if kind == "uniform" else "gaussian")
        assert abs(x[:, c].mean() - m) < 0.004, (c, x[:, c].mean(), m)
        assert abs(x[:, c].std() - s) < 0.004, (c, x[:, c].std(), s)


def test_explicit_statistics():
    assert parse_stats("0.5,0.1") == ((0.5,) * 3, (0.1,) * 3)
    assert parse_stats("0.1,0.2,0.3,0.04,0.05,0.06") == ((0.1, 0.2, 0.3), (0.04, 0.05, 0.06))
    assert parse_stats("ImageNet") == STATISTICS["imagenet"]
    images, _, _ = make_chunk(NoiseSettings(stats="0.2,0.5,0.8,0.05,0.05,0.05"), 32, 0, 0, 64)
    assert np.allclose((images.reshape(-1, 3) / 255.0).mean(axis=0), (0.2, 0.5, 0.8), atol=0.003)


def _gaussian_image(seed: int, size: int) -> np.ndarray:
    """One CIFAR-10 Gaussian noise image made from its seed alone."""
    z = unit_noise("gaussian", np.array([seed], np.uint64), size, 1.0)[0]
    x = z * np.float32(STATISTICS["cifar10"][1]) + np.float32(STATISTICS["cifar10"][0])
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
        noise(tmp_path / name, n=100, seed=seed)
    assert chunk_bytes(tmp_path / "a") == chunk_bytes(tmp_path / "b")
    assert not np.array_equal(open_dataset(tmp_path / "a").images(), open_dataset(tmp_path / "c").images())
    for i in range(2):
        noise(tmp_path / f"s{i}", n=100, shard=f"{i}/2")
    assert np.array_equal(open_dataset([tmp_path / "s0", tmp_path / "s1"]).images(),
                          open_dataset(tmp_path / "a").images())
    # A run that stopped after some chunks: remove two finished chunks, run again, same bytes.
    for name in ("c000001.npy", "c000001.json", "c000003.json"):
        (tmp_path / "b" / "chunks" / name).unlink()
    noise(tmp_path / "b", n=100)
    assert chunk_bytes(tmp_path / "b") == chunk_bytes(tmp_path / "a")
    image, meta = open_dataset(tmp_path / "a")[3]
    assert meta["kind"] == "gaussian"
    # The recorded seed alone makes the image again.
    assert np.array_equal(_gaussian_image(int(meta["seed"]), 16), image)


def test_in_memory_batches_equal_the_written_chunks(tmp_path):
    settings = NoiseDataset(out=tmp_path / "d", n=70, size=16, chunk_size=32, quiet=True,
                            noise=NoiseSettings(kind="spectral"))
    render_noise(settings)
    ds = open_dataset(tmp_path / "d")
    batches = list(noise_batches(settings, range(ds.num_chunks + 1)))  # one chunk past the end: the stream goes on
    for k, (images, columns) in enumerate(batches[:-1]):
        assert np.array_equal(images, ds.chunk_images(k))
        assert columns == {key: [m[key] for m in ds.chunk_metas(k)] for key in columns}
    assert batches[-1][0].shape == (32, 16, 16, 3)


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
    assert run_cli(render_noise_main, "--n", "10", "--out", tmp_path / "d", *args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("render-noise: error:") and "\n" not in err and message in err
    assert not (tmp_path / "d").exists()
