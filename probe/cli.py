"""``probe``: label D_S with the teacher, build the class-balanced D_K, then probe the teacher's decision
boundaries with paired adversarial examples (``--attack none`` stops after balancing).

The teacher options (``add_teacher_options`` / ``teacher_from_options``) are shared with ``distill``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import torch

from synthkd.core.cli import Parser, UsageError, int_at_least, positive_int, resolve_shard, run
from synthkd.core.dataset import DatasetError, open_dataset
from synthkd.core.models import NORMALIZATION, Classifier, ModelError, load_model
from synthkd.probe.attack import DEFAULTS, POLICIES
from synthkd.probe.balance import STRATEGIES
from synthkd.probe.stage import ATTACKS, ProbeSettings, init_distributed, probe


def add_teacher_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("teacher")
    g.add_argument("--teacher", required=True, metavar="SPEC",
                   help="a torchvision name (resnet50, vit_b_16, ...), a CIFAR-size name (resnet18_cifar, "
                        "resnet50_cifar, wrn40_2, resnet8_cifar), a timm name (timm:NAME), a saved program "
                        "(.pt2 from torch.export.save, .ts from torch.jit.save) or package.module:callable")
    g.add_argument("--weights", metavar="PATH|NAME",
                   help="checkpoint file (a state_dict, or a dict with it under 'state_dict'/'model'; 'module.' "
                        "prefixes are removed); for torchvision names also a weights name such as IMAGENET1K_V2 "
                        "(default: torchvision's default weights, if in the local torch hub cache)")
    g.add_argument("--num-classes", type=positive_int, help="classes of the teacher (default: the model's own)")
    g.add_argument("--normalize", default="auto", metavar="PRESET|M,M,M/S,S,S",
                   help=f"normalisation applied inside the model: {', '.join(NORMALIZATION)}, or numbers; "
                        "auto = ImageNet statistics for torchvision/timm names, none otherwise")
    g.add_argument("--input-size", type=positive_int,
                   help="resize images to this size before the model (default: 224 for torchvision/timm "
                        "names, the data's size otherwise)")
    g.add_argument("--device", default="auto", help="auto (CUDA when present), cpu, cuda, cuda:N")


def device_from(text: str) -> torch.device:
    if text == "auto":
        local = int(os.environ.get("LOCAL_RANK", "0"))
        return torch.device(f"cuda:{local % torch.cuda.device_count()}" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(text)
    except RuntimeError:
        raise UsageError(f"--device {text!r} is not a device (auto, cpu, cuda, cuda:N)") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise UsageError(f"--device {text}: CUDA is not available on this machine")
    return device


def teacher_from_options(args: argparse.Namespace, image_size: int) -> Classifier:
    """The checked teacher the options describe, in eval mode (on the CPU; move it to the device yourself)."""
    return load_model(args.teacher, args.weights, args.num_classes, args.normalize, args.input_size,
                      need_weights=True, check_size=image_size)


def build_parser() -> Parser:
    p = Parser(prog="probe", description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True, type=Path, nargs="+", metavar="D_S",
                   help="dataset directory from render-shaders/render-leaves/render-noise (or its shards)")
    p.add_argument("--out", required=True, type=Path, metavar="D_K", help="output dataset directory")
    add_teacher_options(p)
    g = p.add_argument_group("balancing (paper section 3.2)")
    size = g.add_mutually_exclusive_group()
    size.add_argument("--per-class", type=positive_int, help="examples per class (default: |D_S| / classes)")
    size.add_argument("--total", type=positive_int, help="D_K size, split evenly over the classes")
    g.add_argument("--strategy", choices=STRATEGIES, default="balanced",
                   help="within a class: random draw (the paper), most confident first, highest entropy first; "
                        "'random' ignores classes")
    g.add_argument("--batch", type=positive_int, default=256, help="images per teacher forward pass")
    g.add_argument("--seed", type=int_at_least(0), default=0)
    g.add_argument("--chunk-size", type=positive_int, default=1000, help="D_K examples per chunk file")
    a = p.add_argument_group("boundary probing (paper section 4)")
    a.add_argument("--attack", choices=ATTACKS, default="boundary",
                   help="'none' stops after balancing; 'boundary' adds pre/post/deeper adversarial pairs")
    n = a.add_mutually_exclusive_group()
    n.add_argument("--probe-fraction", type=float, default=None,
                   help="share of D_K examples to probe (default 1.0)")
    n.add_argument("--pairs", type=int_at_least(0), help="number of D_K examples to probe")
    a.add_argument("--target", choices=POLICIES, default="balanced",
                   help="target class: spread evenly over classes, random, second-most-likely, least-likely")
    a.add_argument("--norm", choices=("Linf", "L2"), default="Linf")
    defaults = ", ".join(f"{norm} {eps:.4g}/{step:.4g}" for norm, (eps, step) in DEFAULTS.items())
    a.add_argument("--eps", type=float, help=f"perturbation budget (default, eps/step: {defaults})")
    a.add_argument("--step", type=float, help="initial step size, in [0, 1] pixel units")
    a.add_argument("--max-steps", type=positive_int, default=50, help="attack steps per example, undone ones included")
    a.add_argument("--threshold", type=float, default=0.9,
                   help="pre and post must have max softmax below this; in (1/classes, 1]")
    a.add_argument("--grow", type=float, default=1.1, help="Bold Driver: step factor while not yet crossed")
    a.add_argument("--shrink", type=float, default=0.5,
                   help="Bold Driver: step factor after an overshoot past the threshold or a step that raised "
                        "the loss towards the target (either step is undone)")
    p.add_argument("--shard", metavar="I/N", help="make only shard I of N (default: one shard per torchrun rank)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def body() -> int:
        if args.probe_fraction is not None and not 0 < args.probe_fraction <= 1:
            raise UsageError(f"--probe-fraction must be in (0, 1], got {args.probe_fraction}")
        data = open_dataset(args.data[0] if len(args.data) == 1 else args.data)
        if len(data) == 0:
            raise UsageError(f"{args.data[0]} holds no images")
        init_distributed()
        device = device_from(args.device)
        teacher = teacher_from_options(args, data.image_size)
        settings = ProbeSettings(
            per_class=args.per_class, total=args.total, strategy=args.strategy, seed=args.seed, batch=args.batch,
            chunk_size=args.chunk_size, attack=args.attack, probe_fraction=args.probe_fraction, pairs=args.pairs,
            target=args.target, norm=args.norm, eps=args.eps, step=args.step, max_steps=args.max_steps,
            threshold=args.threshold, grow=args.grow, shrink=args.shrink)
        shard, out = resolve_shard(args.shard, args.out)
        teacher_record = {"spec": args.teacher, "weights": args.weights, "normalize": args.normalize,
                          "input_size": args.input_size}
        probe(data, teacher, teacher_record, out, settings, device=device, shard=shard, quiet=args.quiet)
        return 0

    return run("probe", body, (DatasetError, ModelError, ValueError))


if __name__ == "__main__":
    sys.exit(main())
