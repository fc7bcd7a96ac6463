"""``synthkd run``: the whole method for your teacher in one command, sized to a time budget.

    synthkd run --teacher resnet50_cifar --weights r50.pt --num-classes 10 --minutes 30 --out runs/r50 [--eval DIR]

A run measures, on this machine and for this teacher and student, how fast a training step is and how fast
images are made and labelled; it looks at the teacher's class histogram on a first chunk of renders to decide
whether to steer the generator (``synthkd.core.steer``); then it sizes D_S, D_K and the epochs so that the
whole run fits the budget, and runs the stages: render (steered) D_S, balance it into D_K with the teacher,
distill the student (``RECIPE``: standard augmentation, no mixup, temperature 4, as measured by
``python -m experiments.recipe``). Every choice
and the reason for it go into ``RUN/plan.json``; the student's top-1 on ``--eval`` (or its agreement with the
teacher on held-out synthetic images) into ``RUN/summary.json``, the report page and one JSON line. Running the
same command again resumes a killed run where it stopped.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import torch

from synthkd.core.classes import histogram, relative_entropy
from synthkd.core.dataset import DatasetError, write_json
from synthkd.core.models import TeacherSpec, load_model, num_classes_of
from synthkd.core.runtime import pick_device
from synthkd.core.settings import REQUIRED, UsageError, device_field, group, opt, quiet_field, require, seed_field
from synthkd.core.steer import SteerSettings, variant_grid
from synthkd.core.tensors import predict
from synthkd.distill.stream import StreamSettings, source_chunks
from synthkd.distill.train import DistillSettings, Pipeline, amp_dtype, distill, load_image_folder, step_rate
from synthkd.probe.balance import BalanceSettings
from synthkd.probe.stage import ProbeSettings, probe
from synthkd.procgen.stage import LeavesDataset, NoiseDataset, render_leaves, render_noise
from synthkd.shaders.stage import ShaderDataset, render_shaders

log = logging.getLogger(__name__)
PLAN, SUMMARY = "plan.json", "summary.json"
SOURCES = {"shaders": (ShaderDataset, render_shaders), "leaves": (LeavesDataset, render_leaves),
           "noise": (NoiseDataset, render_noise)}

# The distillation settings a run uses, measured by python -m experiments.recipe (one change at a time on two
# panel teachers, then this recipe on the whole panel over seeds): no mixup, which at CPU budgets cost the
# student 0.15 on both screened teachers.
RECIPE = {"aug": "standard", "mixup_alpha": 0.0, "temperature": 4.0, "hard_weight": 0.0, "lr": 0.1, "batch_size": 64,
          "weight_decay": 1e-4}
STEER_BELOW = 0.95  # steer the generator when the teacher's relative entropy on plain renders is below this
EPOCHS_PER_IMAGE_SET = 25  # D_K is sized so that training takes about this many passes over it ...
MIN_DK, MAX_DK = 2_000, 50_000  # ... within these bounds
OVERSHOOT = 2.0  # D_S images rendered per D_K image (the balancer's choice)
# The training loop reaches this share of the bare step rate. It depends on the teacher: measured 0.63 (ink_gapcnn),
# 0.69 (thick_resnet8, mlp), 0.79 (wrn16_1); at 0.8 a 30-minute run took 15 % too long, at 0.7 a 1-minute run
# ended 18 % early, so 0.75.
SPEED_MARGIN = 0.75
FIXED_SECONDS = 5.0  # starting the stages, the report
SECONDS_PER_EPOCH = 0.1  # the checkpoint and the metrics after every epoch (the checks are counted apart)


@dataclass(frozen=True, kw_only=True)
class RunSettings:
    """A ``synthkd run``: the teacher, the budget, and where the run goes."""

    teacher: TeacherSpec = field(metadata=group("teacher"))
    out: Path = opt(REQUIRED, "run directory (running the same command again resumes it)", "--out", type=Path,
                    metavar="RUN")
    minutes: float = opt(30.0, "time budget for the whole run on this machine, in minutes", "--minutes", type=float)
    source: str = opt("shaders", "what the images are: shader renders, Leaves or noise", "--source",
                      choices=tuple(SOURCES))
    eval_dir: Path | None = opt(None, "labelled real images, one folder per class (named 0..C-1, or sorted names "
                                "= class indices): the student's top-1 on them is the run's figure; without it, "
                                "its agreement with the teacher on held-out synthetic images", "--eval", type=Path,
                                metavar="DIR")
    student: str = opt("auto", "the student model (any --teacher name); auto: resnet8_cifar for teachers under "
                       "1 M parameters, wrn16_2 under 5 M, resnet18_cifar above", "--student", metavar="SPEC")
    size: int = opt(32, "image size of the data (the teacher resizes to its own input size)", "--size", type=int)
    seed: int = seed_field("seeds the data, the selection and the student")
    device: str = device_field()
    quiet: bool = quiet_field()

    def __post_init__(self) -> None:
        require(self.minutes >= 1, f"--minutes must be at least 1 (a run needs time to measure, render and "
                                   f"train), got {self.minutes:g}")
        require(8 <= self.size <= 1024, f"--size must be in 8..1024, got {self.size}")


def run(s: RunSettings) -> dict[str, Any]:
    """Plan (or read the plan of) the run in ``s.out``, run its stages, and return its summary."""
    started = time.perf_counter()
    out = Path(s.out)
    _check_out(out, s)
    device = pick_device(s.device)
    teacher = s.teacher.load(check_size=s.size).to(device)
    classes = num_classes_of(teacher, s.size)
    checks = 0
    if s.eval_dir is not None:  # a bad folder fails now, not after the budget
        checks = len(load_image_folder(Path(s.eval_dir), s.size, classes)[1])
    planned_now = not (out / PLAN).is_file()
    if planned_now:
        out.mkdir(parents=True, exist_ok=True)
        write_json(out / PLAN, make_plan(s, teacher, classes, device, checks))
    plan = json.loads((out / PLAN).read_text())
    log.info("plan: %s", plan["why"])
    seconds = {"plan": plan["seconds_planning"] if planned_now else 0.0}
    clock = time.perf_counter()
    data = out / "data"
    settings, stage = SOURCES[s.source]
    steering = {"teacher": s.teacher, "steering": SteerSettings(steer="variants")} if plan["steer"] else {}
    stage(settings(n=plan["ds_images"], size=s.size, seed=s.seed, out=data, quiet=s.quiet, **steering))
    seconds["render"], clock = time.perf_counter() - clock, time.perf_counter()
    dk = out / "dk"
    probed = probe(ProbeSettings(data=(data,), out=dk, teacher=s.teacher, seed=s.seed, attack="none",
                                 balance=BalanceSettings(total=plan["dk_images"]), device=s.device, quiet=s.quiet))
    seconds["probe"], clock = time.perf_counter() - clock, time.perf_counter()
    if planned_now:  # the data took what it took: training gets the rest of the budget, at today's step rate
        plan = replan(s, plan, teacher, classes, device, checks, time.perf_counter() - started)
        write_json(out / PLAN, plan)
    epochs = plan["epochs"]
    student = out / "student"
    summary = distill(DistillSettings(teacher=s.teacher, student=plan["student"], data=dk, out=student,
                                      eval_dir=s.eval_dir, epochs=epochs, seed=s.seed, device=s.device, resume=True,
                                      quiet=s.quiet, **RECIPE))
    seconds["distill"] = time.perf_counter() - clock
    seconds["total"] = time.perf_counter() - started
    result = {"kind": "run", "source": s.source, "minutes": s.minutes, "teacher": s.teacher.record(),
              "student": plan["student"], "plan": plan,
              "row": _row(s, out, data, dk, student, probed, summary, seconds),
              "seconds": {k: round(v, 1) for k, v in seconds.items()}}
    write_json(out / SUMMARY, result)
    from synthkd.report import write_report

    write_report(out)
    return {**result["row"], "student": plan["student"], "minutes": s.minutes, "report": str(out / "report.html")}


def train_images_per_s(s: RunSettings, teacher: torch.nn.Module, student: str, classes: int,
                       device: torch.device) -> float:
    """The training loop's expected images/s for this teacher and a fresh ``student`` on this machine, now."""
    amp = amp_dtype(DistillSettings(teacher=s.teacher, out=s.out, data=s.out, device=s.device), device)
    throwaway = load_model(student, num_classes=classes, need_weights=False, check_size=s.size)
    # On the CPU the DataLoader worker augments and mixes beside the step; elsewhere the step does it.
    pipeline = Pipeline(RECIPE["aug"], RECIPE["mixup_alpha"], s.seed) if device.type != "cpu" else None
    return step_rate(teacher, throwaway.to(device).to(memory_format=torch.channels_last), RECIPE["batch_size"],
                     s.size, amp, pipeline) * SPEED_MARGIN


def replan(s: RunSettings, plan: dict[str, Any], teacher: torch.nn.Module, classes: int, device: torch.device,
           checks: int, elapsed: float) -> dict[str, Any]:
    """``plan`` with its epochs re-sized once D_K exists: the budget left after ``elapsed`` seconds, at the step
    rate measured now. The first measurement can be far off (on a fresh clone a run measured a third of the
    labelling rate and two thirds of the training rate it then reached, and ended after half its budget)."""
    rate = train_images_per_s(s, teacher, plan["student"], classes, device)
    per_epoch = SECONDS_PER_EPOCH + checks / plan["label_images_per_s"]
    left = s.minutes * 60 - elapsed - FIXED_SECONDS
    epochs = max(1, int(left / (plan["dk_images"] / rate + per_epoch)))
    return {**plan, "epochs": epochs, "epochs_first_plan": plan["epochs"], "train_images_per_s_after_data":
            round(rate, 1), "why": f"{plan['why']}; D_K was ready after {elapsed:.0f} s and training ran at "
            f"{rate:.0f} img/s, so {epochs} epochs fill the rest"}


def make_plan(s: RunSettings, teacher: torch.nn.Module, classes: int, device: torch.device,
              checks: int = 0) -> dict[str, Any]:
    """Measure this machine and size the run to ``s.minutes`` (``checks``: images the student is evaluated on after
    every epoch); returns the plan (numbers, and why)."""
    clock = time.perf_counter()
    student = s.student if s.student != "auto" else auto_student(teacher)
    train_rate = train_images_per_s(s, teacher, student, classes, device)
    # Rates are timed on a second pass: the first pays one-off costs (the shader check on a fresh clone, compiling,
    # the first inference call's kernel set-up) that made a clean clone's plan use half its budget.
    make_chunk = source_chunks(StreamSettings(source=s.source, size=s.size), s.seed)[0]
    images = make_chunk(0, 1024)[0]
    predict(teacher, images[:256], device)
    clock_render = time.perf_counter()
    make_chunk(1, 1024)
    render_rate = 1024 / (time.perf_counter() - clock_render)
    clock_label = time.perf_counter()
    labels = predict(teacher, images, device).argmax(1).numpy()
    label_rate = len(images) / (time.perf_counter() - clock_label)
    plain = relative_entropy(histogram(labels, classes))
    steer = plain < STEER_BELOW
    # Seconds: fixed costs, then per D_S image (render; a steered image is labelled once more when it is made),
    # per training presentation, and per epoch (the checks). The steering fit labels every variant of a chunk.
    fixed = (time.perf_counter() - clock) + FIXED_SECONDS + (len(variant_grid()) * len(images) / label_rate
                                                               if steer else 0.0)
    per_image = 1 / render_rate + (2 if steer else 1) / label_rate
    per_epoch = SECONDS_PER_EPOCH + checks / label_rate
    budget = s.minutes * 60 - fixed - EPOCHS_PER_IMAGE_SET * per_epoch
    presentations = max(0.0, budget) / (OVERSHOOT / EPOCHS_PER_IMAGE_SET * per_image + 1 / train_rate)
    dk = int(min(MAX_DK, max(MIN_DK, presentations / EPOCHS_PER_IMAGE_SET)))
    dk = max(RECIPE["batch_size"], dk // 1000 * 1000 or dk)
    ds = int(OVERSHOOT * dk)
    train_seconds = s.minutes * 60 - fixed - ds * per_image
    epochs = int(train_seconds / (dk / train_rate + per_epoch))
    if epochs < 1:
        raise UsageError(f"--minutes {s.minutes:g} is too short for this teacher on this machine: measuring and "
                         f"making the smallest D_K take about {(fixed + ds * per_image) / 60:.1f} minutes")
    why = (f"training {train_rate:.0f} img/s, rendering {render_rate:.0f} img/s, labelling {label_rate:.0f} img/s; "
           f"the teacher's relative entropy on "
           f"plain {s.source} is {plain:.3f}, so {'steer the generator (variants)' if steer else 'no steering'}; "
           f"{ds} images rendered, {dk} balanced, {epochs} epochs ({epochs * dk} presentations) to fit "
           f"{s.minutes:g} minutes")
    planned = fixed + ds * per_image + epochs * (dk / train_rate + per_epoch)
    return {"student": student, "train_images_per_s": round(train_rate, 1),
            "render_images_per_s": round(render_rate, 1), "label_images_per_s": round(label_rate, 1),
            "planned_seconds": round(planned, 1),
            "plain_relative_entropy": round(plain, 4), "steer": steer, "ds_images": ds, "dk_images": dk,
            "epochs": epochs, "recipe": RECIPE, "seconds_planning": round(time.perf_counter() - clock, 1),
            "budget_seconds": round(s.minutes * 60), "why": why, "settings": _identity(s)}


def auto_student(teacher: torch.nn.Module) -> str:
    """A student a good deal smaller than the teacher (by parameter count)."""
    params = sum(p.numel() for p in teacher.parameters())
    return "resnet8_cifar" if params < 1_000_000 else "wrn16_2" if params < 5_000_000 else "resnet18_cifar"


def _identity(s: RunSettings) -> dict[str, Any]:
    return json.loads(json.dumps({**asdict(replace(s, quiet=False)), "teacher": s.teacher.record()}, default=str))


def _check_out(out: Path, s: RunSettings) -> None:
    """A run directory holds one run: a different one there, or other files, are refused before any work."""
    if out.exists() and not out.is_dir():
        raise DatasetError(f"--out {out} is a file, not a directory")
    if (out / PLAN).is_file():
        old = json.loads((out / PLAN).read_text()).get("settings")
        if old != _identity(s):
            diff = sorted(k for k in set(old or {}) | set(_identity(s)) if (old or {}).get(k) != _identity(s).get(k))
            raise DatasetError(f"{out} holds another run (differs in {', '.join(diff)}); choose another --out")
    elif out.is_dir() and any(out.iterdir()):
        raise DatasetError(f"{out} is not empty and holds no {PLAN}; refusing to start a run in it")


def _row(s: RunSettings, root: Path, data: Path, dk: Path, student: Path, probed: dict, summary: dict,
         seconds: dict) -> dict[str, Any]:
    """The run as one results row (the report's and the demo's)."""
    return {"source": s.source, "student_top1": summary.get("eval_student_top1"),
            "teacher_top1": summary.get("eval_teacher_top1"),
            "agreement": summary.get("eval_agreement", summary.get("holdout_agreement")),
            "relative_entropy_ds": probed["relative_entropy_ds"], "relative_entropy_dk": probed["relative_entropy_dk"],
            "effective_relative_entropy": summary.get("effective_relative_entropy"),
            "pairs_valid": probed.get("attack", {}).get("pairs_valid", 0),
            "pairs_tried": probed.get("attack", {}).get("pairs_tried", 0),
            "train_images": summary["train_images"], "epochs": summary["epochs"],
            "seconds": {k: round(v, 1) for k, v in seconds.items()},
            "paths": {k: str(p.relative_to(root)) for k, p in (("data", data), ("dk", dk), ("student", student))}}

