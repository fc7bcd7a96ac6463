"""Rendering shaders end to end, as a stage and as the render-shaders command: real EGL renders into dataset
directories."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from synthkd.core.dataset import open_dataset
from synthkd.shaders.cli import main
from synthkd.shaders.stage import ShaderDataset, render_shaders, shader_batches
from tests.helpers import BAD, MODES, chunk_bytes, run_cli, start_and_kill

SMALL = ["--corpus", str(MODES), "--size", "16", "--chunk-size", "64", "--quiet"]
SMALL_SETTINGS = {"corpus": (MODES,), "size": 16, "chunk_size": 64, "quiet": True}


def render(*args) -> int:
    """The render-shaders command's exit status."""
    return run_cli(main, *args)


def shaders(out: Path, **settings) -> dict:
    """Render a small dataset of the test corpus with the stage function; returns its record."""
    return render_shaders(ShaderDataset(out=out, **{**SMALL_SETTINGS, **settings}))


def test_built_in_corpus_small_run(tmp_path, capsys):
    out = tmp_path / "d"
    assert render("--n", 300, "--out", out, "--quiet") == 0
    ds = open_dataset(out)
    assert len(ds) == 300 and ds.image_size == 32
    image, meta = ds[123]
    assert image.shape == (32, 32, 3) and image.dtype == np.uint8
    assert meta["generator"] == "shaders" and meta["index"] == 123
    assert (Path(__file__).parents[1] / "assets" / "shaders" / meta["shader"]).is_file()
    assert len(meta["sha"]) == 16 and 0.1 <= meta["time"] <= 10.0 and isinstance(meta["seed"], int)
    header = json.loads((out / "dataset.json").read_text())
    assert header["complete"] and header["count"] == 300 and header["seed"] == 0
    assert header["settings"]["frames"] == 8 and len(header["derived"]["shaders"]) >= 150
    assert (out / "preview.png").is_file()
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["kept"] == 300 and report["rendered"] >= 300


def test_same_seed_same_bytes_other_seed_other_images(tmp_path):
    for name, seed in (("a", 0), ("b", 0), ("c", 1)):
        shaders(tmp_path / name, n=200, seed=seed)
    assert chunk_bytes(tmp_path / "a") == chunk_bytes(tmp_path / "b")
    a, c = open_dataset(tmp_path / "a").images(), open_dataset(tmp_path / "c").images()
    assert not np.array_equal(a, c)


def test_in_memory_batches_equal_the_written_chunks(tmp_path):
    shaders(tmp_path / "d", n=200)
    ds = open_dataset(tmp_path / "d")
    batches = list(shader_batches(ShaderDataset(n=200, **SMALL_SETTINGS), [3, 1]))
    for k, (images, columns) in zip((3, 1), batches, strict=True):
        assert np.array_equal(images, ds.chunk_images(k))
        assert columns == {key: [m[key] for m in ds.chunk_metas(k)] for key in columns}


def test_shards_hold_exactly_the_unsharded_images_in_order(tmp_path):
    shaders(tmp_path / "whole", n=300)
    for i in range(3):
        shaders(tmp_path / f"s{i}", n=300, shard=f"{i}/3")
    whole = open_dataset(tmp_path / "whole")
    joined = open_dataset([tmp_path / "s2", tmp_path / "s0", tmp_path / "s1"])
    assert np.array_equal(joined.images(), whole.images())
    assert [joined[i][1] for i in range(300)] == [whole[i][1] for i in range(300)]


@pytest.mark.slow
def test_resume_after_kill_finishes_without_redoing_work(tmp_path):
    args = ["--n", 4000, "--size", 32, "--chunk-size", 128, "--corpus", MODES, "--quiet"]
    reference = tmp_path / "reference"
    shaders(reference, n=4000, size=32, chunk_size=128)

    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "synthkd.shaders.cli", *map(str, args), "--out", str(out)]
    finished = start_and_kill(cmd, out, 3)
    assert 3 <= finished < 32, "killed part-way"
    first_chunk = (out / "chunks" / "c000000.npy").stat().st_mtime_ns

    assert render(*args, "--out", out) == 0  # the same command again
    assert (out / "chunks" / "c000000.npy").stat().st_mtime_ns == first_chunk  # not redone
    header = json.loads((out / "dataset.json").read_text())
    assert header["runs"][-1]["images"] == 4000 - 128 * finished
    assert chunk_bytes(out) == chunk_bytes(reference)
    assert not [p for p in (out / "chunks").iterdir() if p.name.startswith(".")]


@pytest.mark.slow
def test_filters_and_checks_are_counted_by_reason(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(BAD, corpus)
    shutil.copy(MODES / "geekest300.glsl", corpus / "good.glsl")
    out = tmp_path / "d"
    shaders(out, n=100, corpus=(corpus,), frames=4, shader_timeout=3)
    header = json.loads((out / "dataset.json").read_text())
    counts = header["summary"]["counts"]
    for reason in ("constant", "few_colours", "mostly_background", "nan_inf"):
        assert counts[f"dropped_{reason}"] > 0, reason
    assert counts["kept"] == 100 and counts["rendered"] == 100 + sum(v for k, v in counts.items() if "dropped" in k)
    skipped = {k: v["status"] for k, v in header["derived_info"]["skipped"].items()}
    assert skipped == {"syntax-error.glsl": "compile_error", "hang.glsl": "hang"}
    assert {m["shader"] for m in open_dataset(out).chunk_metas(0)} == {"good.glsl"}


@pytest.mark.parametrize(("args", "message"), [
    (["--n", "0"], "at least 1"),
    (["--n", "-5"], "at least 1"),
    (["--n", "ten"], "whole number"),
    (["--size", "4"], "--size must be in 8..1024"),
    (["--size", "5000"], "--size must be in 8..1024"),
    (["--frames", "0"], "--frames must be in 1..64"),
    (["--frames", "65"], "--frames must be in 1..64"),
    (["--shard", "2/2"], "--shard wants I/N"),
    (["--time-range", "5:1"], "LO < HI"),
    (["--min-foreground", "0.7"], "--min-foreground must be in [0, 0.5)"),
    (["--backend", "vulkan"], "invalid choice"),
    (["--corpus", "/nonexistent/shaders"], "corpus directory not found"),
    (["--seed", "-1"], "must be at least 0"),
])
def test_bad_input_is_one_line_and_no_work(tmp_path, capsys, args, message):
    out = tmp_path / "d"
    assert render("--n", "10", "--out", out, *args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("render-shaders: error:") and "\n" not in err and message in err
    assert not (out / "chunks").exists() or not list((out / "chunks").iterdir())


def test_empty_corpus_and_bad_outputs(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert render("--n", 10, "--out", tmp_path / "d", "--corpus", tmp_path / "empty") == 2
    assert "no shader files" in capsys.readouterr().err
    (tmp_path / "file").write_text("x")
    assert render("--n", 10, "--out", tmp_path / "file" / "d", *SMALL) == 2
    assert "cannot write" in capsys.readouterr().err
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("x")
    assert render("--n", 10, "--out", tmp_path / "mine", *SMALL) == 2
    assert "not empty" in capsys.readouterr().err


def test_an_existing_different_dataset_is_refused(tmp_path, capsys):
    out = tmp_path / "d"
    assert render("--n", 64, "--out", out, *SMALL) == 0
    before = chunk_bytes(out)
    assert render("--n", 64, "--out", out, "--seed", 7, *SMALL) == 2
    err = capsys.readouterr().err.strip()
    assert "already holds a different dataset (differs in seed)" in err and "\n" not in err
    assert chunk_bytes(out) == before
    assert render("--n", 64, "--out", out, *SMALL) == 0  # the same command again is fine (nothing to do)


@pytest.mark.slow
def test_torchrun_renders_one_shard_per_rank(tmp_path):
    args = ["--num-images", "300", *SMALL]  # torchrun's parser would take '--n' for one of its own options
    shaders(tmp_path / "whole", n=300)
    out = tmp_path / "ranks"
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
           "-m", "synthkd.shaders.cli", *args, "--out", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert sorted(p.name for p in out.iterdir()) == ["shard-0-of-2", "shard-1-of-2"]
    assert np.array_equal(open_dataset(out).images(), open_dataset(tmp_path / "whole").images())


def test_a_very_slow_shader_is_skipped_and_reported(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    shutil.copytree(MODES, corpus)
    shutil.copy(Path(__file__).parent / "shaders" / "slow" / "heavy.glsl", corpus / "heavy.glsl")
    out = tmp_path / "d"
    assert render("--n", 64, "--out", out, "--corpus", corpus, "--size", 16, "--quiet") == 0
    info = json.loads((out / "dataset.json").read_text())["derived_info"]
    assert info["skipped"]["heavy.glsl"]["status"] == "too_slow" and "median" in info["skipped"]["heavy.glsl"]["error"]
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["shaders_skipped"] == {"too_slow": 1}
    assert "heavy.glsl" not in {m["shader"] for m in open_dataset(out).chunk_metas(0)}
