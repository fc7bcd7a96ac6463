"""The plan of a ``synthkd run``: what defines the run, and how its budget is split once this machine is measured.

``plan_run`` times the pieces (``synthkd.measure``), decides steering, probing and the student, sizes D_S, D_K and
the passes within the budget (``synthkd.budget``), refuses a budget below the floor with the minutes that would
do, and returns the run's first record with a sentence saying why."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from synthkd.budget import (
    FLOOR_DK,
    FLOOR_PASSES,
    KNEE,
    MAX_DK,
    PROBE_SHARE,
    RESERVE,
    floor_seconds,
    largest_chunk,
    probes,
    run_lever,
    run_memory,
    size_run,
)
from synthkd.core.networks import CIFAR_STUDENTS, NATIVE_SIZE, log_form
from synthkd.core.resources import CEILING, check_fits, image_bytes
from synthkd.core.settings import UsageError
from synthkd.core.tensors import LARGE_IMAGES
from synthkd.distill.checks import folder_identity
from synthkd.distill.schedule import Clock
from synthkd.recipe import recipe_record

if TYPE_CHECKING:
    from synthkd.run import RunSettings

Measure = Callable[["RunSettings", torch.nn.Module, str, torch.device], dict[str, float]]


def identity(s: RunSettings) -> dict[str, Any]:
    """What defines a run's result, compared when it is resumed: the teacher (its weights by checksum), the
    budget, the source, the evaluation folder (by its files, however its path is spelled), student, size, seed."""
    teacher = s.teacher.record()
    if teacher.get("weights_sha256") != teacher.get("weights"):
        teacher.pop("weights")  # known by its checksum: the file may move
    return {"teacher": teacher, "minutes": s.minutes, "source": s.source, "student": s.student, "size": s.size,
            "seed": s.seed, "eval": folder_identity(Path(s.eval_dir)) if s.eval_dir is not None else None,
            **({"steer": s.steer} if s.steer != "auto" else {}),  # runs recorded before --steer still resume
            **({"refine": s.refine} if s.refine else {}), **({"probe": s.probe} if s.probe != "auto" else {}),
            **s.source_options}


def plan_run(s: RunSettings, teacher: torch.nn.Module, classes: int, device: torch.device, checks: int,
             measure: Measure, started: float, clock: Clock) -> dict[str, Any]:
    """Measure this machine and split the budget left since ``started`` (``checks``: images the student is
    evaluated on after every epoch); returns the run's first record (rates, sizes, and why)."""
    student = s.student if s.student != "auto" else auto_student(teacher, s.size)
    rates = measure(s, teacher, student, device)
    spent = clock() - started
    lever = run_lever(s.steer, rates)
    steer = lever is not None
    probing = probes(s.probe, rates, lever)
    budget = s.minutes * 60 - spent - RESERVE
    most = largest_chunk(s.size)
    # What --steer auto / --probe auto chose goes when the budget cannot pay for it here: steering first (labelling
    # every variant of its pilot chunk costs more than attacking a quarter of a small D_K), then probing, then both.
    choices = [(st, pr) for pr in dict.fromkeys((probing, probing and s.probe != "auto"))
               for st in dict.fromkeys((steer, steer and s.steer != "auto"))]
    for chosen_steer, chosen_probe in choices:
        sizes = size_run(budget, rates, chosen_steer, checks, classes, s.refine, chosen_probe, most)
        if sizes is not None:
            break
    dropped = [name for name, asked, kept in (("steering", steer, chosen_steer), ("probing", probing, chosen_probe))
               if asked and not kept]
    steer, probing = chosen_steer, chosen_probe
    # A student of its own for a teacher of dark images: its faint images, and the teacher's, are not blank to it.
    logged = s.student == "auto" and steer and lever == "dark" and log_form(student) != student
    student = log_form(student) if logged else student
    if sizes is None:
        need = spent + RESERVE + floor_seconds(rates, steer, checks, classes, s.refine, probing, most)
        raise UsageError(f"--minutes {s.minutes:g} is too short for this teacher on this machine: measuring, "
                         f"{'steering, ' if steer else ''}and the smallest run (D_K of {FLOOR_DK} images, "
                         f"{FLOOR_PASSES} passes) take about {need / 60:.1f} minutes here now; give --minutes "
                         f"{math.ceil(need / 6) / 10:g} or more")
    check_fits(f"a run at --size {s.size}", out=s.out, ceiling=CEILING,
               memory=run_memory(sizes["chunk_size"], s.size),
               disk=(sizes["ds_cap"] + MAX_DK) * image_bytes(s.size))  # D_S as far as it may grow, and D_K
    floor = sizes["dk_images"] < KNEE
    pooled = f" (over {rates['plain_groups']:.0f} blocks of classes)" if "plain_groups" in rates else ""
    why = (f"training {rates['train_images_per_s']:.0f} img/s, rendering {rates['render_images_per_s']:.0f} img/s, "
           f"labelling {rates['label_images_per_s']:.0f} img/s (each once warm); the teacher's relative entropy on "
           f"plain {s.source} is {rates['plain_relative_entropy']:.3f}{pooled}, so "
           f"{f'steer the generator ({lever})' if steer else 'no steering'}"
           f"{f' (--steer {s.steer})' if s.steer != 'auto' else ''}"
           f"{grid_why(rates, lever) if steer and s.steer == 'auto' else ''}"
           f"{f', each image refined with {s.refine} steps' if s.refine else ''}"
           f"{f', {PROBE_SHARE:.0%} of D_K probed for boundary pairs' if probing else ''}"
           f"{' (no ' + ' or '.join(dropped) + ': the budget cannot pay for it here)' if dropped else ''}"
           f"{f'; the student ({student}) reads log intensities' if logged else ''}; about "
           f"{sizes['ds_images']} images "
           f"rendered in {sizes['data_seconds']:.0f} s and {sizes['dk_images']} balanced, trained for the rest of "
           f"the {s.minutes:g} minutes (about {sizes['passes']:.0f} passes)"
           + ("; the budget is short: D_K and the passes are cut towards the floor" if floor else ""))
    return {"settings": identity(s), "measured": {k: round(float(v), 4) for k, v in rates.items()},
            "student": student, "steer": steer, **({"lever": lever} if steer and lever != "variants" else {}),
            **({"refine": s.refine} if s.refine else {}), **({"probe": True} if probing else {}),
            "why": why, "budget_seconds": round(s.minutes * 60),
            "recipe": recipe_record(),
            "planned": {k: round(v, 1) if isinstance(v, float) else v for k, v in sizes.items()},
            "chunk_size": sizes["chunk_size"], "ds_cap": sizes["ds_cap"],
            "teacher_weights": s.teacher.weights, "checks": checks,
            "eval_dir": str(Path(s.eval_dir).resolve()) if s.eval_dir is not None else None,
            "seconds": {"measure": round(spent, 3)}}


def grid_why(rates: dict[str, float], lever: str) -> str:
    """Why ``--steer auto`` took the grid ``lever``, in the plan's sentence."""
    dark = "" if lever == "natural" else (
        f"; the dark grid covers its classes {'better' if lever == 'dark' else 'no better'} than variants (relative "
        f"entropy {rates['dark_gain']:+.2f})" if "dark_gain" in rates else
        "; the dark grid is not checked: the budget cannot spare the teacher passes here")
    return (f" (graying plain images keeps {rates['gray_agreement']:.0%} of its answers: it "
            f"{'reads' if lever == 'natural' else 'does not read'} colour{dark})")


def auto_student(teacher: torch.nn.Module, size: int = NATIVE_SIZE) -> str:
    """A student sized by the teacher's parameter count (the smallest choice for teachers that are small already):
    one of the registry's CIFAR-size networks for images up to ``LARGE_IMAGES`` px, an ImageNet-size torchvision
    network above (a CIFAR-size network keeps full resolution through its first stage, which costs tens of times
    more at 224 px)."""
    params = sum(p.numel() for p in teacher.parameters())
    if size > LARGE_IMAGES:
        return "mobilenet_v3_small" if params < 20_000_000 else "resnet18"
    small, medium, large = CIFAR_STUDENTS
    return small if params < 1_000_000 else medium if params < 5_000_000 else large
