"""A 1,000-class teacher through every stage on tiny budgets: steering pools the classes of a small pilot, the
balancer's quotas at 50 images a class, boundary pairs, distillation, a whole run that drops what its budget cannot
pay for; and the memory ceiling's one-line refusal."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from synthkd.budget import CHUNK, FLOOR_DK, largest_chunk, size_run
from synthkd.core.dataset import open_dataset
from synthkd.core.models import TeacherSpec, load_model
from synthkd.core.resources import CEILING
from synthkd.core.settings import UsageError
from synthkd.core.steer import SteerSettings, groups_for
from synthkd.core.tensors import memory_batch
from synthkd.distill.cli import main as distill_main
from synthkd.plan import auto_student
from synthkd.probe.balance import Predictions, select
from synthkd.probe.cli import main as probe_main
from synthkd.probe.stage import BYTES_PER_ROW
from synthkd.procgen.cli import render_noise_main
from synthkd.run import RunSettings, run
from synthkd.shaders.stage import ShaderDataset, render_shaders
from tests.helpers import MODES, FakeClock, Teacher, chunk_bytes, fixed_rates, run_cli
from tests.test_faults import one_line

CLASSES = 1000


class ThousandClasses(Teacher):
    """A teacher whose options name its 1,000 classes (the registry's networks are built for 10)."""

    @property
    def settings(self) -> TeacherSpec:
        return TeacherSpec(name=self.spec, weights=str(self.weights), num_classes=CLASSES, normalization="none")

    @property
    def args(self) -> list[str]:
        return [*super().args, "--num-classes", str(CLASSES)]


@pytest.fixture(scope="module")
def teacher1000(tmp_path_factory) -> Teacher:
    """A seeded random MLP with 1,000 classes (its last layer scaled, so that noise images spread over many)."""
    path = tmp_path_factory.mktemp("teacher1000") / "mlp1000.pt"
    torch.manual_seed(0)
    model = load_model("mlp", need_weights=False, num_classes=CLASSES, normalization="none")
    model.net[-1].weight.data *= 10
    torch.save({"state_dict": model.net.state_dict()}, path)
    return ThousandClasses("mlp", path, model.eval(), float("nan"))


@pytest.fixture(scope="module")
def noise(teacher1000, tmp_path_factory):
    """512 noise images of 32 px, steered by the 1,000-class teacher (pilot: the first 128)."""
    out = tmp_path_factory.mktemp("noise1000") / "ds"
    args = ["--n", 512, "--chunk-size", 128, "--out", out, *teacher1000.args, "--steer", "variants", "--quiet"]
    assert run_cli(render_noise_main, *args) == 0
    return out, args


def test_steering_fits_on_groups_of_classes_when_the_pilot_is_small(noise, teacher1000, tmp_path, capsys):
    out, args = noise
    chosen = json.loads((out / "dataset.json").read_text())["derived"]["steer"]
    assert chosen["num_classes"] == CLASSES and chosen["pilot_groups"] == groups_for(CLASSES, 128) == 12
    assert sum(chosen["weights"]) == pytest.approx(1.0, abs=1e-3) and 0 < chosen["expected_relative_entropy"] <= 1
    classes = open_dataset(out).column("teacher_class")
    assert len(classes) == 512 and max(classes) < CLASSES and len(set(classes)) > 12  # every class, not the groups
    again = [a if a != out else tmp_path / "again" for a in args]
    assert run_cli(render_noise_main, *again) == 0
    assert chunk_bytes(out) == chunk_bytes(tmp_path / "again")  # deterministic
    small = ["--n", 512, "--chunk-size", 64, "--out", tmp_path / "small", *teacher1000.args, "--steer", "variants"]
    assert run_cli(render_noise_main, *small) == 2
    err = one_line(capsys.readouterr().err, "render-noise")
    assert "too small to steer 1000 classes" in err and "at least 100 images" in err


def test_program_search_keeps_niches_for_the_classes_the_teacher_predicts(teacher1000, tmp_path):
    settings = ShaderDataset(out=tmp_path / "d", n=256, size=32, chunk_size=128, corpus=(MODES,), quiet=True,
                             teacher=teacher1000.settings, steering=SteerSettings(steer="search", search_budget=128))
    render_shaders(settings)
    search = json.loads((tmp_path / "d" / "dataset.json").read_text())["derived"]["steer"]["search"]
    filled = [c for c, niche in enumerate(search["niches"]) if niche["shaders"]]
    assert len(search["niches"]) == CLASSES and len(filled) > 12 and search["rendered"] == 128
    niches = set(open_dataset(tmp_path / "d").column("niche"))
    assert niches <= set(filled) and len(niches) > 12


def test_quotas_of_fifty_a_class_go_to_the_classes_the_teacher_predicts():
    rng = np.random.default_rng(0)
    labels = np.minimum(rng.zipf(1.3, 200_000) - 1, 899).astype(np.int64)  # 900 classes seen, very unevenly
    pred = Predictions(labels, rng.random(len(labels)).astype(np.float32), np.zeros(len(labels), np.float32))
    sel = select(pred, CLASSES, 50 * CLASSES, seed=1)
    chosen = np.bincount(labels[sel.indices], minlength=CLASSES)
    assert len(sel.indices) == 50 * CLASSES and sel.skipped == list(range(900, CLASSES))
    assert chosen[:900].min() >= 55 and chosen[:900].max() <= 56  # the skipped classes' quota is shared out
    rare = np.flatnonzero(np.bincount(labels, minlength=CLASSES) < np.asarray(sel.quotas))
    assert set(rare) == set(sel.replicated) and len(rare) > 100  # short classes replicated up to their quota


def test_probe_balances_and_finds_boundary_pairs_at_a_thousand_classes(noise, teacher1000, tmp_path):
    out = tmp_path / "dk"
    args = ["--data", noise[0], "--out", out, *teacher1000.args, "--total", 256, "--probe-fraction", 0.25,
            "--chunk-size", 128, "--quiet"]
    assert run_cli(probe_main, *args) == 0
    header = json.loads((out / "dataset.json").read_text())["derived"]
    assert header["num_classes"] == CLASSES and len(header["histogram_dk"]) == CLASSES
    assert sum(header["histogram_dk"]) == 256 and len(header["quotas"]) == CLASSES
    kinds = open_dataset(out).column("kind")
    assert kinds.count("balanced") == 256 and kinds.count("post") > 0
    labels = np.asarray(open_dataset(out).column("label"))
    assert labels.max() < CLASSES and (out / "classes.png").is_file() and (out / "pairs.png").is_file()


def test_a_student_distils_a_thousand_class_teacher(noise, teacher1000, tmp_path):
    out = tmp_path / "student"
    args = [*teacher1000.args, "--student", "resnet8_cifar", "--data", noise[0], "--out", out, "--epochs", 1,
            "--batch-size", 32, "--workers", 0, "--threads", 1, "--quiet"]
    assert run_cli(distill_main, *args) == 0
    student = load_model("resnet8_cifar", weights=str(out / "student.pt"), num_classes=CLASSES, normalization="none")
    assert student(torch.zeros(2, 3, 32, 32)).shape == (2, CLASSES)


def test_a_run_at_a_thousand_classes_keeps_its_budget(teacher1000, tmp_path):
    out = tmp_path / "run"
    settings = RunSettings(teacher=teacher1000.settings, out=out, minutes=1.0, source="noise", threads=1, quiet=True)
    pooled = groups_for(CLASSES, CHUNK)  # the blocks measure_machine counts over
    record = run(settings, clock=FakeClock(1.0),
                 measure=lambda *a: {**fixed_rates(entropy=0.5)(*a), "plain_groups": pooled})
    plan, summary = (json.loads((out / name).read_text()) for name in ("plan.json", "summary.json"))
    assert plan["steer"] and plan["probe"] and 0.95 * 60 <= summary["seconds"]["total"] <= 1.05 * 60
    assert f"plain noise is 0.500 (over {pooled} blocks of classes)" in plan["why"]
    assert json.loads((out / "data" / "dataset.json").read_text())["derived"]["steer"]["pilot_groups"] < CLASSES
    assert record["steps"] > 0 and plan["dk_images"] >= FLOOR_DK


def test_a_run_drops_the_levers_its_budget_cannot_pay_for(teacher1000, tmp_path, capsys):
    slow = fixed_rates(train=200, render=2000, label=30, entropy=0.5, attack=1)  # steering's pilot: ~23 min
    rates = slow()
    assert size_run(50, rates, True, 0, CLASSES) is None and size_run(50, rates, False, 0, CLASSES, probe=True) is None
    assert size_run(50, rates, False, 0, CLASSES)["dk_images"] >= FLOOR_DK
    out = tmp_path / "run"
    settings = RunSettings(teacher=teacher1000.settings, out=out, minutes=1.0, source="noise", threads=1, quiet=True)
    run(settings, clock=FakeClock(1.0), measure=slow)
    plan = json.loads((out / "plan.json").read_text())
    assert not plan["steer"] and "no steering or probing: the budget cannot pay for it here" in plan["why"]
    named = RunSettings(teacher=teacher1000.settings, out=tmp_path / "named", minutes=1.0, source="noise",
                        steer="variants", quiet=True)
    with pytest.raises(UsageError, match="too short for this teacher on this machine"):
        run(named, clock=FakeClock(1.0), measure=slow)  # a lever asked for by name is not dropped: refused


def test_a_run_keeps_steering_when_dropping_probing_pays_for_it(teacher1000, tmp_path):
    slow_attack = fixed_rates(entropy=0.5, attack=0.05)
    rates = slow_attack()
    assert size_run(50, rates, True, 0, CLASSES, probe=True) is None and size_run(50, rates, True, 0, CLASSES)
    out = tmp_path / "run"
    settings = RunSettings(teacher=teacher1000.settings, out=out, minutes=1.0, source="noise", threads=1, quiet=True)
    run(settings, clock=FakeClock(1.0), measure=slow_attack)
    plan = json.loads((out / "plan.json").read_text())
    assert plan["steer"] and "probe" not in plan and "(no probing: the budget cannot pay for it here)" in plan["why"]


def test_large_images_use_smaller_chunks_and_a_size_that_cannot_fit_is_refused_at_once(teacher1000, tmp_path):
    assert largest_chunk(32) == largest_chunk(224) == CHUNK and largest_chunk(400) == 512
    assert largest_chunk(600) == 0
    with pytest.raises(UsageError, match="a run at --size 600 needs about 4.1 GiB of memory at its peak, more than "
                                         "the 4 GiB"):
        RunSettings(teacher=teacher1000.settings, out=tmp_path / "run", minutes=10.0, size=600)
    assert not (tmp_path / "run").exists()


def test_large_images_are_labelled_and_attacked_in_smaller_batches_on_a_cpu():
    assert memory_batch(256, 32) == memory_batch(256, 64) == 256  # small images: the batch asked for
    assert memory_batch(256, 224) == 20 and memory_batch(8, 224) == 8 and memory_batch(256, 1024) == 1
    assert memory_batch(256, 224, "cuda") == 256  # a GPU keeps the activations


def test_large_images_get_an_imagenet_size_student():
    small, big = (load_model(name, need_weights=False, num_classes=CLASSES) for name in ("resnet18", "resnet50"))
    assert auto_student(small, 224) == "mobilenet_v3_small" and auto_student(big, 224) == "resnet18"
    assert auto_student(small, 32) == "resnet18_cifar"


def test_a_request_above_the_memory_ceiling_is_refused_before_any_work(noise, teacher1000, tmp_path, capsys):
    out = tmp_path / "dk"
    total = int(CEILING // BYTES_PER_ROW) + 1  # above the ceiling on the D_K rows alone
    args = ["--data", noise[0], "--out", out, *teacher1000.args, "--attack", "none", "--quiet"]
    assert run_cli(probe_main, *args, "--total", total) == 2
    err = one_line(capsys.readouterr().err, "probe")
    assert f"probe --total {total} needs about" in err and "more than the 4 GiB this stage keeps under" in err
    assert not out.exists()
    assert run_cli(probe_main, *args, "--per-class", total // CLASSES + 1) == 2
    assert "more than the 4 GiB" in one_line(capsys.readouterr().err, "probe") and not out.exists()
