"""The paper's CIFAR-10/100 settings (Frank & Davis, Tables 1 and 6) as runnable recipes.

A recipe takes your ResNet50 teacher checkpoint and the CIFAR test set and runs synthkd's three stages with the
paper's numbers: render D_S (OpenGL shaders, Leaves or noise, 32 px), let the teacher balance it into a 50,000
image D_K (and probe its decision boundaries, in the ``-attack`` recipes), then distill a fresh ResNet18 for 400
epochs (SGD, lr 0.1, cosine, batch 256, tau 20, 'high' augmentation, mixup), measured on the CIFAR test set after
every epoch. Every stage resumes, so running a killed recipe again continues it.

    python -m recipes.cifar list
    python -m recipes.cifar run cifar10-opengl-attack --weights r50_c10.pt --cifar-root ~/data
    python -m recipes.cifar run all --weights ... --print     # the stage commands, to run them yourself
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import torchvision

from synthkd.core.cli import Parser, command_line, run
from synthkd.core.errors import DatasetError
from synthkd.core.models import ModelError, TeacherSpec
from synthkd.core.runtime import pick_device
from synthkd.core.settings import UsageError, int_at_least, positive_int
from synthkd.core.tensors import accuracy
from synthkd.distill.settings import DistillSettings
from synthkd.distill.sources import SOURCES
from synthkd.distill.train import distill
from synthkd.export import write_image_folder
from synthkd.probe.balance import BalanceSettings
from synthkd.probe.stage import ProbeSettings, probe
from synthkd.procgen.noise import NoiseSettings
from synthkd.shaders.cli import ERRORS as SHADER_ERRORS

RENDERERS = {"opengl": SOURCES["shaders"], "leaves": SOURCES["leaves"], "noise": SOURCES["noise"]}  # the paper's names
STAGES: dict[str, Callable[[Any], dict]] = {"probe": probe, "distill": distill,
                                            **{s.command: s.render for s in RENDERERS.values()}}


class Cifar(NamedTuple):
    reader: type  # torchvision's dataset class
    classes: int
    folder: str  # what torchvision expects under --cifar-root
    paper_teacher: float  # the paper's ResNet50 teacher, test top-1 (%)


DATASETS = {"cifar10": Cifar(torchvision.datasets.CIFAR10, 10, "cifar-10-batches-py", 95.48),
            "cifar100": Cifar(torchvision.datasets.CIFAR100, 100, "cifar-100-python", 77.45)}
# ResNet50 teacher -> ResNet18 student top-1 (%) in the paper: Table 1 without the attack, Table 6 with it.
PAPER = {("cifar10", "opengl", False): 94.02, ("cifar10", "leaves", False): 92.08,
         ("cifar10", "noise", False): 69.24, ("cifar10", "opengl", True): 94.54,
         ("cifar100", "opengl", False): 73.27, ("cifar100", "leaves", False): 66.02,
         ("cifar100", "noise", False): 22.09, ("cifar100", "opengl", True): 75.02}


@dataclass(frozen=True)
class Recipe:
    dataset: str  # the teacher's: cifar10 or cifar100
    source: str  # opengl, leaves or noise
    attack: bool  # probe the teacher's boundaries (paper section 4)

    @property
    def name(self) -> str:
        return f"{self.dataset}-{self.source}" + ("-attack" if self.attack else "")

    @property
    def classes(self) -> int:
        return DATASETS[self.dataset].classes

    @property
    def paper(self) -> str:
        """The paper's student accuracy for this setting, and where it is printed."""
        value = PAPER.get((self.dataset, self.source, self.attack))
        if value is None:
            return "not in the paper"
        return f"{value:.2f} % (Table {6 if self.attack else 1}; teacher {DATASETS[self.dataset].paper_teacher:.2f} %)"


RECIPES = {r.name: r for r in (Recipe(d, s, a) for d in DATASETS for s in RENDERERS for a in (False, True))}


def stages(recipe: Recipe, args: argparse.Namespace) -> list[tuple[str, Any]]:
    """The recipe's stages as (command, settings): render D_S, balance (and probe) into D_K, distill."""
    out = args.out / recipe.name
    teacher = TeacherSpec(name=args.teacher, weights=str(args.weights), num_classes=recipe.classes,
                          normalization=args.normalize or recipe.dataset)
    common = {"n": args.images, "size": 32, "seed": args.seed, "out": out / "data", "quiet": args.quiet}
    source = RENDERERS[recipe.source]
    noise = {"noise": NoiseSettings(stats=recipe.dataset)} if recipe.source == "noise" else {}
    render = source.settings(**common, **noise)
    dk = ProbeSettings(data=(out / "data",), out=out / "dk", teacher=teacher, seed=args.seed, device=args.device,
                       balance=BalanceSettings(per_class=args.per_class or 50_000 // recipe.classes),
                       attack="boundary" if recipe.attack else "none",
                       pairs=args.pairs if recipe.attack else None, fill="off", quiet=args.quiet)
    student = DistillSettings(teacher=teacher, student=args.student, data=out / "dk", out=out / "student",
                              eval_dir=eval_folder(recipe, args), epochs=args.epochs, batch_size=args.batch_size,
                              lr=0.1, temperature=20.0, aug="high", mixup_alpha=1.0, seed=args.seed,
                              augment_pairs=True,  # the paper augments its boundary pairs like every other image
                              device=args.device, resume=True, quiet=args.quiet)
    return [(source.command, render), ("probe", dk), ("distill", student)]


def eval_folder(recipe: Recipe, args: argparse.Namespace) -> Path:
    return args.out / f"{recipe.dataset}-test"


def cifar_test_set(dataset: str, root: Path) -> tuple[np.ndarray, np.ndarray]:
    """The CIFAR test images (N, 32, 32, 3) uint8 and labels, read by torchvision from ``root``; never downloads."""
    cls, folder = DATASETS[dataset].reader, DATASETS[dataset].folder
    try:
        data = cls(str(root), train=False, download=False)
    except RuntimeError:
        raise UsageError(f"no {dataset} test set under --cifar-root {root} (expected {root / folder}); fetch it on a "
                         f"machine with network access with torchvision.datasets.{cls.__name__}({str(root)!r}, "
                         "train=False, download=True), then copy it here") from None
    return np.asarray(data.data, dtype=np.uint8), np.asarray(data.targets, dtype=np.int64)


def check_teacher(recipe: Recipe, args: argparse.Namespace, images: np.ndarray, labels: np.ndarray) -> float:
    """Load the teacher as the stages will and measure it on the test set: a wrong checkpoint, class count or
    normalisation shows here, in seconds, and not after 400 epochs."""
    teacher = stages(recipe, args)[1][1].teacher.load(check_size=32)
    device = pick_device(args.device)
    top1 = accuracy(teacher.to(device), images, labels, device)
    if top1 < args.min_teacher_accuracy:
        raise UsageError(f"the teacher scores {top1:.3f} on the {recipe.dataset} test set, below "
                         f"--min-teacher-accuracy {args.min_teacher_accuracy}: check --weights, --teacher and "
                         f"--normalize (now {args.normalize or recipe.dataset})")
    return top1


def run_recipe(recipe: Recipe, args: argparse.Namespace) -> dict:
    """Check the inputs, run the three stages, and write (and return) the student's result next to them."""
    images, labels = cifar_test_set(recipe.dataset, args.cifar_root)
    teacher_top1 = check_teacher(recipe, args, images, labels)
    print(f"== {recipe.name}: teacher top-1 {teacher_top1:.4f} on {len(labels)} {recipe.dataset} test images",
          flush=True)
    write_image_folder(images, labels, eval_folder(recipe, args))
    for name, settings in stages(recipe, args):
        print(f"== {recipe.name}: {name}", flush=True)
        STAGES[name](settings)
    summary = json.loads((args.out / recipe.name / "student" / "summary.json").read_text())
    result = {"recipe": recipe.name, "student_top1": summary["eval_student_top1"], "teacher_top1": teacher_top1,
              "agreement": summary["eval_agreement"], "paper": recipe.paper, "epochs": args.epochs,
              "train_images": summary["train_images"]}
    (args.out / recipe.name / "result.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result), flush=True)
    return result


def parser() -> Parser:
    p = Parser(prog="python -m recipes.cifar", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="the recipes and the paper's figure for each")
    r = sub.add_parser("run", help="run recipes (or print their commands)",
                       formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    r.add_argument("recipes", nargs="+", metavar="RECIPE", help=f"a name from 'list', or all: {', '.join(RECIPES)}")
    r.add_argument("--weights", type=Path, required=True, help="your teacher's checkpoint (a state_dict, or a "
                   "dict holding it under 'state_dict' or 'model')")
    r.add_argument("--cifar-root", type=Path, required=True, help="the folder holding cifar-10-batches-py/ or "
                   "cifar-100-python/ as torchvision writes them (nothing is downloaded)")
    r.add_argument("--teacher", default="resnet50_cifar", help="the teacher's architecture (any probe --teacher)")
    r.add_argument("--normalize", help="the teacher's input normalisation (default: the dataset's own preset)")
    r.add_argument("--student", default="resnet18_cifar", help="the student (the paper also uses wrn40_2)")
    r.add_argument("--out", type=Path, default=Path("runs/recipes"), help="one folder per recipe goes here")
    r.add_argument("--print", action="store_true", help="write the test set's image folder, then print the stage "
                   "commands instead of running them (to run them yourself, e.g. probe and distill under torchrun)")
    r.add_argument("--min-teacher-accuracy", type=float, default=0.5,
                   help="refuse to start when the teacher scores below this on the test set")
    r.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N")
    r.add_argument("--quiet", action="store_true", help="no progress bars")
    scale = r.add_argument_group("scale (the paper's, unless you change it)")
    scale.add_argument("--images", type=positive_int, default=100_000, help="D_S renders to balance from")
    scale.add_argument("--per-class", type=positive_int, help="D_K per class (default: 50,000 / classes)")
    scale.add_argument("--pairs", type=int_at_least(0), default=10_000,
                       help="D_K examples probed in -attack recipes (4 rows each when valid)")
    scale.add_argument("--epochs", type=positive_int, default=400)
    scale.add_argument("--batch-size", type=positive_int, default=256)
    scale.add_argument("--seed", type=int_at_least(0), default=0)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)

    def body() -> int:
        if args.command == "list":
            for recipe in RECIPES.values():
                print(f"{recipe.name:<24} paper: {recipe.paper}")
            return 0
        names = list(RECIPES) if args.recipes == ["all"] else args.recipes
        unknown = [n for n in names if n not in RECIPES]
        if unknown:
            raise UsageError(f"unknown recipe {unknown[0]!r}; 'python -m recipes.cifar list' shows them")
        if not args.print and not args.weights.is_file():
            raise UsageError(f"--weights {args.weights}: no such file")
        for recipe in (RECIPES[n] for n in names):
            if args.print:
                write_image_folder(*cifar_test_set(recipe.dataset, args.cifar_root), eval_folder(recipe, args))
                print("\n".join(shlex.join([name, *command_line(settings)]) for name, settings in stages(recipe, args)))
            else:
                run_recipe(recipe, args)
        return 0

    return run("recipes.cifar", body, (ModelError, DatasetError, *SHADER_ERRORS), getattr(args, "quiet", False),
               argv)


if __name__ == "__main__":
    sys.exit(main())
