"""A distillation run's settings (``distill``'s options), checked before anything is loaded."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from synthkd.core.models import TeacherSpec
from synthkd.core.settings import (
    REQUIRED,
    UsageError,
    batch_size_field,
    device_field,
    finite,
    group,
    opt,
    positive_int,
    quiet_field,
    seed_field,
)
from synthkd.distill.augment import LEVELS
from synthkd.distill.stream import StreamSettings

DEFAULT_HOLDOUT = 0.05  # share of the distillation data held out when no --eval folder is given
AMP_MODES = ("auto", "none", "bf16", "fp16")


class DistillError(UsageError):
    """Bad settings or inputs for a distillation run, said in one line before any training."""


@dataclass(frozen=True, kw_only=True)
class DistillSettings:
    """A distillation run. Numbers default to the paper's recipe (section 4, "Distillation Training Details")."""

    teacher: TeacherSpec = field(metadata=group("teacher"))
    student: str = opt("resnet18_cifar", "the student model (freshly initialised; any name --teacher takes)",
                       "--student", metavar="SPEC")
    student_normalization: str = opt("auto", "as --teacher-normalization, for the student",
                                     "--student-normalization", metavar="PRESET|M,M,M/S,S,S")
    student_size: int | None = opt(None, "resize images to this for the student (default: train it at the "
                                   "dataset's image size)", "--student-size", type=positive_int)
    data: Path | None = opt(None, "dataset directory to distil on (D_K, or D_S: only its images are used); or "
                            "--stream", "--data", type=Path, metavar="D_K")
    stream: StreamSettings = field(default_factory=StreamSettings, metadata=group("streaming D_K (instead of --data)"))
    out: Path = opt(REQUIRED, "run directory (created, or resumed with --resume)", "--out", type=Path, metavar="RUN")
    eval_dir: Path | None = opt(None, "labelled real images, one folder per class (folders named 0..C-1, or sorted "
                                "names = class indices): student top-1, teacher top-1 and their agreement after "
                                "every epoch", "--eval", type=Path, metavar="DIR")
    holdout: float | None = opt(None, f"share of --data held out (seeded) to report student-teacher agreement on "
                                f"(default: {DEFAULT_HOLDOUT} without --eval, 0 with it)", "--holdout", type=float,
                                metavar="FRACTION")
    epochs: int | None = opt(None, "passes over the data (default 400; with --minutes or --replay: at most this "
                             "many, and by default as many as the time or the recorded steps take)", "--epochs",
                             type=int)
    minutes: float | None = opt(None, "train for this much wall time: the learning rate follows the time elapsed "
                                "(a half cosine over the minutes) and training stops at the deadline, so a slower "
                                "or busier machine takes fewer steps, not longer", "--minutes", type=float)
    replay: Path | None = opt(None, "repeat the training schedule recorded in a finished run's schedule.json (how "
                              "many steps, and where the learning rate moved) instead of --minutes: no clock is "
                              "involved, so with the same --threads the student is the same, bit for bit",
                              "--replay", type=Path, metavar="SCHEDULE")
    batch_size: int = batch_size_field()
    lr: float = opt(0.1, "initial learning rate (half-period cosine to 0)", "--lr", type=float)
    momentum: float = opt(0.9, "SGD momentum", "--momentum", type=float)
    weight_decay: float = opt(1e-4, "SGD weight decay", "--weight-decay", type=float)
    temperature: float = opt(20.0, "softmax temperature tau > 0: 20 for synthetic or fine-grained data, 2 for real "
                             "general-purpose images (the paper's choices)", "--temperature", type=float)
    hard_weight: float = opt(0.0, "weight w in [0, 1] of cross-entropy on the teacher's argmax: loss = (1-w) KD + "
                             "w CE", "--hard-weight", type=float)
    mixup_alpha: float = opt(1.0, "mixup on every batch with lambda ~ Beta(a, a): 1 = uniform, 0 = no mixup",
                             "--mixup-alpha", type=float)
    ema: float = opt(0.0, "keep an exponential moving average of the student's weights (and batch-norm statistics), "
                     "with this decay per step, and evaluate and save the average: it damps the step-to-step "
                     "swings of a student on data unlike its training images (0: off; 0.999 averages about the last "
                     "1,000 steps)", "--ema", type=float, metavar="DECAY")
    aug: str = opt("high", "augmentation: none; standard = RandAugment(2, 14) + flip + padded crop; high = "
                   "RandAugment(4, 14) + elastic + invert + flip + crop; extreme = high with RandAugment(8, 30) + "
                   "random erasing", "--aug", choices=tuple(LEVELS))
    augment_pairs: bool = opt(False, "augment the prober's boundary pairs too (images whose kind is not 'balanced'); "
                              "by default they are trained as the prober made them, since augmentation moves them off "
                              "the teacher's decision boundary", "--augment-pairs", action="store_true")
    seed: int = seed_field("seeds the student, data order and augmentation")
    device: str = device_field()
    amp: str = opt("auto", "mixed precision: auto = bf16 on GPUs that have it, else fp16 on CUDA; on the CPU bf16 "
                   "where it has native bf16 instructions, else none",
                   "--amp", choices=AMP_MODES)
    sync_bn: bool = opt(False, "batch-norm statistics over all torchrun processes (CUDA only)", "--sync-bn",
                        action="store_true")
    threads: int | None = opt(None, "CPU threads for training (default: every core, one fewer beside --stream's "
                              "process, and fewer while other programs keep cores busy; a fixed number keeps runs "
                              "bit-identical on a machine whatever else runs)", "--threads", type=positive_int)
    workers: int = opt(1, "DataLoader worker processes reading batches (on the CPU they also augment and mix, "
                       "beside the training step; 0: all in this process)", "--workers", type=int)
    resume: bool = opt(False, "continue the run in --out from its last checkpoint (the settings must be the same); "
                       "start it if there is none", "--resume", action="store_true")
    quiet: bool = quiet_field()

    def __post_init__(self) -> None:
        """Every numeric and named setting in range, before anything is loaded."""
        for name in ("out", "data", "eval_dir", "replay"):
            if isinstance(getattr(self, name), str):
                object.__setattr__(self, name, Path(getattr(self, name)))
        rules = [
            (self.epochs is None or self.epochs >= 1, f"--epochs must be at least 1, got {self.epochs}"),
            (self.minutes is None or (finite(self.minutes) and self.minutes > 0),
             f"--minutes must be a number above 0, got {self.minutes}"),
            (self.minutes is None or self.replay is None, "give --minutes or --replay, not both"),
            (self.batch_size >= 1, f"--batch-size must be at least 1, got {self.batch_size}"),
            (finite(self.lr) and self.lr > 0, f"--lr must be a number above 0, got {self.lr}"),
            (finite(self.momentum) and 0 <= self.momentum < 1, f"--momentum must be in [0, 1), got {self.momentum}"),
            (finite(self.weight_decay) and self.weight_decay >= 0,
             f"--weight-decay must be 0 or more, got {self.weight_decay}"),
            (finite(self.temperature) and self.temperature > 0,
             f"--temperature must be a number above 0 (the tau^2-scaled loss vanishes at 0; for the teacher's "
             f"argmax use --hard-weight 1), got {self.temperature}"),
            (finite(self.hard_weight) and 0 <= self.hard_weight <= 1,
             f"--hard-weight must be in [0, 1], got {self.hard_weight}"),
            (finite(self.mixup_alpha) and self.mixup_alpha >= 0,
             f"--mixup-alpha must be 0 (off) or more, got {self.mixup_alpha}"),
            (finite(self.ema) and 0 <= self.ema < 1, f"--ema must be in [0, 1) (0: off), got {self.ema}"),
            (self.holdout is None or (finite(self.holdout) and 0 <= self.holdout < 1),
             f"--holdout must be in [0, 1), got {self.holdout}"),
            (self.aug in LEVELS, f"--aug must be one of {', '.join(LEVELS)}, got {self.aug!r}"),
            (self.amp in AMP_MODES, f"--amp must be one of {', '.join(AMP_MODES)}, got {self.amp!r}"),
            (self.seed >= 0, f"--seed must be 0 or more, got {self.seed}"),
            (self.workers >= 0, f"--workers must be 0 or more, got {self.workers}"),
            (self.teacher.num_classes is None or self.teacher.num_classes >= 1,
             f"--num-classes must be at least 1, got {self.teacher.num_classes}"),
            (all(s is None or s >= 1 for s in (self.teacher.size, self.student_size)),
             "image sizes must be at least 1"),
        ]
        rules.append(((self.data is None) != (self.stream.source is None),
                      "give --data DIR or --stream SOURCE (one of them)"))
        for ok, message in rules:
            if not ok:
                raise DistillError(message)

    def identity(self) -> dict[str, Any]:
        """The settings that define a run's result: --resume refuses to continue a run whose values differ."""
        t = self.teacher
        return {"teacher": t.name, "student": self.student, "num_classes": t.num_classes,
                "teacher_normalization": t.normalization, "teacher_size": t.size,
                "student_normalization": self.student_normalization, "student_size": self.student_size,
                "replay": None if self.replay is None else str(self.replay),
                **{k: getattr(self, k) for k in ("epochs", "minutes", "batch_size", "lr", "momentum", "weight_decay",
                                                 "temperature", "hard_weight", "mixup_alpha", "aug", "augment_pairs",
                                                 "holdout", "seed", "sync_bn")},
                **({"ema": self.ema} if self.ema else {})}


def amp_dtype(amp: str, device: torch.device, sync_bn: bool = False) -> torch.dtype | None:
    """The autocast dtype for ``--amp`` on ``device`` (``auto``: bf16 on GPUs that have it, else fp16; on the CPU
    bf16 where it has native bf16 instructions, else none), after checking that the device can do what was asked."""
    if sync_bn and device.type != "cuda":
        raise DistillError("--sync-bn needs CUDA (torch's SyncBatchNorm does not run on the CPU)")
    if amp == "auto":
        if device.type == "cuda":
            amp = "bf16" if torch.cuda.is_bf16_supported() else "fp16"
        else:
            amp = "bf16" if torch.ops.mkldnn._is_mkldnn_bf16_supported() else "none"
    if amp == "fp16" and device.type != "cuda":
        raise DistillError("--amp fp16 needs CUDA; use bf16 or none on the CPU")
    return {"none": None, "bf16": torch.bfloat16, "fp16": torch.float16}[amp]
