"""The distillation recipe of ``synthkd run``: the settings its training uses, and how plans record them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from synthkd.core.models import TeacherSpec
from synthkd.distill.settings import DistillSettings

# Measured by python -m experiments.recipe (one change at a time on two panel teachers, then on the whole panel
# over seeds): no mixup. Teacher, data and out are placeholders that a run replaces (dataclasses.replace), with its
# seed, device and schedule.
RECIPE = DistillSettings(teacher=TeacherSpec(name="TEACHER"), data=Path("D_K"), out=Path("STUDENT"),
                         aug="standard", mixup_alpha=0.0, temperature=4.0, hard_weight=0.0, lr=0.1, batch_size=64,
                         weight_decay=1e-4)
RECIPE_KEYS = ("aug", "mixup_alpha", "temperature", "hard_weight", "lr", "momentum", "weight_decay", "batch_size")


def recipe_record(settings: DistillSettings = RECIPE) -> dict[str, Any]:
    """A recipe's training numbers, as plans and experiments record them."""
    return {k: getattr(settings, k) for k in RECIPE_KEYS}
