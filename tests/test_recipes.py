"""The paper's CIFAR recipes on a tiny budget: fake CIFAR files of the real format and shapes, a real (untrained)
ResNet50 teacher checkpoint, every stage run for real; and every bad input refused before any work."""

from __future__ import annotations

import json
import os
import pickle
import shlex

import numpy as np
import pytest
import torch
import torchvision.datasets.cifar

from recipes.cifar import RECIPES, main, parser, stages
from synthkd.core.cli import settings_from
from synthkd.core.models import build_model
from synthkd.distill.cli import parser as distill_parser
from synthkd.distill.settings import DistillSettings
from synthkd.probe.cli import build_parser as probe_parser
from synthkd.probe.stage import ProbeSettings
from synthkd.procgen.cli import leaves_parser, noise_parser
from synthkd.procgen.stage import LeavesDataset, NoiseDataset
from synthkd.shaders.cli import build_parser as shaders_parser
from synthkd.shaders.stage import ShaderDataset
from tests.helpers import run_cli

# torchvision's file layout: (folder, train files, test file, meta file, meta key, label key)
LAYOUT = {"cifar10": ("cifar-10-batches-py", [f"data_batch_{i}" for i in range(1, 6)], "test_batch",
                      "batches.meta", "label_names", "labels"),
          "cifar100": ("cifar-100-python", ["train"], "test", "meta", "fine_label_names", "fine_labels")}
TINY = ["--images", "60", "--pairs", "4", "--epochs", "1", "--batch-size", "8", "--min-teacher-accuracy", "0",
        "--quiet"]


def fake_cifar(root, dataset: str, n: int = 20) -> np.ndarray:
    """Files in torchvision's CIFAR format with ``n`` random test images; returns their labels."""
    folder, train, test, meta, meta_key, label_key = LAYOUT[dataset]
    classes = 10 if dataset == "cifar10" else 100
    rng = np.random.default_rng(0)
    (root / folder).mkdir(parents=True)
    labels = rng.integers(0, classes, n)
    for name in [*train, test]:
        batch = {"data": rng.integers(0, 256, (n, 3 * 32 * 32), dtype=np.uint8), label_key: labels.tolist()}
        (root / folder / name).write_bytes(pickle.dumps(batch))
    (root / folder / meta).write_bytes(pickle.dumps({meta_key: [f"class{i}" for i in range(classes)]}))
    return labels


@pytest.fixture
def fake_md5(monkeypatch):
    """Fake files cannot have the real archives' MD5 sums: torchvision's check accepts any existing file."""
    monkeypatch.setattr(torchvision.datasets.cifar, "check_integrity", lambda path, md5=None: os.path.isfile(path))


def resnet50_checkpoint(path, classes: int):
    torch.manual_seed(0)
    torch.save({"state_dict": build_model("resnet50_cifar", classes).state_dict()}, path)
    return path


@pytest.mark.slow
@pytest.mark.parametrize("recipe", ["cifar10-opengl-attack"])  # the others' commands: the test below
def test_recipe_runs_every_stage(tmp_path, fake_md5, recipe):
    dataset = RECIPES[recipe].dataset
    classes = RECIPES[recipe].classes
    labels = fake_cifar(tmp_path / "cifar", dataset)
    weights = resnet50_checkpoint(tmp_path / "teacher.pt", classes)
    out, per_class = tmp_path / "runs", 2 if classes == 10 else 1
    assert run_cli(main, "run", recipe, "--weights", weights, "--cifar-root", tmp_path / "cifar", "--out", out,
                   "--per-class", per_class, *TINY) == 0
    result = json.loads((out / recipe / "result.json").read_text())
    assert result["paper"].startswith("94.54 % (Table 6" if recipe == "cifar10-opengl-attack" else "66.02 % (Table 1")
    assert 0 <= result["student_top1"] <= 1 and result["epochs"] == 1
    dk = json.loads((out / recipe / "dk" / "dataset.json").read_text())
    assert dk["total"] == per_class * classes
    assert (dk["count"] > dk["total"]) == RECIPES[recipe].attack  # the pairs' rows
    assert json.loads((out / recipe / "data" / "dataset.json").read_text())["total"] == 60
    test_folder = sorted((out / f"{dataset}-test").glob("*/*.png"))
    assert len(test_folder) == len(labels)
    assert sorted(int(p.parent.name) for p in test_folder) == sorted(labels.tolist())
    assert result["train_images"] == dk["count"]


def test_every_recipe_prints_commands_each_stage_accepts(tmp_path, fake_md5, capsys):
    for dataset in LAYOUT:
        fake_cifar(tmp_path / "cifar", dataset)
    assert run_cli(main, "run", "all", "--weights", tmp_path / "w.pt", "--cifar-root", tmp_path / "cifar",
                   "--out", tmp_path / "runs", "--print") == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 * len(RECIPES)
    commands = {"render-shaders": (shaders_parser(), ShaderDataset), "render-leaves": (leaves_parser(), LeavesDataset),
                "render-noise": (noise_parser(), NoiseDataset), "probe": (probe_parser(), ProbeSettings),
                "distill": (distill_parser(), DistillSettings)}
    args = parser().parse_args(["run", "all", "--weights", str(tmp_path / "w.pt"), "--cifar-root",
                                str(tmp_path / "cifar"), "--out", str(tmp_path / "runs")])
    printed = [[shlex.split(line) for line in lines[i:i + 3]] for i in range(0, len(lines), 3)]
    for recipe, argvs in zip(RECIPES.values(), printed, strict=True):
        assert [argv[0] for argv in argvs] == [name for name, _ in stages(recipe, args)]
        # Each printed command, parsed by its own command, gives exactly the settings the recipe runs.
        parsed = [settings_from(commands[argv[0]][1], commands[argv[0]][0].parse_args(argv[1:])) for argv in argvs]
        assert parsed == [settings for _, settings in stages(recipe, args)]
        render, probe, distill = parsed
        assert (render.noise.stats == recipe.dataset) if recipe.source == "noise" else render.n == 100_000
        assert probe.balance.per_class == 50_000 // recipe.classes
        assert probe.attack == ("boundary" if recipe.attack else "none")
        assert (distill.epochs, distill.batch_size, distill.lr, distill.temperature, distill.aug, distill.mixup_alpha,
                distill.student) == (400, 256, 0.1, 20.0, "high", 1.0, "resnet18_cifar")
    assert len(list((tmp_path / "runs" / "cifar100-test").glob("*/*.png"))) == 20


def test_list_names_every_recipe_with_the_paper_figure(capsys):
    assert run_cli(main, "list") == 0
    out = capsys.readouterr().out
    for name in RECIPES:
        assert name in out
    assert "94.02 % (Table 1" in out and "75.02 % (Table 6" in out


@pytest.mark.parametrize("case, message", [
    ("no-cifar", "no cifar10 test set under --cifar-root"),
    ("no-weights", "--weights"),
    ("wrong-classes", "100"),
    ("unknown", "unknown recipe"),
    ("chance-teacher", "below --min-teacher-accuracy"),
])
def test_bad_input_is_one_line_before_any_work(tmp_path, fake_md5, capsys, case, message):
    fake_cifar(tmp_path / "cifar", "cifar10")
    weights = resnet50_checkpoint(tmp_path / "teacher.pt", 100 if case == "wrong-classes" else 10)
    root = tmp_path / ("empty" if case == "no-cifar" else "cifar")
    args = ["run", "nope" if case == "unknown" else "cifar10-noise", "--weights",
            tmp_path / "missing.pt" if case == "no-weights" else weights, "--cifar-root", root,
            "--out", tmp_path / "runs", *TINY]
    if case == "chance-teacher":
        args = [a for a in args if a not in ("--min-teacher-accuracy", "0")]
    assert run_cli(main, *args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("recipes.cifar: error:") and message in err
    assert not (tmp_path / "runs" / "cifar10-noise" / "data").exists()
