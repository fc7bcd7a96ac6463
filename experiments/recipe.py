"""Which distillation settings reach the teacher at CPU budgets? Measured on the digits teacher panel.

Every setting distills a fresh student from one teacher on the same data for the same number of training
presentations (images seen, augmented and mixed; ``--presentations``), and is measured on the real held-out
digits as that teacher was trained to see them. The data, per teacher: 40,000 shader renders steered towards
the teacher's rare classes (``render-shaders --steer variants``), balanced by the teacher into a D_K of 20,000.

The screen changes one thing at a time from a base recipe (``SCREEN_BASE``: the recipe ``synthkd run`` used before
this experiment, with mixup) on two teachers (the built-in wrn16_1 and ink_gapcnn, the panel's low-entropy case):
mixup, temperature, hard-label weight, augmentation, learning rate, batch size, D_K size against epochs, student (a
larger one, one without batch norm), batch-norm statistics re-estimated on D_K after training, the boundary prober
at the same number of steps, and a stream of fresh images (``distill --stream``) instead of the fixed D_K. The final
rows run the chosen recipe (``synthkd.recipe.RECIPE``) on the whole panel over several seeds. The pairs stage measures
the boundary prober with that recipe on the two screen teachers over several seeds: D_K alone against D_K with the
pairs of 2,100 probed images at about the same number of presentations, the pairs augmented like every other image
or trained as the prober made them (``distill``'s default), targeted at each image's second-most-likely class, of
only 700 probed images, on a D_K of 5,000 and on a D_K balanced from renders made without steering (alone and with
the pairs of 2,100 each). A finished setting leaves its row in its run directory, and a re-run reads it instead of
training again. Every row records the student's top-1, its agreement with the teacher, the effective relative
entropy (the teacher's classes on the augmented, mixed batches) and the seconds it took. Writes
``experiments/recipe-results.md`` and ``.json``.

Usage: python -m experiments.recipe [--stage screen|final|pairs|all] [--seeds 3] [--out runs/recipe]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from synthkd.core.dataset import open_dataset
from synthkd.core.files import write_json
from synthkd.core.models import load_model
from synthkd.core.steer import SteerSettings
from synthkd.core.tensors import accuracy, to_float
from synthkd.distill.augment import Augment, Draws
from synthkd.distill.settings import DistillSettings
from synthkd.distill.stream import StreamSettings
from synthkd.distill.train import distill
from synthkd.export import write_image_folder
from synthkd.probe.attack import AttackSettings
from synthkd.probe.balance import BalanceSettings
from synthkd.probe.stage import ProbeSettings, probe
from synthkd.recipe import RECIPE, recipe_record
from synthkd.shaders.stage import ShaderDataset, render_shaders
from synthkd.teacher import PANEL, TUNING, PanelTeacher

HERE = Path(__file__).resolve().parent
ROW = "row.json"  # a finished setting's row, in its run directory: a re-run reads it instead of training again
DS_IMAGES, DK_IMAGES, PROBED = 40_000, 20_000, 2_500
# The pairs stage probes fewer, so that D_K and its pairs (about 3 images per probed one) train for 6 epochs in
# about the presentations D_K alone takes in 8 (the recipe's final rows).
PAIRS_STAGE_PROBED = 2_100
SCREEN_TEACHERS = ("wrn16_1", "ink_gapcnn")
SCREEN_BASE = replace(RECIPE, mixup_alpha=1.0)


@dataclass(frozen=True)
class Setting:
    name: str
    changes: dict[str, Any] = field(default_factory=dict)  # DistillSettings fields that differ from the recipe
    data: str = "dk"  # dk (20,000), dk5k, dk40k (balanced), pairs, pairs-equal, pairs-second (+ pairs), stream
    bn_restat: bool = False  # also measure the student with batch-norm statistics re-estimated on D_K


SCREEN = [
    Setting("base recipe"),
    Setting("no mixup", {"mixup_alpha": 0.0}), Setting("mixup alpha 0.2", {"mixup_alpha": 0.2}),
    Setting("temperature 1", {"temperature": 1.0}), Setting("temperature 20", {"temperature": 20.0}),
    Setting("hard-label weight 0.5", {"hard_weight": 0.5}),
    Setting("no augmentation", {"aug": "none"}), Setting("high augmentation", {"aug": "high"}),
    Setting("lr 0.05", {"lr": 0.05}), Setting("lr 0.2", {"lr": 0.2}),
    Setting("batch 128", {"batch_size": 128}), Setting("batch 32", {"batch_size": 32}),
    Setting("D_K 5,000 (4x the epochs)", data="dk5k"), Setting("D_K 40,000 (half the epochs)", data="dk40k"),
    Setting("student wrn16_1 (2.2x parameters)", {"student": "wrn16_1"}),
    Setting("student lenet5 (no batch norm)", {"student": "lenet5"}),
    Setting("BN statistics re-estimated on D_K", bn_restat=True),
    Setting("boundary pairs, same steps", {"augment_pairs": True}, data="pairs"),
    Setting("stream of fresh steered images", data="stream"),
]
PAIRS = [Setting("recipe"),  # D_K alone: at the final rows' presentations, those very runs
         Setting("recipe + boundary pairs, augmented", {"augment_pairs": True}, data="pairs-equal"),
         Setting("recipe + boundary pairs, unaugmented", data="pairs-equal"),
         Setting("recipe + boundary pairs to the second-most-likely class, unaugmented", data="pairs-second"),
         Setting("recipe + boundary pairs of 700 probed images, unaugmented", data="pairs-700"),
         Setting("recipe on D_K 5,000 alone", data="dk5k"),
         Setting("recipe on D_K 5,000 + boundary pairs, unaugmented", data="pairs-5k"),
         Setting("recipe on plain renders (no steering) alone", data="dk-plain"),
         Setting("recipe on plain renders (no steering) + boundary pairs, unaugmented", data="pairs-plain")]


def teacher_data(t: PanelTeacher, root: Path) -> dict[str, Path]:
    """The teacher's data (made once, then reused): steered D_S, D_K of three sizes, D_K with boundary pairs, and
    its held-out digits as an image folder."""
    base = root / "data" / t.name
    ds = base / "ds"
    render_shaders(ShaderDataset(n=DS_IMAGES, out=ds, quiet=True, teacher=t.spec,
                                 steering=SteerSettings(steer="variants")))
    out = {"ds": ds, "eval": write_image_folder(*t.test_set(), base / "test")}
    for name, total in (("dk", DK_IMAGES), ("dk5k", 5_000), ("dk40k", DS_IMAGES)):
        probe(ProbeSettings(data=(ds,), out=base / name, teacher=t.spec, attack="none",
                            balance=BalanceSettings(total=total), quiet=True))
        out[name] = base / name
    probe(ProbeSettings(data=(ds,), out=base / "pairs", teacher=t.spec, pairs=PROBED,
                        balance=BalanceSettings(total=DK_IMAGES), quiet=True))
    out["pairs"] = base / "pairs"
    return out


def pairs_stage_data(t: PanelTeacher, root: Path) -> dict[str, Path]:
    """The teacher's data with boundary pairs (made once, then reused): ``pairs-equal`` and ``pairs-second``, its
    D_K of 20,000 with the pairs of ``PAIRS_STAGE_PROBED`` of its images, their targets spread evenly over the
    classes (the prober's default) or each image's second-most-likely class; ``pairs-700``, the same D_K with
    fewer probed; ``pairs-5k``, a D_K of 5,000 with the pairs of ``PAIRS_STAGE_PROBED``; ``dk-plain`` and
    ``pairs-plain``, a D_K of 20,000 balanced from renders made without steering, alone and with the pairs."""
    out = teacher_data(t, root)
    base = root / "data" / t.name
    plain = base / "ds-plain"
    render_shaders(ShaderDataset(n=DS_IMAGES, out=plain, quiet=True))
    for name, ds, target, probed, total in (("pairs-equal", out["ds"], "balanced", PAIRS_STAGE_PROBED, DK_IMAGES),
                                            ("pairs-second", out["ds"], "second", PAIRS_STAGE_PROBED, DK_IMAGES),
                                            ("pairs-700", out["ds"], "balanced", 700, DK_IMAGES),
                                            ("pairs-5k", out["ds"], "balanced", PAIRS_STAGE_PROBED, 5_000),
                                            ("dk-plain", plain, "balanced", 0, DK_IMAGES),
                                            ("pairs-plain", plain, "balanced", PAIRS_STAGE_PROBED, DK_IMAGES)):
        out[name] = base / name
        probe(ProbeSettings(data=(ds,), out=out[name], teacher=t.spec, pairs=probed,
                            attack="boundary" if probed else "none", boundary=AttackSettings(target=target),
                            balance=BalanceSettings(total=total), quiet=True))
    return out


def run_setting(t: PanelTeacher, s: Setting, seed: int, data: dict[str, Path], root: Path,
                presentations: int, base: DistillSettings) -> dict[str, Any]:
    """Distil one setting (or read the row a finished run left: ``ROW`` in its run directory)."""
    tag = f"{t.name}/{s.name.replace(' ', '-').replace(',', '').replace('(', '').replace(')', '')}/seed{seed}"
    if (root / "runs" / tag / ROW).is_file():
        return json.loads((root / "runs" / tag / ROW).read_text())
    common = {"teacher": t.spec, "student": "resnet8_cifar", "out": root / "runs" / tag, "eval_dir": data["eval"],
              "seed": seed, "quiet": True, "resume": True, **s.changes}
    if s.data == "stream":
        stream = StreamSettings(source="shaders", window=10_240, overshoot=2.0, reuse=2, steer="variants")
        rows = stream.window * stream.reuse
        cfg = replace(base, data=None, stream=stream, epochs=max(1, round(presentations / rows)), **common)
    else:
        rows = len(open_dataset(data[s.data]))
        cfg = replace(base, data=data[s.data], epochs=max(1, round(presentations / rows)), **common)
    clock = time.perf_counter()
    summary = distill(cfg)
    row = {"teacher": t.name, "setting": s.name, "seed": seed, "student_top1": summary["eval_student_top1"],
           "teacher_top1": summary["eval_teacher_top1"], "agreement": summary["eval_agreement"],
           "effective_relative_entropy": summary["effective_relative_entropy"], "epochs": cfg.epochs,
           "rows": rows, "presentations": cfg.epochs * rows, "seconds": round(time.perf_counter() - clock, 1),
           "images_per_s": summary["images_per_s"], "changes": s.changes, "data": s.data}
    if s.bn_restat:
        row["student_top1_as_trained"] = row["student_top1"]
        row["student_top1"] = bn_restat_top1(cfg, t, data["dk"])
    write_json(cfg.out / ROW, row)
    return row


def augmentation_keeps(t: PanelTeacher, data: Path, level: str = "standard") -> dict[str, float]:
    """Per kind of image in ``data``, the share whose teacher class survives ``level`` augmentation: a boundary
    pair that keeps it is still on its side of the boundary, one that does not has become an ordinary image."""
    teacher = t.spec.load(check_size=32).eval()
    ds = open_dataset(data)
    kinds, labels = np.asarray(ds.column("kind")), torch.tensor(ds.column("label"))
    images = torch.from_numpy(ds.images()).permute(0, 3, 1, 2)
    augmented = Augment(level)(images.contiguous(), Draws(torch.Generator().manual_seed(0), len(images)))
    with torch.no_grad():
        kept = torch.cat([teacher(x).argmax(1) for x in augmented.split(512)]) == labels
    return {k: round(float(kept[torch.from_numpy(kinds == k)].float().mean()), 3) for k in np.unique(kinds)}


def bn_restat_top1(cfg: DistillSettings, t: PanelTeacher, dk: Path) -> float:
    """The trained student's top-1 after its batch-norm statistics are recomputed on D_K's plain images."""
    student = load_model(cfg.student, str(cfg.out / "student.pt"), num_classes=10, normalization="none")
    for m in student.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            m.reset_running_stats()
            m.momentum = None  # a cumulative average over every batch below
    student.train()
    images = open_dataset(dk).images()
    with torch.no_grad():
        for i in range(0, len(images), 256):
            student(to_float(images[i:i + 256]))
    return round(accuracy(student.eval(), *t.test_set()), 5)


def aggregate(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault((r["teacher"], r["setting"]), []).append(r)
    out = []
    for (teacher, setting), members in groups.items():
        def stat(key: str, members=members) -> tuple[float, float]:
            values = np.array([m[key] for m in members], dtype=np.float64)
            return float(values.mean()), float(values.std())

        out.append({"teacher": teacher, "setting": setting, "seeds": len(members),
                    **{k: stat(k) for k in ("student_top1", "agreement", "effective_relative_entropy", "seconds")},
                    "teacher_top1": members[0]["teacher_top1"], "presentations": members[0]["presentations"],
                    "rows": members[0]["rows"], "epochs": members[0]["epochs"]})
    return out


def markdown(table: list[dict[str, Any]], title: str) -> list[str]:
    lines = [f"### {title}", "", "| teacher | setting | student top-1 | x teacher | agreement | "
             "effective rel. entropy | rows x epochs | seconds |", "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in table:
        mean, std = r["student_top1"]
        lines.append(f"| {r['teacher']} | {r['setting']} | {mean:.3f} ± {std:.3f} | {mean / r['teacher_top1']:.3f} | "
                     f"{r['agreement'][0]:.3f} | {r['effective_relative_entropy'][0]:.3f} | "
                     f"{r['rows']} x {r['epochs']} | {r['seconds'][0]:.0f} |")
    return lines + [""]


def write_markdown(results: dict[str, Any]) -> None:
    """experiments/recipe-results.md from the results json: the screen, final and pairs tables, and their commands."""
    lines = [f"Student resnet8_cifar unless the setting says otherwise; {results['presentations']} training "
             "presentations per row of the screen and the final rows (epochs rounded); data per teacher: "
             f"{DS_IMAGES} steered shader renders, balanced into a D_K of {DK_IMAGES}. Top-1 on the teacher's "
             "held-out digits (449 images, chance 0.10); mean ± std over seeds.", ""]
    if results["screen"]:
        lines += markdown(aggregate(results["screen"]), f"Screen: one change at a time from {results['screen_base']}, "
                                                            "seed 0")
    if results["final"]:
        lines += markdown(aggregate(results["final"]), f"Final: the recipe {results['recipe']} on the whole panel")
    for presentations, rows in sorted(results.get("pairs", {}).items(), key=lambda kv: int(kv[0])):
        lines += markdown(aggregate(rows), f"Pairs, {presentations} presentations: the recipe on D_K alone and "
                                           f"with boundary pairs ({PAIRS_STAGE_PROBED} probed unless the setting "
                                           "says otherwise)")
    if results.get("pairs_kept"):
        kinds = sorted({k for kept in results["pairs_kept"].values() for k in kept})
        lines += ["Share of each kind of image whose teacher class survives `standard` augmentation (pairs stage "
                  "data):", "", "| teacher | " + " | ".join(kinds) + " |", "|---|" + "---:|" * len(kinds)]
        lines += [f"| {name} | " + " | ".join(f"{kept.get(k, float('nan')):.2f}" for k in kinds) + " |"
                  for name, kept in results["pairs_kept"].items()] + [""]
    for made in results.get("commands", {}).values():
        command, date = made.removesuffix(")").rsplit(" (", 1)
        lines.append(f"Made by `{command}` ({date}, 2-core CPU, nothing else running).")
    (HERE / "recipe-results.md").write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m experiments.recipe", description=__doc__.split("\n\n")[0])
    p.add_argument("--stage", choices=("screen", "final", "pairs", "all"), default="all")
    p.add_argument("--seeds", type=int, default=3, help="seeds of the final and pairs rows (the screen uses one)")
    p.add_argument("--presentations", type=int, default=300_000, help="training images seen per setting")
    p.add_argument("--out", type=Path, default=Path("runs/recipe"))
    p.add_argument("--only", nargs="*", help="screen (or pairs) only the settings whose names contain one of "
                   "these (the pairs stage always runs D_K alone, its baseline)")
    p.add_argument("--teachers", nargs="*", choices=SCREEN_TEACHERS, default=SCREEN_TEACHERS,
                   help="pairs stage: these screen teachers")
    args = p.parse_args(argv)
    results = json.loads((HERE / "recipe-results.json").read_text()) if (HERE / "recipe-results.json").is_file() \
        else {"screen": [], "final": []}
    if args.stage in ("screen", "all"):
        rows = []
        for name in SCREEN_TEACHERS:
            data = teacher_data(PANEL[name], args.out)
            for s in SCREEN:
                if args.only and not any(o in s.name for o in args.only):
                    continue
                rows.append(run_setting(PANEL[name], s, 0, data, args.out, args.presentations, SCREEN_BASE))
                print(json.dumps(rows[-1]), flush=True)
        results["screen"] = rows
    if args.stage in ("final", "all"):
        rows = []
        for seed in range(args.seeds):
            for t in TUNING.values():
                rows.append(run_setting(t, Setting("recipe"), seed, teacher_data(t, args.out), args.out,
                                        args.presentations, RECIPE))
                print(json.dumps(rows[-1]), flush=True)
        results["final"] = rows
    if args.stage in ("pairs", "all"):
        data = {name: pairs_stage_data(PANEL[name], args.out) for name in args.teachers}
        kept = results.setdefault("pairs_kept", {})
        kept.update({name: augmentation_keeps(PANEL[name], data[name]["pairs-equal"]) for name in args.teachers})
        rows = []
        for seed in range(args.seeds):
            for name in args.teachers:
                for s in PAIRS:
                    if args.only and s is not PAIRS[0] and not any(o in s.name for o in args.only):
                        continue
                    rows.append(run_setting(PANEL[name], s, seed, data[name], args.out, args.presentations, RECIPE))
                    print(json.dumps(rows[-1]), flush=True)
        kept_rows = [r for r in results.setdefault("pairs", {}).get(str(args.presentations), [])
                     if (r["teacher"], r["setting"], r["seed"]) not in {(n["teacher"], n["setting"], n["seed"])
                                                                        for n in rows}]
        results["pairs"][str(args.presentations)] = kept_rows + rows  # rows of other teachers or settings stay
    command = "python -m experiments.recipe " + " ".join(argv if argv is not None else sys.argv[1:])
    commands = results.setdefault("commands", {})
    for stage in ("screen", "final"):
        if args.stage in (stage, "all"):
            commands[stage] = f"{command} ({time.strftime('%Y-%m-%d')})"
            results["presentations"] = args.presentations
    if args.stage in ("pairs", "all"):  # a run of some teachers or settings keeps the whole run's command
        subset = " ".join([*(args.only or []), *(() if tuple(args.teachers) == SCREEN_TEACHERS else args.teachers)])
        commands[f"pairs {args.presentations} {subset}".strip()] = f"{command} ({time.strftime('%Y-%m-%d')})"
    results.update(screen_base=recipe_record(SCREEN_BASE), recipe=recipe_record(RECIPE))
    write_json(HERE / "recipe-results.json", results)
    write_markdown(results)
    print((HERE / "recipe-results.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())

