"""The command line as a whole: options shared by the stages mean the same thing everywhere, every option's
default is the settings dataclass's, printed command lines reproduce the settings, and ``synthkd models``."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from synthkd.cli import main as synthkd_main
from synthkd.core.cli import command_line, settings_from
from synthkd.core.models import TeacherSpec, list_models
from synthkd.core.networks import REGISTRY
from synthkd.distill.cli import parser as distill_parser
from synthkd.distill.settings import DistillSettings
from synthkd.probe.balance import BalanceSettings
from synthkd.probe.cli import build_parser as probe_parser
from synthkd.probe.stage import ProbeSettings
from synthkd.shaders.cli import build_parser as shaders_parser
from synthkd.shaders.stage import ShaderDataset
from tests.helpers import run_cli


def options(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    return {flag: action for action in parser._actions for flag in action.option_strings}


def test_probe_and_distill_share_one_spelling_and_one_default():
    probe, distill = options(probe_parser()), options(distill_parser())
    shared = set(probe) & set(distill) - {"-h", "--help"}
    assert {"--teacher", "--weights", "--num-classes", "--teacher-normalization", "--teacher-size", "--batch-size",
            "--device", "--seed", "--data", "--out", "--quiet"} <= shared
    for flag in shared:
        a, b = probe[flag], distill[flag]
        assert (a.dest, a.default, getattr(a.type, "__qualname__", a.type)) == \
               (b.dest, b.default, getattr(b.type, "__qualname__", b.type)), flag
        assert a.required == b.required or flag == "--data", flag  # distill also takes --stream instead
    for old in ("--normalize", "--input-size", "--batch"):  # old spellings: still accepted, not shown
        assert probe[old].help == argparse.SUPPRESS and distill[old].help == argparse.SUPPRESS


@pytest.mark.parametrize("cls, parser", [(ShaderDataset, shaders_parser), (ProbeSettings, probe_parser),
                                         (DistillSettings, distill_parser)])
def test_defaults_come_from_the_settings_and_command_lines_round_trip(cls, parser):
    teacher = TeacherSpec(name="wrn16_1", weights="w.pt", normalization="none", size=40)
    required = {ShaderDataset: {}, ProbeSettings: {"data": (Path("ds"), Path("ds2")), "out": Path("dk"),
                                                    "teacher": teacher},
                DistillSettings: {"data": Path("dk"), "out": Path("run"), "teacher": teacher}}[cls]
    p = parser()
    default = cls(**required)
    assert settings_from(cls, p.parse_args(command_line(default))) == default
    changed = {ShaderDataset: {"n": 7, "corpus": (Path("a"), Path("b")), "time_range": (0.5, 2.0), "recheck": True},
               ProbeSettings: {"balance": BalanceSettings(total=90, strategy="entropy"), "pairs": 3, "seed": 4},
               DistillSettings: {"epochs": 3, "aug": "none", "mixup_alpha": 0.0, "resume": True}}[cls]
    settings = cls(**required, **changed)
    assert settings_from(cls, p.parse_args(command_line(settings))) == settings


def test_models_lists_the_registry_with_sizes(capsys):
    names = [m.name for m in list_models()]
    assert names == sorted(REGISTRY) and "wrn16_1" in names
    assert all(fn.__doc__ and fn.__name__ == name for name, fn in REGISTRY.items())
    assert run_cli(synthkd_main, "models", "wrn16*") == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["wrn16_1", "wrn16_2", "wrn16_2_log"]
    assert "0.175 M params" in lines[0] and "32 px" in lines[0]
    assert run_cli(synthkd_main, "models", "resnet5?", "--source", "torchvision") == 0
    assert "224 px" in capsys.readouterr().out
    assert run_cli(synthkd_main, "models", "nothing*") == 2
    assert "no model name matches" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["procgen", "probe", "shaders", "distill"])
def test_stage_folders_are_importable_only_as_part_of_synthkd(name):
    """The folders keep generic names, but never become top-level packages (PyPI has a procgen and a probe)."""
    import subprocess
    import sys

    from tests.helpers import ROOT

    for cwd in (ROOT, ROOT.parent):  # from the repository (its folders on sys.path) and from elsewhere
        done = subprocess.run([sys.executable, "-c", f"import {name}"], cwd=cwd, capture_output=True, text=True)
        assert done.returncode != 0 and ("synthkd" in done.stderr or "No module named" in done.stderr)
    done = subprocess.run([sys.executable, "-c", f"import synthkd.{name}"], cwd=ROOT.parent, capture_output=True)
    assert done.returncode == 0


@pytest.mark.parametrize("command", ["run", "demo", "info", "verify", "merge", "sheet", "diversity", "models",
                                     "render-shaders", "render-leaves", "render-noise", "probe", "distill",
                                     "export"])
def test_every_command_explains_itself(command, capsys):
    assert run_cli(synthkd_main, command, "--help") == 0
    out = capsys.readouterr().out
    assert out.startswith("usage:") and "--help" in out
