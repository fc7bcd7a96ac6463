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
from typing import NamedTuple

import numpy as np
import torch
import torchvision

from synthkd.core.cli import Parser, UsageError, int_at_least, positive_int, run
from synthkd.core.models import ModelError, load_model
from synthkd.distill.cli import main as distill_main
from synthkd.distill.train import predict
from synthkd.export import write_image_folder
from synthkd.probe.cli import device_from
from synthkd.probe.cli import main as probe_main
from synthkd.procgen.cli import render_leaves_main, render_noise_main
from synthkd.shaders.cli import main as render_shaders_main

RENDERERS: dict[str, tuple[str, Callable[[list[str]], int]]] = {
    "opengl": ("render-shaders", render_shaders_main), "leaves": ("render-leaves", render_leaves_main),
    "noise": ("render-noise", render_noise_main)}
STAGES: dict[str, Callable[[list[str]], int]] = {"probe": probe_main, "distill": distill_main,
                                                  **dict(RENDERERS.values())}


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


def stages(recipe: Recipe, args: argparse.Namespace) -> list[tuple[str, list[str]]]:
    """The recipe's commands as (command, argv): render D_S, balance (and probe) into D_K, distill."""
    out = args.out / recipe.name
    normalize = args.normalize or recipe.dataset
    render_name = RENDERERS[recipe.source][0]
    render = ["--n", str(args.images), "--size", "32", "--seed", str(args.seed), "--out", str(out / "data")]
    if recipe.source == "noise":
        render += ["--stats", recipe.dataset]
    teacher = ["--teacher", args.teacher, "--weights", str(args.weights), "--num-classes", str(recipe.classes)]
    probe = ["--data", str(out / "data"), "--out", str(out / "dk"), *teacher, "--normalize", normalize,
             "--per-class", str(args.per_class or 50_000 // recipe.classes), "--seed", str(args.seed),
             "--device", args.device, "--attack", "boundary" if recipe.attack else "none"]
    if recipe.attack:
        probe += ["--pairs", str(args.pairs)]
    distill = [*teacher, "--teacher-normalization", normalize, "--student", args.student,
               "--data", str(out / "dk"), "--out", str(out / "student"), "--eval", str(eval_folder(recipe, args)),
               "--epochs", str(args.epochs), "--batch-size", str(args.batch_size), "--lr", "0.1",
               "--temperature", "20", "--aug", "high", "--mixup-alpha", "1", "--seed", str(args.seed),
               "--device", args.device, "--resume"]
    commands = [(render_name, render), ("probe", probe), ("distill", distill)]
    return [(name, argv + ["--quiet"] if args.quiet else argv) for name, argv in commands]


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
    teacher = load_model(args.teacher, str(args.weights), recipe.classes, args.normalize or recipe.dataset,
                         need_weights=True, check_size=32)
    device = device_from(args.device)
    x = torch.from_numpy(images).permute(0, 3, 1, 2)
    top1 = float((predict(teacher.to(device), x, device, None).numpy() == labels).mean())
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
    for name, argv in stages(recipe, args):
        print(f"== {recipe.name}: {name}", flush=True)
        if STAGES[name](argv) != 0:
            raise UsageError(f"{recipe.name}: {name} failed (its message is above); run the recipe again to resume")
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
                print("\n".join(shlex.join([name, *argv]) for name, argv in stages(recipe, args)))
            else:
                run_recipe(recipe, args)
        return 0

    return run("recipes.cifar", body, (ModelError,))


if __name__ == "__main__":
    sys.exit(main())
