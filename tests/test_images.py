"""``--source images:DIR``: crops of a folder of unlabelled images, built here from images the project renders."""

from __future__ import annotations

import json
import os
from functools import partial
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from synthkd.cli import main as synthkd_main
from synthkd.core.dataset import open_dataset
from synthkd.core.generate import iter_chunks
from synthkd.core.merge import merge
from synthkd.distill.cli import main as distill_main
from synthkd.distill.sources import source_settings
from synthkd.procgen.cli import render_images_main, render_leaves_main
from synthkd.procgen.folder import FolderSettings, list_folder
from synthkd.procgen.folder import make_chunk as folder_chunk
from synthkd.procgen.leaves import LeavesSettings
from synthkd.procgen.leaves import make_chunk as leaves_chunk
from synthkd.procgen.stage import ImagesDataset, render_images
from synthkd.run import RunSettings, run
from tests.helpers import SLOW_RATES, FakeClock, chunk_bytes, run_cli
from tests.test_faults import one_line

# sizes and modes a real folder has: tiny, wide, tall, large; grey, palette, alpha, 16-bit
SHAPES = (((40, 60), "RGB", "png"), ((300, 200), "RGB", "jpg"), ((17, 17), "L", "png"), ((640, 480), "P", "png"),
          ((90, 50), "RGBA", "webp"), ((64, 64), "I;16", "png"))


def pictures(folder: Path, count: int = len(SHAPES), seed: int = 0) -> Path:
    """A folder of rendered Leaves pictures in every size, mode and format of ``SHAPES`` (one in a subfolder)."""
    for i, ((w, h), mode, ext) in enumerate(SHAPES[:count]):
        side = max(w, h)
        art = leaves_chunk(LeavesSettings(), side, seed, i, 1)[0][0][:h, :w]
        image = Image.fromarray(art)
        if mode == "I;16":
            image = Image.fromarray(art.mean(2).astype(np.uint16) * 257)
        elif mode != "RGB":
            image = image.convert(mode)
        where = folder / ("nested" if i == 1 else "") / f"picture{i}.{ext}"
        where.parent.mkdir(parents=True, exist_ok=True)
        image.save(where)
    return folder


def settings(folder: Path, out: Path, **more) -> ImagesDataset:
    return ImagesDataset(images=FolderSettings(folder=folder), n=96, size=24, chunk_size=32, out=out, quiet=True,
                         **more)


def test_crops_are_deterministic_sharded_and_resumed_as_the_same_bytes(tmp_path):
    folder = pictures(tmp_path / "pictures")
    whole = render_images(settings(folder, tmp_path / "whole"))
    assert whole["images"] == 96 and whole["files"] == len(SHAPES) and whole["unreadable"] == 0
    for i in range(3):
        render_images(settings(folder, tmp_path / f"shard{i}", shard=f"{i}/3"))
    merge(tmp_path / "shards", [tmp_path / f"shard{i}" for i in range(3)])
    assert chunk_bytes(tmp_path / "whole") == chunk_bytes(tmp_path / "shards")
    (tmp_path / "whole" / "chunks" / "c000001.npy").unlink()  # as a killed run leaves it
    assert render_images(settings(folder, tmp_path / "whole"))["repaired"] == 1
    assert chunk_bytes(tmp_path / "whole") == chunk_bytes(tmp_path / "shards")
    s = settings(folder, tmp_path / "unused")
    memory = np.concatenate([images for images, _ in iter_chunks(partial(folder_chunk, s.images, 24, 0), s,
                                                                   range(3))])
    np.testing.assert_array_equal(memory, open_dataset(tmp_path / "whole").images(0, 96))


def test_every_size_mode_and_format_gives_crops_of_the_asked_size(tmp_path):
    folder = pictures(tmp_path / "pictures")
    images, columns, _ = folder_chunk(FolderSettings(folder=folder, min_scale=0.5), 32, 0, 0, 200)
    assert images.shape == (200, 32, 32, 3) and images.dtype == np.uint8
    assert set(columns["file"]) == set(list_folder(folder).files) and "nested/picture1.jpg" in columns["file"]
    sixteen = images[[f == "picture5.png" for f in columns["file"]]]
    assert sixteen.max() > 128  # a 16-bit picture keeps its range (not clipped to white or black)
    for (left, top, right, bottom), name in zip(columns["box"], columns["file"], strict=True):
        with Image.open(folder / name) as im:
            width, height = im.size
        assert right - left == bottom - top >= round(0.5 * min(width, height)) - 1
        assert 0 <= left < right <= width and 0 <= top < bottom <= height


def test_unreadable_files_are_left_out_with_a_warning(tmp_path, caplog):
    folder = pictures(tmp_path / "pictures", count=2)
    (folder / "empty.jpg").write_bytes(b"")
    (folder / "junk.png").write_bytes(b"not a picture at all")
    (folder / "folder.png").mkdir()  # a folder with an image's name
    (folder / "notes.txt").write_text("not an image file")
    (folder / ".hidden.png").write_bytes(b"")
    found = list_folder(folder)
    assert found.files == ("nested/picture1.jpg", "picture0.png") and found.unreadable == ("empty.jpg", "junk.png")
    record = render_images(settings(folder, tmp_path / "out"))
    assert record["images"] == 96 and record["unreadable"] == 2
    assert "left out 2 files Pillow cannot read (first: empty.jpg)" in caplog.text


@pytest.mark.parametrize("case", ["missing", "a file", "empty", "only unreadable files", "no --folder"])
def test_a_bad_folder_is_one_line_and_exit_2(tmp_path, capsys, case):
    folder = tmp_path / "folder"
    if case == "a file":
        folder.write_text("x")
    elif case != "missing":
        folder.mkdir()
        (folder / "readme.txt").write_text("x")
    if case == "only unreadable files":
        (folder / "broken.png").write_bytes(b"\x89PNG broken")
    args = ["--folder", folder] if case != "no --folder" else []
    assert run_cli(render_images_main, *args, "--out", tmp_path / "out", "--n", "8") == 2
    says = {"missing": "no such folder", "a file": "is a file, not a folder", "empty": "holds no images",
            "only unreadable files": "none of its 1 image files can be read", "no --folder": "--folder DIR"}[case]
    assert says in one_line(capsys.readouterr().err, "render-images")
    assert not (tmp_path / "out").exists()


def test_run_and_stream_refuse_a_bad_folder_before_any_work(tmp_path, capsys, random_teacher):
    assert run_cli(synthkd_main, "run", *random_teacher.args, "--source", f"images:{tmp_path / 'none'}",
                   "--out", tmp_path / "run") == 2
    assert "no such folder" in one_line(capsys.readouterr().err, "synthkd run")
    assert run_cli(synthkd_main, "run", *random_teacher.args, "--source", "images", "--out", tmp_path / "run") == 2
    assert "needs its DIR: images:DIR" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert run_cli(distill_main, *random_teacher.args, "--stream", f"images:{tmp_path / 'empty'}", "--out",
                   tmp_path / "student", "--quiet") == 2
    assert "holds no images" in one_line(capsys.readouterr().err, "distill")
    assert not (tmp_path / "run").exists() and not (tmp_path / "student").exists()


def test_a_changed_folder_is_not_mixed_into_its_dataset(tmp_path, capsys):
    folder = pictures(tmp_path / "pictures", count=3)
    out = tmp_path / "out"
    assert run_cli(render_images_main, "--folder", folder, "--out", out, "--n", "64", "--chunk-size", "32",
                   "--quiet") == 0
    os.remove(folder / "picture2.png")
    list_folder.cache_clear()  # a folder is listed once per process: a new command lists it again
    assert run_cli(render_images_main, "--folder", folder, "--out", out, "--n", "64", "--chunk-size", "32",
                   "--quiet") == 2
    err = capsys.readouterr().err.splitlines()[-1]
    assert "already holds a different dataset (differs in settings.files, settings.fingerprint)" in err


def test_the_source_name_gives_the_same_settings_as_the_command(tmp_path):
    folder = pictures(tmp_path / "pictures", count=2)
    named = source_settings(f"images:{folder}", n=8, size=16, seed=3, chunk_size=8, quiet=True)
    assert named == ImagesDataset(images=FolderSettings(folder=folder), n=8, size=16, seed=3, chunk_size=8, quiet=True)
    header = json.loads(json.dumps(named.images.identity()))
    assert header["files"] == 2 and len(header["fingerprint"]) == 64 and "folder" not in header


@pytest.mark.parametrize("command, args, says", [
    ("render-images", ["--min-scale", "0"], "--min-scale must be in (0, 1], got 0.0"),
    ("render-images", ["--min-scale", "nan"], "--min-scale must be in (0, 1], got nan"),
    ("render-leaves", ["--refine-steps", "-1"], "argument --refine-steps: must be at least 0, got -1"),
    ("render-leaves", ["--refine-steps", "2"], "--refine-steps needs the teacher: add --teacher SPEC"),
    ("synthkd", ["run", "--refine", "-3"], "argument --refine: must be at least 0, got -3"),
    ("synthkd", ["run", "--steer", "sideways"], "argument --steer: invalid choice: 'sideways'"),
    ("synthkd", ["run", "--source", "noise:x"], "source noise takes no argument, got 'noise:x'"),
    ("synthkd", ["run", "--min-scale", "0.5"], "--min-scale applies to --source images:DIR only, not to shaders"),
    ("synthkd", ["run", "--source", "images:FOLDER", "--min-scale", "1.5"], "--min-scale must be in (0, 1], got 1.5"),
])  # synthkd run's own checks, after parsing, say "synthkd: error:"
def test_bad_options_of_the_new_levers_are_one_line(tmp_path, capsys, random_teacher, command, args, says):
    folder = pictures(tmp_path / "pictures", count=1)
    main = {"render-images": render_images_main, "render-leaves": render_leaves_main, "synthkd": synthkd_main}[command]
    more = {"render-images": ["--folder", folder], "render-leaves": [], "synthkd": random_teacher.args}[command]
    prog = command if command != "synthkd" else "synthkd" if "--min-scale" in args else "synthkd run"
    args = [a.replace("FOLDER", str(folder)) for a in args]
    argv = [*args[:1], *more, *args[1:]] if command == "synthkd" else [*more, *args]
    assert run_cli(main, *argv, "--out", tmp_path / "out") == 2
    assert says in one_line(capsys.readouterr().err, prog)
    assert not (tmp_path / "out").exists()


def test_a_run_on_a_folder_refined(tmp_path, random_teacher):
    """``synthkd run --source images:DIR --steer off --refine 1`` on the stand-in clock and rates: the plan, the
    dataset and the report say what was done (the natural lever's fit is tested in test_steer)."""
    folder = pictures(tmp_path / "pictures")
    settings = RunSettings(teacher=random_teacher.settings, out=tmp_path / "run", minutes=1.0,
                           source=f"images:{folder}", min_scale=1.0, steer="off", refine=1, threads=1, quiet=True)
    record = run(settings, clock=FakeClock(1.0), measure=SLOW_RATES)
    plan = json.loads((tmp_path / "run" / "plan.json").read_text())
    assert not plan["steer"] and plan["refine"] == 1 and "(--steer off), each image refined with 1 steps" in plan["why"]
    header = json.loads((tmp_path / "run" / "data" / "dataset.json").read_text())
    assert header["generator"] == "images" and header["settings"]["steer"]["refine_steps"] == 1
    assert header["derived"]["steer"]["lever"] is None and header["derived"]["steer"]["refine_steps"] == 1
    assert plan["settings"]["min_scale"] == header["settings"]["min_scale"] == 1.0  # --min-scale 1
    assert record["steps"] > 5 and (tmp_path / "run" / "report.html").stat().st_size > 1000
    assert (tmp_path / "run" / "curves-images.png").is_file()
