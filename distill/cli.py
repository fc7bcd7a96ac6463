"""distill: train a freshly initialised student to match a teacher on a dataset directory (D_K or D_S).

    distill --teacher resnet50_cifar --weights teacher.pt --data data/dk --out runs/r18 [--eval cifar10-test/]
    torchrun --nproc-per-node 4 --no-python distill ...     (one process per GPU)
    torchrun --nproc-per-node 4 -m synthkd.distill.cli ...   (the same)
"""

from __future__ import annotations

import sys

from synthkd.core.cli import Parser, add_options, run, settings_from
from synthkd.core.errors import DatasetError
from synthkd.core.models import ModelError
from synthkd.distill.settings import DistillError, DistillSettings
from synthkd.distill.train import distill

DESCRIPTION = (
    "Distil a teacher into a freshly initialised student with the KD loss tau^2 KL(p_T || p_S) on images of a "
    "synthkd dataset directory (a probe output D_K, or unlabelled D_S: the teacher labels every augmented, mixed "
    "batch on the fly). Defaults follow Frank & Davis: SGD (momentum 0.9, weight decay 1e-4, lr 0.1, half-period "
    "cosine), batch 256, 400 epochs, mixup with lambda ~ U(0, 1), 'high' augmentation, tau = 20. Writes "
    "checkpoint.pt every epoch (kill it and run the same command with --resume to continue), metrics.jsonl, "
    "student.pt and summary.json to --out, and prints the summary as one JSON line.")


def parser() -> Parser:
    p = Parser(prog="distill", description=DESCRIPTION)
    add_options(p, DistillSettings)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return run("distill", lambda: distill(settings_from(DistillSettings, args)),
               (DistillError, ModelError, DatasetError), args.quiet, argv, resume_flag="--resume")


if __name__ == "__main__":
    sys.exit(main())
