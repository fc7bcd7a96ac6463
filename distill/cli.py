"""``distill``: train a freshly initialised student to match a teacher on a dataset directory (D_K or D_S).

    distill --teacher resnet50_cifar --weights teacher.pt --data data/dk --out runs/r18 [--eval cifar10-test/]
    torchrun --nproc-per-node 4 --no-python distill ...      (one process per GPU; or: torchrun ... -m distill.cli)
"""

from __future__ import annotations

import sys
from pathlib import Path

from synthkd.core.cli import Parser, run
from synthkd.core.dataset import DatasetError
from synthkd.core.models import ModelError
from synthkd.distill.augment import LEVELS
from synthkd.distill.train import AMP_MODES, DEFAULT_HOLDOUT, Config, DistillError, distill

DESCRIPTION = (
    "Distil a teacher into a freshly initialised student with the KD loss tau^2 KL(p_T || p_S) on images of a "
    "synthkd dataset directory (a probe output D_K, or unlabelled D_S: the teacher labels every augmented, mixed "
    "batch on the fly). Defaults follow Frank & Davis: SGD (momentum 0.9, weight decay 1e-4, lr 0.1, half-period "
    "cosine), batch 256, 400 epochs, mixup with lambda ~ U(0, 1), 'high' augmentation, tau = 20. Writes "
    "checkpoint.pt every epoch (kill it and run the same command with --resume to continue), metrics.jsonl, "
    "student.pt and summary.json to --out, and prints the summary as one JSON line.")


def parser() -> Parser:
    p = Parser(prog="distill", description=DESCRIPTION)
    models = p.add_argument_group("models (names as for probe: synthkd's registry, torchvision, timm, "
                                  ".pt2/.ts files, package.module:callable)")
    models.add_argument("--teacher", required=True, help="the teacher model")
    models.add_argument("--weights", help="the teacher's checkpoint (or a torchvision weights name)")
    models.add_argument("--num-classes", type=int, help="the teacher's number of classes; none: what its model "
                        "gives (registry models are built for 10). The student gets the teacher's classes")
    models.add_argument("--teacher-normalization", default="auto",
                        help="auto, a preset (imagenet, cifar10, cifar100, mnist, half, none) or M,M,M/S,S,S")
    models.add_argument("--teacher-size", type=int, help="resize images to this for the teacher; none: the "
                        "model's own input size (224 for torchvision names, no resizing for CIFAR-size models)")
    models.add_argument("--student", default="resnet18_cifar", help="the student model (freshly initialised)")
    models.add_argument("--student-normalization", default="auto", help="as --teacher-normalization")
    models.add_argument("--student-size", type=int, help="resize images to this for the student; none: train it "
                        "at the dataset's image size")

    data = p.add_argument_group("data and checks")
    data.add_argument("--data", type=Path, required=True, help="dataset directory to distil on (only images used)")
    data.add_argument("--out", type=Path, default=Path("runs/distill"), help="run directory")
    data.add_argument("--eval", dest="eval_dir", type=Path, metavar="DIR",
                      help="labelled real images, one folder per class (folders named 0..C-1, or sorted names = "
                           "class indices): student top-1, teacher top-1 and their agreement after every epoch")
    data.add_argument("--holdout", type=float, metavar="FRACTION",
                      help=f"share of --data held out (seeded) to report student-teacher agreement on; none: "
                           f"{DEFAULT_HOLDOUT} without --eval, 0 with it")

    train = p.add_argument_group("training")
    train.add_argument("--epochs", type=int, default=400, help="passes over the data")
    train.add_argument("--batch-size", type=int, default=256, help="global batch (split over torchrun processes)")
    train.add_argument("--lr", type=float, default=0.1, help="initial learning rate (half-period cosine to 0)")
    train.add_argument("--momentum", type=float, default=0.9, help="SGD momentum")
    train.add_argument("--weight-decay", type=float, default=1e-4, help="SGD weight decay")
    train.add_argument("--temperature", type=float, default=20.0,
                       help="softmax temperature tau > 0: 20 for synthetic or fine-grained data, 2 for real "
                            "general-purpose images (the paper's choices)")
    train.add_argument("--hard-weight", type=float, default=0.0,
                       help="weight w in [0, 1] of cross-entropy on the teacher's argmax: loss = (1-w) KD + w CE")
    train.add_argument("--mixup-alpha", type=float, default=1.0,
                       help="mixup on every batch with lambda ~ Beta(a, a): 1 = uniform, 0 = no mixup")
    train.add_argument("--aug", choices=list(LEVELS), default="high",
                       help="augmentation: none; standard = RandAugment(2, 14) + flip + padded crop; high = "
                            "RandAugment(4, 14) + elastic + invert + flip + crop; extreme = high with RandAugment(8, "
                            "30) + random erasing")
    train.add_argument("--seed", type=int, default=0, help="seeds the student, data order and augmentation")

    system = p.add_argument_group("system")
    system.add_argument("--device", default="auto", help="auto (this process's GPU if any, else cpu), cpu, cuda[:N]")
    system.add_argument("--amp", choices=AMP_MODES, default="auto",
                        help="mixed precision: auto = bf16 on GPUs that have it, else fp16 on CUDA, none on the CPU")
    system.add_argument("--sync-bn", action="store_true", help="batch-norm statistics over all torchrun processes "
                        "(CUDA only)")
    system.add_argument("--workers", type=int, default=1, help="DataLoader worker processes reading batches (on the "
                        "CPU they also augment and mix, beside the training step; 0: all in this process)")
    system.add_argument("--resume", action="store_true", help="continue the run in --out from its last checkpoint "
                        "(the settings must be the same); start it if there is none")
    system.add_argument("--quiet", action="store_true", help="no progress bar or per-epoch lines")
    return p


def main(argv: list[str] | None = None) -> int:
    cfg = Config(**vars(parser().parse_args(argv)))

    def body() -> int:
        distill(cfg)
        return 0

    return run("distill", body, (DistillError, ModelError, DatasetError))


if __name__ == "__main__":
    sys.exit(main())
