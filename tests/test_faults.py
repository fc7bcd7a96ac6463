"""Faults and damage (issue 15): checksummed chunks found damaged by `synthkd verify`, by readers and by a re-run that
repairs them; the dataset fingerprint guarding resumes; distill guarding its --out; one lock per output folder; and
every fault (disk full, read-only folder, a dying DataLoader worker, damaged files) as one line with exit status 1,
nothing half-written left behind, and the same command continuing once the cause is gone."""

from __future__ import annotations

import fcntl
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from synthkd.cli import main as synthkd_main
from synthkd.core.dataset import Shard, open_dataset
from synthkd.core.errors import DatasetError
from synthkd.core.files import LOCK
from synthkd.core.writer import DatasetWriter
from synthkd.distill.cli import main as distill_main
from synthkd.distill.settings import DistillSettings
from synthkd.distill.train import distill
from synthkd.export import main as export_main
from synthkd.probe.cli import main as probe_main
from synthkd.procgen.cli import render_noise_main
from synthkd.shaders.cli import main as render_shaders_main
from synthkd.shaders.corpus import CheckSettings, check_shaders, mark_slow, source_from_text
from tests.helpers import MODES, ROOT, chunk_bytes, run_cli, start_and_kill
from tests.test_distill import one_thread  # noqa: F401  (autouse fixture)

NOISE = ["--n", "160", "--size", "16", "--chunk-size", "16", "--quiet"]  # 10 chunks of 16 images
NOISE32 = ["--n", "64", "--size", "32", "--chunk-size", "32", "--quiet"]  # for the teacher: 2 chunks of 32 images
CLI = "import importlib, sys; sys.exit(getattr(importlib.import_module(sys.argv[1]), sys.argv[2])(sys.argv[3:]))"
LIMITED = ("import resource, sys; limit = int(sys.argv.pop(1)); resource.setrlimit(resource.RLIMIT_FSIZE, (limit, "
           "limit)); " + CLI)  # files may not grow beyond the limit, as under `ulimit -f`


def noise(out: Path, *args) -> Path:
    assert run_cli(render_noise_main, *NOISE, "--out", out, *args) == 0
    return out


def one_line(err: str, prog: str) -> str:
    """The single error line a command printed (and check that it is one)."""
    assert err.count("\n") == 1 and err.startswith(f"{prog}: error: "), err
    return err


def limited(fsize: int, module: str, function: str, *args) -> subprocess.CompletedProcess:
    """A command run in a child process whose files may not grow beyond ``fsize`` bytes (as under ``ulimit -f``):
    writes fail with EFBIG, as on a full disk."""
    return subprocess.run([sys.executable, "-c", LIMITED, str(fsize), module, function, *map(str, args)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT,
                          env={**os.environ, "OMP_NUM_THREADS": "1"})


def corrupt(npy: Path, how: str) -> None:
    """Delete a chunk's images, cut the file short, or overwrite pixel bytes (inverted, so they surely change)."""
    if how == "missing":
        npy.unlink()
    elif how == "truncated":
        os.truncate(npy, npy.stat().st_size // 2)
    else:
        with open(npy, "r+b") as f:
            f.seek(-40, os.SEEK_END)
            data = f.read(16)
            f.seek(-40, os.SEEK_END)
            f.write(bytes(b ^ 0xFF for b in data))


def read_only(folder: Path) -> None:
    """Make ``folder`` read-only, or skip the test where permissions do not stop writing (root)."""
    folder.chmod(0o555)
    try:
        (folder / ".write-test").write_text("x")
    except PermissionError:
        return
    (folder / ".write-test").unlink()
    folder.chmod(0o755)
    pytest.skip("permissions do not stop this user (root) from writing")


def teacher_run_args(teacher, data: Path, out: Path, *extra) -> list:
    return [*teacher.args, "--student", "resnet8_cifar", "--data", data, "--out", out, "--epochs", "2",
            "--batch-size", "16", "--workers", "0", "--quiet", *extra]


# ------------------------------------------------------------------------------------- checksums, verify, repair


def test_verify_finds_exactly_the_corrupted_chunks_and_a_rerun_repairs_them(tmp_path, capsys):
    out = noise(tmp_path / "d")
    before = chunk_bytes(out)
    fingerprint = json.loads((out / "dataset.json").read_text())["fingerprint"]
    assert open_dataset(out).fingerprint == fingerprint and len(fingerprint) == 16
    assert run_cli(synthkd_main, "verify", out) == 0
    capsys.readouterr()
    rng = random.Random(15)
    chosen = dict(zip(sorted(rng.sample(range(10), 3)), rng.sample(["missing", "truncated", "altered"], 3),
                      strict=True))
    for c, how in chosen.items():
        corrupt(out / "chunks" / f"c{c:06d}.npy", how)
    for command in (["verify"], ["info", "--verify"]):
        assert run_cli(synthkd_main, *command, out) == 1
        lines = capsys.readouterr().out.splitlines()
        assert sorted(line.split(":")[0] for line in lines[:-1]) == \
            [str(out / "chunks" / f"c{c:06d}.npy") for c in chosen]
        assert json.loads(lines[-1])["bad"] == 3 and json.loads(lines[-1])["ok"] == 7
    assert run_cli(render_noise_main, *NOISE, "--out", out) == 0  # the same command
    captured = capsys.readouterr()
    record = json.loads(captured.out)
    assert record["repaired"] == 3 and record["run"]["repaired"] == 3 and record["run"]["images"] == 3 * 16
    assert "repaired 3 damaged chunks" in captured.err
    assert chunk_bytes(out) == before
    assert run_cli(synthkd_main, "verify", out) == 0


def test_a_damaged_chunk_is_named_by_every_reader(tmp_path, capsys, random_teacher):
    data = tmp_path / "ds"
    assert run_cli(render_noise_main, *NOISE32, "--out", data) == 0
    corrupt(data / "chunks" / "c000001.npy", "altered")
    bad = str(data / "chunks" / "c000001.npy")
    with pytest.raises(DatasetError, match="c000001.npy does not match the checksum"):
        open_dataset(data).images()
    checks = [(export_main, "synthkd export", [data, "--format", "imagefolder", "--out", tmp_path / "x", "--quiet"]),
              (probe_main, "probe", ["--data", data, "--out", tmp_path / "dk", *random_teacher.args, "--attack",
                                     "none", "--fill", "off", "--quiet"]),  # read on probe's reader thread
              (distill_main, "distill", teacher_run_args(random_teacher, data, tmp_path / "run"))]
    for main, prog, args in checks:
        assert run_cli(main, *args) == 1, prog
        assert bad in one_line(capsys.readouterr().err, prog)
    (data / "chunks" / "c000001.npy").unlink()  # probe used to fail here with KeyError: 1
    assert run_cli(probe_main, *checks[1][2]) == 1
    assert f"{bad} is missing" in one_line(capsys.readouterr().err, "probe")


def test_datasets_from_before_checksums_still_read(tmp_path, capsys):
    out = noise(tmp_path / "d")
    for meta in (out / "chunks").glob("*.json"):
        m = json.loads(meta.read_text())
        del m["sha256"], m["bytes"]
        meta.write_text(json.dumps(m))
    header = json.loads((out / "dataset.json").read_text())
    del header["fingerprint"]
    (out / "dataset.json").write_text(json.dumps(header))
    assert len(open_dataset(out).images()) == 160 and open_dataset(out).fingerprint is None
    assert run_cli(synthkd_main, "verify", out) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1]) == \
        {"chunks": 10, "ok": 0, "no_checksum": 10, "incomplete": [], "bad": 0}
    os.truncate(out / "chunks" / "c000004.npy", 100)  # still found: the file no longer holds its array
    assert run_cli(synthkd_main, "verify", out) == 1
    assert "c000004.npy: is unreadable" in capsys.readouterr().out
    assert run_cli(render_noise_main, *NOISE, "--out", out) == 0
    assert json.loads(capsys.readouterr().out)["repaired"] == 1


def test_shards_joined_have_the_fingerprint_of_the_whole(tmp_path):
    whole = noise(tmp_path / "whole")
    for i in range(2):
        noise(tmp_path / "parts" / f"shard-{i}-of-2", "--shard", f"{i}/2")
    assert open_dataset(tmp_path / "parts").fingerprint == open_dataset(whole).fingerprint
    assert run_cli(synthkd_main, "merge", tmp_path / "merged", *sorted((tmp_path / "parts").iterdir())) == 0
    assert json.loads((tmp_path / "merged" / "dataset.json").read_text())["fingerprint"] == \
        json.loads((whole / "dataset.json").read_text())["fingerprint"]


# ------------------------------------------------------------------------------------------ fingerprint, resume


def test_distill_resume_refuses_other_data_at_the_same_path(tmp_path, capsys, random_teacher):
    data, run = tmp_path / "dk", tmp_path / "run"
    assert run_cli(render_noise_main, *NOISE32, "--out", data) == 0
    cfg = DistillSettings(teacher=random_teacher.settings, student="resnet8_cifar", data=data, out=run, epochs=2,
                          batch_size=16, workers=0, quiet=True)
    assert distill(cfg, stop_after=1) is None
    shutil.rmtree(data)  # the same generator, seed and count, other images: only the fingerprint tells
    assert run_cli(render_noise_main, *NOISE32, "--out", data, "--kind", "uniform") == 0
    capsys.readouterr()
    assert run_cli(distill_main, *teacher_run_args(random_teacher, data, run, "--resume")) == 2
    err = one_line(capsys.readouterr().err, "distill")
    assert "changed since the run started" in err and "fingerprint" in err


def test_distill_resume_with_a_truncated_checkpoint_is_one_line(tmp_path, capsys, random_teacher):
    data, run = tmp_path / "dk", tmp_path / "run"
    assert run_cli(render_noise_main, *NOISE32, "--out", data) == 0
    args = teacher_run_args(random_teacher, data, run, "--resume")
    assert distill(DistillSettings(teacher=random_teacher.settings, student="resnet8_cifar", data=data, out=run,
                                   epochs=2, batch_size=16, workers=0, quiet=True), stop_after=1) is None
    os.truncate(run / "checkpoint.pt", 1000)
    capsys.readouterr()
    assert run_cli(distill_main, *args) == 1
    assert "checkpoint.pt: it is damaged" in one_line(capsys.readouterr().err, "distill")


def test_probe_resume_refuses_other_data_at_the_same_path(tmp_path, capsys, random_teacher):
    data = tmp_path / "ds"
    assert run_cli(render_noise_main, *NOISE32, "--out", data) == 0
    args = ["--data", data, "--out", tmp_path / "dk", *random_teacher.args, "--attack", "none", "--fill", "off",
                  "--quiet"]
    assert run_cli(probe_main, *args) == 0
    shutil.rmtree(data)
    assert run_cli(render_noise_main, *NOISE32, "--out", data, "--kind", "uniform") == 0
    capsys.readouterr()
    assert run_cli(probe_main, *args) == 2
    assert "D_S fingerprint" in one_line(capsys.readouterr().err, "probe")


# ----------------------------------------------------------------------------------------- outputs and locks


def test_distill_refuses_a_foreign_out_before_any_work(tmp_path, capsys, random_teacher):
    data, out = tmp_path / "dk", tmp_path / "d"
    assert run_cli(render_noise_main, *NOISE32, "--out", data) == 0
    out.mkdir()
    for name in ("student.pt", "summary.json"):
        (out / name).write_text("precious")
    capsys.readouterr()
    assert run_cli(distill_main, *teacher_run_args(random_teacher, data, out)) == 2
    assert "not a distill run" in one_line(capsys.readouterr().err, "distill")
    assert {p.name: p.read_text() for p in out.iterdir()} == {"student.pt": "precious", "summary.json": "precious"}


def test_a_second_writer_of_a_folder_is_refused_at_once(tmp_path, capsys, random_teacher):
    out = tmp_path / "d"
    out.mkdir()
    with open(out / LOCK, "ab") as held:  # another process's lock (a second open file conflicts like one)
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert run_cli(render_noise_main, *NOISE, "--out", out) == 1
        assert "being written by another process" in one_line(capsys.readouterr().err, "render-noise")
        assert run_cli(distill_main, *teacher_run_args(random_teacher, tmp_path / "none", out)) == 1
        assert "being written by another process" in one_line(capsys.readouterr().err, "distill")
    noise(out)  # the lock is gone with its holder


@pytest.mark.slow
def test_a_killed_run_leaves_no_stale_lock(tmp_path):
    out = tmp_path / "d"
    args = ["--n", "16000", "--size", "32", "--chunk-size", "256", "--out", str(out), "--quiet"]  # 63 chunks
    assert 0 < start_and_kill([sys.executable, "-c", CLI, "synthkd.procgen.cli", "render_noise_main", *args], out,
                              chunks=2) < 63
    assert run_cli(render_noise_main, *args) == 0


def test_more_shards_than_chunks_is_bad_input(tmp_path, capsys):
    assert run_cli(render_noise_main, *NOISE, "--out", tmp_path / "d", "--shard", "3/11") == 2
    assert "only 10 chunks" in one_line(capsys.readouterr().err, "render-noise")
    assert not (tmp_path / "d").exists()
    with pytest.raises(DatasetError, match="too few for 11 shards"):
        DatasetWriter(tmp_path / "w", {"generator": "t", "total": 10, "image_size": 4, "seed": 0, "chunk_size": 1,
                                       "settings": {}}, Shard(0, 11))


# --------------------------------------------------------------------------------------- faults: one line each


def test_damaged_metadata_is_one_line(tmp_path, capsys):
    out = noise(tmp_path / "d")
    (out / "chunks" / "c000002.json").unlink()
    capsys.readouterr()
    assert run_cli(synthkd_main, "info", out) == 1
    assert "c000002.json is missing" in one_line(capsys.readouterr().err, "synthkd")
    (out / "chunks" / "c000003.json").write_text("{not json")
    assert run_cli(synthkd_main, "verify", out) == 1
    assert "c000003.json: is unreadable" in capsys.readouterr().out
    assert run_cli(render_noise_main, *NOISE, "--out", out) == 0  # repairs both
    assert json.loads(capsys.readouterr().out)["repaired"] == 2
    (out / "dataset.json").write_text("{not json")
    for main, prog, args in ((synthkd_main, "synthkd", ["info", out]), (render_noise_main, "render-noise",
                                                                        [*NOISE, "--out", out]),
                             (probe_main, "probe", ["--data", out, "--out", tmp_path / "dk", "--teacher", "x"])):
        assert run_cli(main, *args) == 1, prog
        assert f"{out / 'dataset.json'} is not valid JSON" in one_line(capsys.readouterr().err, prog)


@pytest.mark.slow
def test_disk_full_while_rendering_is_one_line_and_the_same_command_resumes(tmp_path, capsys):
    out = tmp_path / "d"
    done = limited(10_000, "synthkd.procgen.cli", "render_noise_main", *NOISE, "--out", out)  # a chunk is 12 kB
    assert done.returncode == 1
    assert f"cannot write {out / 'chunks' / 'c000000.npy'}: File too large" in one_line(done.stderr, "render-noise")
    assert [p.name for p in (out / "chunks").iterdir()] == []  # nothing half-written
    assert chunk_bytes(noise(out)) == chunk_bytes(noise(tmp_path / "reference"))


@pytest.mark.slow
def test_disk_full_while_probing_and_distilling_is_one_line_and_resumes(tmp_path, capsys, random_teacher):
    data = tmp_path / "ds"
    assert run_cli(render_noise_main, *NOISE32, "--out", data) == 0
    probe_args = ["--data", data, "--out", tmp_path / "dk", *random_teacher.args, "--attack", "none", "--fill", "off",
                  "--quiet"]
    done = limited(50_000, "synthkd.probe.cli", "main", *probe_args)  # a D_K chunk is 180 kB
    assert done.returncode == 1 and "File too large" in one_line(done.stderr, "probe")
    assert not list((tmp_path / "dk" / "chunks").glob("*.npy"))
    assert run_cli(probe_main, *probe_args) == 0
    run = tmp_path / "run"
    done = limited(200_000, "synthkd.distill.cli", "main", *teacher_run_args(random_teacher, data, run))
    assert done.returncode == 1  # the checkpoint (student and optimiser, ~700 kB) does not fit
    assert f"cannot write {run / 'checkpoint.pt'}: File too large" in one_line(done.stderr, "distill")
    assert sorted(p.name for p in run.iterdir()) == [LOCK]
    capsys.readouterr()
    assert run_cli(distill_main, *teacher_run_args(random_teacher, data, run, "--resume")) == 0
    assert json.loads(capsys.readouterr().out)["epochs"] == 2


@pytest.mark.slow
def test_a_failing_dataloader_worker_ends_the_run_instead_of_hanging(tmp_path, random_teacher):
    data = tmp_path / "ds"
    assert run_cli(render_noise_main, *NOISE32, "--out", data) == 0
    args = teacher_run_args(random_teacher, data, tmp_path / "run", "--workers", "1", "--batch-size", "32")
    # A batch of 32 augmented float images (393 kB) cannot be put in shared memory: the worker fails.
    done = limited(300_000, "synthkd.distill.cli", "main", *args)
    assert done.returncode == 1
    assert "a DataLoader worker failed" in one_line(done.stderr, "distill") and "File too large" in done.stderr


def test_read_only_output_folders_are_one_line(tmp_path, capsys, random_teacher):
    out = noise(tmp_path / "d")
    (out / "chunks" / "c000002.npy").unlink()
    read_only(out / "chunks")
    try:
        assert run_cli(render_noise_main, *NOISE, "--out", out) == 1
        *logged, err = capsys.readouterr().err.splitlines()  # the warning about the missing chunk, then the error
        assert "damaged chunks" in logged[0] and "Permission denied" in one_line(err + "\n", "render-noise")
    finally:
        (out / "chunks").chmod(0o755)
    assert run_cli(render_noise_main, *NOISE, "--out", out) == 0  # the cause gone, the same command finishes
    capsys.readouterr()
    run = tmp_path / "run"
    run.mkdir()
    read_only(run)
    try:
        assert run_cli(distill_main, *teacher_run_args(random_teacher, out, run)) == 1
        assert "Permission denied" in one_line(capsys.readouterr().err, "distill")
    finally:
        run.chmod(0o755)


# ------------------------------------------------------------------------------------------------ shaders


def test_empty_programs_fail_the_check_and_resumed_runs_keep_the_renderer(tmp_path, capsys):
    results = check_shaders([source_from_text("", "empty.glsl"), source_from_text("// a comment\n", "c.glsl")],
                            CheckSettings(16))
    assert {r["status"] for r in results.values()} == {"empty"}
    corpus, out = tmp_path / "corpus", tmp_path / "d"
    corpus.mkdir()
    shutil.copy(MODES / "classic.glsl", corpus)
    (corpus / "empty.glsl").write_text("")
    args = ["--n", "32", "--size", "16", "--chunk-size", "16", "--corpus", corpus, "--out", out, "--quiet"]
    assert run_cli(render_shaders_main, *args) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["shaders_used"] == 1 and record["shaders_skipped"] == {"empty": 1}
    for p in (out / "chunks").glob("c000001.*"):
        p.unlink()
    assert run_cli(render_shaders_main, *args) == 0
    runs = json.loads((out / "dataset.json").read_text())["runs"]
    assert len(runs) == 2 and runs[1]["renderer"] == runs[0]["renderer"] and not runs[1]["renderer"].startswith(" ")


def test_too_slow_says_which_number_is_the_limit():
    results = {k: {"status": "ok", "ms_per_image": v} for k, v in {"a": 1.0, "b": 1.0, "c": 100.0}.items()}
    mark_slow(results, 25)
    assert results["c"]["status"] == "too_slow"
    assert results["c"]["error"] == "100 ms/image > limit 25 ms (25 x the median 1 ms)"
