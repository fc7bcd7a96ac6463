"""Property-based checks of what the tools read from disk and from the command line: any mutation of a dataset
header, of a chunk's metadata or of a run's plan.json, and any argument list, gives a correct result or one line
with exit status 1 or 2, never a traceback (exit status 70) or a hang."""

from __future__ import annotations

import contextlib
import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from synthkd.cli import main as synthkd_main
from synthkd.core.cli import settings_from
from synthkd.core.dataset import HEADER
from synthkd.core.errors import DatasetError
from synthkd.core.models import ModelError
from synthkd.core.settings import Fault, UsageError
from synthkd.procgen.cli import render_noise_main
from synthkd.run import RunSettings, run
from tests.helpers import FakeClock, fixed_rates, run_cli

FUZZ = settings(max_examples=60, deadline=20_000, suppress_health_check=[HealthCheck.function_scoped_fixture],
                database=None, derandomize=True)

# JSON values a damaged or planted file may hold in place of any field.
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.sampled_from([0, 1, -1, 10**12, 2**63])
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6)


def mutations(keys: list[str]) -> st.SearchStrategy:
    """A list of (key, value) changes; value None with delete=True removes the key."""
    return st.lists(st.tuples(st.sampled_from(keys), VALUES, st.booleans()), min_size=1, max_size=3)


def mutate(path: Path, changes) -> None:
    obj = json.loads(path.read_text())
    for key, value, delete in changes:
        if delete:
            obj.pop(key, None)
        else:
            obj[key] = value
    path.write_text(json.dumps(obj))


def one_line_or_fine(status: int, err: str) -> None:
    assert status in (0, 1, 2), err
    assert "Traceback" not in err and "internal error" not in err, err


@pytest.fixture(scope="module")
def noise(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("fuzz") / "noise"
    assert run_cli(render_noise_main, "--n", 48, "--size", 8, "--chunk-size", 16, "--out", out, "--quiet") == 0
    return out


@FUZZ
@given(changes=mutations(["format", "generator", "total", "image_size", "seed", "chunk_size", "settings", "count",
                          "complete", "variable", "shard", "chunk_sizes", "fingerprint", "derived", "summary"]))
def test_any_damaged_dataset_header_is_one_line(noise, tmp_path, capsys, changes):
    copy = tmp_path / "d"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(noise, copy)
    mutate(copy / HEADER, changes)
    for command in ("info", "verify"):
        status = run_cli(synthkd_main, command, copy)
        one_line_or_fine(status, capsys.readouterr().err)


@FUZZ
@given(changes=mutations(["chunk", "size", "counts", "columns", "sha256", "bytes"]))
def test_any_damaged_chunk_metadata_is_one_line(noise, tmp_path, capsys, changes):
    copy = tmp_path / "d"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(noise, copy)
    mutate(copy / "chunks" / "c000001.json", changes)
    for command in (["verify", copy], ["sheet", copy, tmp_path / "sheet.png"], ["info", "--verify", copy]):
        status = run_cli(synthkd_main, *command)
        one_line_or_fine(status, capsys.readouterr().err)


@pytest.fixture(scope="module")
def finished_run(random_teacher, tmp_path_factory) -> tuple[RunSettings, Path]:
    """A finished one-minute run of noise on the stand-in clock."""
    out = tmp_path_factory.mktemp("fuzz-run") / "run"
    s = RunSettings(teacher=random_teacher.settings, out=out, minutes=0.5, source="noise", threads=1, quiet=True)
    run(s, clock=FakeClock(1.0), measure=fixed_rates())
    return s, out


class Deadline(FakeClock):
    """The stand-in clock, failing the test if a resumed run keeps reading it (it would not end)."""

    def __call__(self) -> float:
        assert self.reads < 2000, "the run does not end"
        return super().__call__()


@settings(max_examples=12, deadline=60_000, suppress_health_check=[HealthCheck.function_scoped_fixture],
          database=None, derandomize=True)
@given(changes=mutations(["settings", "measured", "planned", "why", "student", "steer", "chunk_size", "ds_cap",
                          "ds_images", "dk_images", "checks", "seconds", "training", "budget_seconds", "observed"]))
def test_any_damaged_plan_is_one_line_or_the_same_run(finished_run, tmp_path, changes):
    s, out = finished_run
    copy = tmp_path / "run"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(out, copy)
    (copy / "summary.json").unlink()  # so that the run follows its record again instead of returning at once
    mutate(copy / "plan.json", changes)
    with contextlib.suppress(UsageError, DatasetError, ModelError, Fault):  # the command's one line, exit 2 or 1
        run(replace(s, out=copy), clock=Deadline(1.0), measure=fixed_rates())


OPTIONS = ["--n", "--num-images", "--size", "--out", "--seed", "--shard", "--chunk-size", "--kind", "--stats",
           "--teacher", "--weights", "--num-classes", "--steer", "--oversample", "--minutes", "--source", "--eval",
           "--student", "--threads", "--replay", "--epochs", "--batch-size", "--lr", "--temperature", "--mixup-alpha",
           "--aug", "--holdout", "--data", "--stream", "--stream-window", "--total", "--per-class", "--attack",
           "--pairs", "--probe-fraction", "--fill", "--device", "--amp", "--workers", "--quiet"]
ARGS = st.lists(st.sampled_from(OPTIONS) | st.sampled_from(["0", "-1", "1e309", "nan", "3/2", "x", "", "7", "inf",
                                                             "0.5", "shaders", "resnet8_cifar", "/dev/null"]),
                max_size=8)


def parsers():
    from synthkd.core.cli import Parser, add_options
    from synthkd.distill.cli import parser as distill_parser
    from synthkd.distill.settings import DistillSettings
    from synthkd.probe.cli import build_parser as probe_parser
    from synthkd.probe.stage import ProbeSettings
    from synthkd.procgen.cli import noise_parser
    from synthkd.procgen.stage import NoiseDataset
    from synthkd.shaders.cli import build_parser as shaders_parser
    from synthkd.shaders.stage import ShaderDataset

    run_parser = Parser(prog="synthkd run")
    add_options(run_parser, RunSettings)
    return [(shaders_parser(), ShaderDataset), (noise_parser(), NoiseDataset), (probe_parser(), ProbeSettings),
            (distill_parser(), DistillSettings), (run_parser, RunSettings)]


PARSERS = parsers()


@FUZZ
@given(argv=ARGS)
def test_any_argument_list_is_a_setting_or_one_line(argv, capsys):
    """Parsing and checking options only (no command runs): settings, or argparse's exit 2, or a UsageError."""
    for parser, cls in PARSERS:
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:
            assert exc.code in (0, 2)
            assert capsys.readouterr().err.count("\n") <= 1
            continue
        with contextlib.suppress(UsageError, DatasetError, ModelError):  # the commands' one line, exit status 2
            settings_from(cls, args)
