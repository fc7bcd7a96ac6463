"""``synthkd export``: real datasets exported and read back with torchvision's ImageFolder and the webdataset
package; resuming; refusing bad input."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torchvision
import webdataset

from synthkd.core.dataset import open_dataset
from synthkd.core.torchdata import ImageDataset
from synthkd.core.writer import DatasetWriter
from synthkd.export import main
from synthkd.procgen.cli import render_noise_main
from tests.helpers import run_cli

LABELS = [0, 1, 2, 4, 4, 1, 0, 2, 2, 1, 0, 4, 1, 1, 2, 0, 4, 2, 1, 0]  # 5 classes, none of class 3


@pytest.fixture(scope="module")
def labelled(tmp_path_factory) -> Path:
    """A D_K-like dataset: 20 random 8 px images in chunks of 8 with a teacher label, a kind and a source index."""
    out = tmp_path_factory.mktemp("dk")
    rng = np.random.default_rng(0)
    w = DatasetWriter(out, {"generator": "probe", "total": 20, "image_size": 8, "seed": 0, "chunk_size": 8,
                            "settings": {"num_classes": 5}})
    for c, lo in enumerate(range(0, 20, 8)):
        n = w.chunk_count(c)
        rows = range(lo, lo + n)
        w.write_chunk(c, rng.integers(0, 256, (n, 8, 8, 3), dtype=np.uint8),
                      {"label": LABELS[lo:lo + n], "kind": ["balanced" if i % 3 else "random" for i in rows],
                       "source_index": [100 + i for i in rows]}, {"kept": n})
    w.finish()
    return out


@pytest.fixture(scope="module")
def unlabelled(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("noise")
    assert render_noise_main(["--n", "40", "--size", "16", "--chunk-size", "16", "--out", str(out), "--quiet"]) == 0
    return out


def export(*args) -> int:
    return run_cli(main, *args, "--quiet")


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def reference(dataset: Path) -> list[tuple[np.ndarray, int]]:
    """What synthkd.core.torchdata.ImageDataset gives: HxWx3 uint8 images and labels."""
    return [(x.permute(1, 2, 0).numpy(), y) for x, y in ImageDataset(dataset, uint8=True)]


def test_imagefolder_class_indices_equal_teacher_labels(labelled, tmp_path):
    out = tmp_path / "if"
    assert export(labelled, "--format", "imagefolder", "--out", out) == 0
    manifest = json.loads((out / "export.json").read_text())
    assert manifest["complete"] and manifest["num_classes"] == 5 and manifest["empty_classes"] == ["003"]
    with pytest.raises(FileNotFoundError):  # why the README says allow_empty=True
        torchvision.datasets.ImageFolder(str(out))
    folder = torchvision.datasets.ImageFolder(str(out), allow_empty=True)
    assert folder.classes == ["000", "001", "002", "003", "004"] and len(folder) == 20
    expected = reference(labelled)
    for (path, target), (image, _) in zip(folder.samples, folder, strict=True):
        i = int(Path(path).stem)
        assert Path(path).parent.name == f"{LABELS[i]:03d}" and target == LABELS[i] == expected[i][1]
        np.testing.assert_array_equal(np.asarray(image), expected[i][0])
    rows = [json.loads(line) for line in (out / "metadata.jsonl").read_text().splitlines()]
    assert [(r["file"], r["label"], r["index"]) for r in rows] == [(f"{y:03d}/{i:06d}.png", y, i)
                                                                    for i, y in enumerate(LABELS)]
    assert "allow_empty=True" in (out / "README.txt").read_text()


def test_webdataset_round_trip_of_a_subset(labelled, tmp_path):
    out = tmp_path / "wds"
    assert export(labelled, "--format", "webdataset", "--out", out, "--images-per-shard", "4",
                  "--where", "kind=balanced") == 0
    chosen = [i for i in range(20) if i % 3]
    assert sorted(p.name for p in out.glob("*.tar")) == [f"shard-{s:06d}.tar" for s in range(4)]
    url = str(out / json.loads((out / "export.json").read_text())["url"])
    samples = list(webdataset.WebDataset(url, shardshuffle=False).decode("rgb8").to_tuple("__key__", "png", "json",
                                                                                          "cls"))
    assert [key for key, *_ in samples] == [f"{i:06d}" for i in chosen]
    expected, ds = reference(labelled), open_dataset(labelled)
    for key, image, meta, cls in samples:
        i = int(key)
        np.testing.assert_array_equal(image, expected[i][0])
        assert cls == LABELS[i] == expected[i][1] and meta == ds[i][1] and meta["kind"] == "balanced"


def test_unlabelled_dataset_in_both_formats(unlabelled, tmp_path):
    expected = reference(unlabelled)
    assert export(unlabelled, "--format", "imagefolder", "--out", tmp_path / "if", "--workers", "1") == 0
    folder = torchvision.datasets.ImageFolder(str(tmp_path / "if"))
    assert folder.classes == ["unlabeled"] and [Path(p).name for p, _ in folder.samples] == [
        f"{i:06d}.png" for i in range(40)]
    for (image, _), (want, label) in zip(folder, expected, strict=True):
        np.testing.assert_array_equal(np.asarray(image), want)
        assert label == -1
    assert export(unlabelled, "--format", "webdataset", "--out", tmp_path / "wds", "--images-per-shard", "15") == 0
    samples = webdataset.WebDataset(str(tmp_path / "wds" / "shard-{000000..000002}.tar"), shardshuffle=False)
    for (image, cls), (want, _) in zip(samples.decode("rgb8").to_tuple("png", "cls"), expected, strict=True):
        np.testing.assert_array_equal(image, want)
        assert cls == -1


@pytest.mark.parametrize("fmt", ["imagefolder", "webdataset"])
def test_rerun_finishes_an_interrupted_export_with_the_same_bytes(unlabelled, tmp_path, fmt):
    out = tmp_path / "out"
    args = (unlabelled, "--format", fmt, "--out", out, "--images-per-shard", "15")
    assert export(*args) == 0
    whole = files(out)
    victims = ["unlabeled/000003.png", "unlabeled/000039.png"] if fmt == "imagefolder" else ["shard-000001.tar"]
    for name in victims:  # what a killed run leaves: missing files, half-written temporary files
        (out / name).unlink()
        (out / name).with_name(f".{Path(name).name}.tmp").write_bytes(b"partial")
    assert export(*args) == 0
    assert files(out) == whole
    assert export(*args, "--workers", "1") == 0  # a finished export: nothing to do, still fine
    assert files(out) == whole


@pytest.mark.slow
def test_a_killed_export_is_finished_by_running_it_again(tmp_path):
    data, out, fresh = tmp_path / "noise", tmp_path / "out", tmp_path / "fresh"
    assert render_noise_main(["--n", "2000", "--size", "8", "--out", str(data), "--quiet"]) == 0
    command = [sys.executable, "-c", "import sys; from synthkd.export import main; sys.exit(main(sys.argv[1:]))",
               str(data), "--format", "imagefolder", "--out", str(out), "--quiet"]
    proc = subprocess.Popen(command, cwd=Path(__file__).parents[1], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(list(out.glob("unlabeled/*.png"))) < 200 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)  # the command and its encoder processes
    proc.wait()
    assert 200 <= len(list(out.glob("unlabeled/*.png"))) < 2000
    assert export(data, "--format", "imagefolder", "--out", out) == 0
    assert export(data, "--format", "imagefolder", "--out", fresh) == 0
    assert files(out) == files(fresh)


def test_bad_input_is_one_line_and_exit_2_before_any_work(labelled, unlabelled, tmp_path, capsys):
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    previous = tmp_path / "previous"
    assert export(unlabelled, "--format", "imagefolder", "--out", previous) == 0
    capsys.readouterr()
    cases = [
        ((tmp_path / "nothing", "--format", "imagefolder", "--out", tmp_path / "a"), "no dataset at"),
        ((labelled, "--format", "imagefolder", "--out", foreign), "not empty"),
        ((labelled, "--format", "png", "--out", tmp_path / "b"), "invalid choice"),
        ((labelled, "--format", "imagefolder", "--out", previous), "another dataset"),
        ((unlabelled, "--format", "webdataset", "--out", previous), "other options"),
        ((labelled, "--format", "imagefolder", "--out", tmp_path / "c", "--where", "kind"), "FIELD=VALUE"),
        ((labelled, "--format", "imagefolder", "--out", tmp_path / "d", "--where", "kind=none"), "no image"),
    ]
    before = files(tmp_path)
    for args, message in cases:
        assert export(*args) == 2, args
        err = capsys.readouterr().err
        assert err.startswith("synthkd export: error:") and err.count("\n") == 1 and message in err, err
    assert files(tmp_path) == before and not any((tmp_path / d).exists() for d in "abcd")
