"""Program search (``render-shaders --steer search``): the archive's rules, niches filled on a real digits teacher,
deterministic, resumable and in-memory chunks, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from synthkd.core.classes import histogram
from synthkd.core.dataset import open_dataset
from synthkd.core.steer import SteerSettings
from synthkd.core.tensors import predict
from synthkd.procgen.cli import render_leaves_main, render_noise_main
from synthkd.shaders.search import Archive, Genome
from synthkd.shaders.stage import ShaderDataset, render_shaders, shader_batches
from synthkd.teacher import PANEL
from tests.helpers import MODES, chunk_bytes, run_cli, start_and_kill

TEACHER = PANEL["ink_gapcnn"]  # calls most plain renders one class (see synthkd.teacher)


def searched(out, lever: str = "search", **changes) -> ShaderDataset:
    """A small steered shader dataset of the test corpus: 3 chunks of 128 images at 32 px, 300 search renders."""
    settings = dict(out=out, n=384, size=32, chunk_size=128, corpus=(MODES,), quiet=True, teacher=TEACHER.spec,
                    steering=SteerSettings(steer=lever, search_budget=300))
    return ShaderDataset(**{**settings, **changes})


def test_the_archive_keeps_distinct_shaders_and_the_fittest():
    archive = Archive(niches=2, capacity=2)
    assert archive.insert(0, Genome(0, 1.0, 0), 0.5) and archive.insert(0, Genome(1, 2.0, 0), 0.3)
    assert not archive.insert(0, Genome(0, 3.0, 1), 0.4)  # shader 0 is there, fitter: kept
    assert archive.insert(0, Genome(0, 4.0, 2), 0.6)  # shader 0 again, fitter: replaces its own entry only
    assert [(e.genome.shader, e.genome.time, e.fitness) for e in archive.elites[0]] == [(0, 4.0, 0.6), (1, 2.0, 0.3)]
    assert not archive.insert(0, Genome(2, 5.0, 0), 0.2)  # full, and no fitter than the worst
    assert archive.insert(0, Genome(2, 5.0, 0), 0.35)  # full: replaces the worst (shader 1)
    assert [e.genome.shader for e in archive.elites[0]] == [0, 2]
    assert archive.counts().tolist() == [2, 0] and archive.filled() == [0]
    assert archive.insert(1, Genome(2, 6.0, 3), 0.9)  # a shader may be an elite of several niches
    shaders, variants = [type("S", (), {"name": f"s{i}"})() for i in range(3)], [type("V", (), {"name": f"v{i}"})()
                                                                                  for i in range(4)]
    again = Archive.from_record(json.loads(json.dumps(archive.record(shaders, variants))), shaders, variants, 2)
    assert again.elites == archive.elites


def test_search_fills_more_niches_than_plain_renders(tmp_path):
    record = render_shaders(searched(tmp_path / "d"))
    teacher = TEACHER.spec.load(check_size=32)
    plain = next(iter(shader_batches(ShaderDataset(n=384, size=32, chunk_size=128, corpus=(MODES,), quiet=True),
                                     [0])))[0]
    plain_classes = np.unique(predict(teacher, plain).argmax(1).numpy())
    chosen = json.loads((tmp_path / "d" / "dataset.json").read_text())["derived"]["steer"]
    search = chosen["search"]
    filled = [c for c, niche in enumerate(search["niches"]) if niche["shaders"]]
    assert len(filled) > len(plain_classes) and search["counts"] == [len(n["shaders"]) for n in search["niches"]]
    assert all(len(set(n["shaders"])) == len(n["shaders"]) for n in search["niches"])  # distinct programs
    assert max(search["counts"]) > 1 and search["rendered"] == 300 and search["rounds"] >= 2
    assert record["steer"]["lever"] == "search" and record["steer"]["search"]["counts"] == search["counts"]
    ds = open_dataset(tmp_path / "d")
    niches, classes = np.asarray(ds.column("niche")), np.asarray(ds.column("teacher_class"))
    assert set(niches.tolist()) <= set(filled) and len(set(niches.tolist())) > len(plain_classes)
    assert (histogram(niches, 10) > 0).sum() == len(filled) and len(set(ds.column("shader"))) > 3
    assert (niches == classes).mean() > 0.5  # most images stay in their elite's class
    lo, hi = searched(tmp_path / "d").time_range
    assert all(lo <= t <= hi for t in ds.column("time"))


def test_searched_chunks_are_deterministic_resumable_and_in_memory(tmp_path):
    render_shaders(searched(tmp_path / "a"))
    render_shaders(searched(tmp_path / "b"))
    assert chunk_bytes(tmp_path / "a") == chunk_bytes(tmp_path / "b")
    for name in ("c000001.npy", "c000001.json", "c000002.npy", "c000002.json"):
        (tmp_path / "b" / "chunks" / name).unlink()
    render_shaders(searched(tmp_path / "b"))  # resumes with the recorded archive
    assert chunk_bytes(tmp_path / "a") == chunk_bytes(tmp_path / "b")
    ds = open_dataset(tmp_path / "a")
    images, columns = next(iter(shader_batches(searched(tmp_path / "unused"), [2])))
    assert np.array_equal(images, ds.chunk_images(2))
    assert columns == {key: [m[key] for m in ds.chunk_metas(2)] for key in columns}
    assert {"variant", "teacher_class", "niche", "shader", "time"} <= set(columns)
    other = next(iter(shader_batches(searched(tmp_path / "unused", seed=1), [2])))[0]
    assert not np.array_equal(other, images)


@pytest.mark.slow
def test_all_levers_on_shaders_search_and_shard(tmp_path):
    """'all' on shaders: the fitted variant mixture seeds the search, chunks are kept by class quota."""
    record = render_shaders(searched(tmp_path / "a", "all"))
    assert record["candidates"] == 3 * 384 and record["kept"] == 384 and "search" in record["steer"]
    chosen = json.loads((tmp_path / "a" / "dataset.json").read_text())["derived"]["steer"]
    assert len(chosen["weights"]) > 1 and chosen["search"]["rendered"] == 300
    for i in range(2):
        render_shaders(searched(tmp_path / f"s{i}", "all", shard=f"{i}/2"))
    ds = open_dataset(tmp_path / "a")
    assert np.array_equal(open_dataset([tmp_path / "s0", tmp_path / "s1"]).images(), ds.images())
    assert set(ds.column("variant")) <= set(chosen["names"]) | {n for niche in chosen["search"]["niches"]
                                                                for n in niche["variants"]}


@pytest.mark.slow
def test_a_killed_searched_run_resumes_to_the_same_bytes(tmp_path):
    args = [sys.executable, "-m", "synthkd.shaders.cli", "--n", 1024, "--size", 32, "--chunk-size", 128, "--corpus",
            MODES, "--quiet", "--teacher", TEACHER.arch, "--weights", TEACHER.weights, "--teacher-normalization",
            TEACHER.normalization, "--steer", "search", "--search-budget", 300]
    args = [str(a) for a in args]
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    subprocess.run([*args, "--out", str(whole)], check=True, stdout=subprocess.DEVNULL)
    assert 0 < start_and_kill([*args, "--out", str(killed)], killed, chunks=3) < 8
    subprocess.run([*args, "--out", str(killed)], check=True, stdout=subprocess.DEVNULL)  # the recorded archive
    assert chunk_bytes(whole) == chunk_bytes(killed)


@pytest.mark.parametrize("main", [render_leaves_main, render_noise_main])
def test_search_without_programs_is_one_line(tmp_path, capsys, main):
    args = ["--n", 10, "--out", tmp_path / "d", "--teacher", TEACHER.arch, "--weights", TEACHER.weights,
            "--teacher-normalization", TEACHER.normalization, "--steer", "search"]
    assert run_cli(main, *args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "program search needs shader programs (render-shaders)" in err, err
    assert not (tmp_path / "d").exists()
