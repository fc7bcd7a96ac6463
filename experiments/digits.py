"""The paper's claims at CPU scale, on real data: which synthetic data distills the digits teacher best?

With the same budget for each (the demo's default: D_S size, D_K size, probed examples, student, epochs),
students are distilled from the built-in teacher (``synthkd.teacher``) on: the teacher's own training images
(upper reference), the hand-written shader corpus, synthesized shader programs, both mixed, Leaves and noise;
each without the boundary prober, with it, and with it at the same number of training steps as without it
(the pairs add rows to D_K, so at equal epochs the prober also buys more steps); and, for the shaders, an
unbalanced D_K (a random draw keeping D_S's long tail) against the balanced one. Each setting runs for
several seeds. Every student is measured on the held-out digits. The table (mean ± standard deviation
over seeds) goes to ``experiments/digits-results.md`` and the raw rows to ``experiments/digits-results.json``.

Usage: ``python -m experiments.digits [--seeds 3] [--out runs/digits]`` (re-running resumes).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from synthkd.core.files import write_json
from synthkd.core.models import TeacherSpec
from synthkd.demo import write_digits_test
from synthkd.digits import write_digits_dataset
from synthkd.distill.settings import DistillSettings
from synthkd.distill.train import distill
from synthkd.probe.balance import BalanceSettings
from synthkd.probe.stage import ProbeSettings, probe
from synthkd.procgen.stage import LeavesDataset, NoiseDataset, render_leaves, render_noise
from synthkd.shaders.stage import ShaderDataset, render_shaders
from synthkd.teacher import builtin_teacher

HERE = Path(__file__).resolve().parent
RENDERERS = {"shaders": (ShaderDataset, render_shaders), "leaves": (LeavesDataset, render_leaves),
             "noise": (NoiseDataset, render_noise)}


@dataclass(frozen=True)
class Budget:
    """How much work each source gets; ``default`` fits a 2-core CPU in minutes, ``tiny`` is for tests."""

    images: int  # D_S size per source
    per_class: int  # D_K examples per class
    pairs: int  # D_K examples probed
    epochs: int
    batch: int
    student: str = "resnet8_cifar"
    # A few epochs are far from the paper's 400: heavy augmentation and mixup need the long schedule, so the
    # short budgets train on the plain images and lean on the teacher's argmax (distill helper's measurement:
    # 76 % on digits after 20 epochs this way, 38 % with the paper's 'high' augmentation and mixup).
    aug: str = "none"
    mixup_alpha: float = 0.0
    hard_weight: float = 0.8
    lr: float = 0.05


BUDGETS = {"tiny": Budget(300, 10, 20, 1, 50), "small": Budget(1500, 60, 150, 6, 32),
           "default": Budget(3000, 100, 300, 10, 32)}


def render(source: str, out: Path, images: int, seed: int, **options: Any) -> Path:
    """D_S for ``source`` (shaders, leaves, noise) at 32 px; ``options`` are more settings of its dataset."""
    settings, stage = RENDERERS[source]
    stage(settings(n=images, size=32, seed=seed, out=out, quiet=True, **options))
    return out


def teacher_spec(spec: str, weights: Path) -> TeacherSpec:
    """The demo's teacher as the stages take it (its inputs are [0, 1] images, no normalisation)."""
    return TeacherSpec(name=spec, weights=str(weights), normalization="none")


def balance_and_probe(data: Path, out: Path, teacher: TeacherSpec, budget: Budget, seed: int,
                      attack: str = "boundary", strategy: str = "balanced", quiet: bool = True) -> Path:
    """D_K (and boundary pairs) from D_S with the teacher, as ``probe`` makes it."""
    probe(ProbeSettings(data=(data,), out=out, teacher=teacher, seed=seed, attack=attack, pairs=budget.pairs,
                        balance=BalanceSettings(per_class=budget.per_class, strategy=strategy),
                        chunk_size=max(budget.per_class * 10 // 4, 1), fill="off", quiet=quiet))
    return out


def distill_student(dk: Path, out: Path, teacher: TeacherSpec, budget: Budget, eval_dir: Path, seed: int,
                    quiet: bool = True) -> dict[str, Any]:
    """A fresh student distilled on ``dk`` and evaluated on ``eval_dir``; ``distill``'s summary (resumes)."""
    return distill(DistillSettings(teacher=teacher, data=dk, out=out, student=budget.student, epochs=budget.epochs,
                                   batch_size=budget.batch, eval_dir=eval_dir, aug=budget.aug,
                                   mixup_alpha=budget.mixup_alpha, hard_weight=budget.hard_weight, lr=budget.lr,
                                   seed=seed, resume=True, quiet=quiet))


def figures(source: str, root: Path, data: Path, dk: Path, student: Path, summary: dict[str, Any],
            seconds: dict[str, float]) -> dict[str, Any]:
    """One results row: the student's accuracy and agreement, the balance of D_S and D_K, pairs, times."""
    header = json.loads((dk / "dataset.json").read_text())
    derived, counts = header["derived"], header["summary"]["counts"]
    return {"source": source, "student_top1": summary["eval_student_top1"],
            "teacher_top1": summary["eval_teacher_top1"], "agreement": summary["eval_agreement"],
            **{k: derived[k] for k in ("relative_entropy_ds", "relative_entropy_dk")},
            "pairs_valid": counts.get("pairs_valid", 0), "pairs_tried": counts.get("pairs_tried", 0),
            "train_images": summary["train_images"], "seconds": {k: round(v, 1) for k, v in seconds.items()},
            "paths": {k: str(p.relative_to(root)) for k, p in (("data", data), ("dk", dk), ("student", student))}}


BUDGET = BUDGETS["default"]


@dataclass(frozen=True)
class Setting:
    name: str
    source: str  # renderer, or "digits" for the teacher's training images
    options: tuple[tuple[str, Any], ...] = ()  # more settings of the rendered dataset
    attack: str = "none"
    strategy: str = "balanced"
    same_steps: bool = False  # fewer epochs on a probed D_K, so the student takes as many steps as without pairs


def settings() -> list[Setting]:
    sources = [("digits (teacher's train images)", "digits", ()), ("shaders (hand-written)", "shaders", ()),
               ("shaders (synthesized)", "shaders", (("synth", 160), ("synth_share", 1.0))),
               ("shaders + synthesized", "shaders", (("synth", 160), ("synth_share", 0.5))),
               ("leaves", "leaves", ()), ("noise", "noise", ())]
    out = []
    for name, source, extra in sources:
        out.append(Setting(name, source, extra))
        out.append(Setting(name, source, extra, "boundary"))
        out.append(Setting(name, source, extra, "boundary", same_steps=True))
    out.append(Setting("shaders (hand-written)", "shaders", (), "none", "random"))
    out.append(Setting("shaders (hand-written)", "shaders", (), "boundary", "random"))
    return out


def run_setting(s: Setting, seed: int, root: Path, eval_dir: Path, budget: Budget) -> dict[str, Any]:
    teacher = teacher_spec(*builtin_teacher())
    slug = "-".join([s.source, *[f"{k.replace('_', '-')}-{v:g}" for k, v in s.options]]).replace(".", "")
    seconds: dict[str, float] = {}
    clock = time.perf_counter()
    data = root / "data" / f"{slug}-seed{seed}"
    if s.source == "digits":
        write_digits_dataset(data, "train")
    else:
        render(s.source, data, budget.images, seed, **dict(s.options))
    seconds["render"], clock = time.perf_counter() - clock, time.perf_counter()
    tag = f"{slug}-{s.attack}-{s.strategy}-seed{seed}"
    dk = balance_and_probe(data, root / "dk" / tag, teacher, budget, seed, s.attack, s.strategy)
    seconds["probe"], clock = time.perf_counter() - clock, time.perf_counter()
    if s.same_steps:
        header = json.loads((dk / "dataset.json").read_text())  # total: D_K's examples, count: with the pairs
        budget = replace(budget, epochs=max(1, round(budget.epochs * header["total"] / header["count"])))
        tag += "-same-steps"
    student = root / "students" / tag
    summary = distill_student(dk, student, teacher, budget, eval_dir, seed)
    seconds["distill"] = time.perf_counter() - clock
    row = figures(s.name, root, data, dk, student, summary, seconds)
    return {**row, "setting": asdict(s), "seed": seed, "epochs": budget.epochs}


def aggregate(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mean and standard deviation over seeds, per setting, in the settings' order."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(json.dumps(r["setting"], sort_keys=True), []).append(r)
    out = []
    for members in groups.values():
        s = members[0]["setting"]

        def stat(key: str, rows=members) -> tuple[float, float]:
            values = np.array([r[key] for r in rows], dtype=np.float64)
            return float(values.mean()), float(values.std())

        prober = "no" if s["attack"] == "none" else "same steps" if s["same_steps"] else "yes"
        out.append({"name": s["name"], "prober": prober, "balanced": s["strategy"] == "balanced",
                    "seeds": len(members), "train_images": float(np.mean([r["train_images"] for r in members])),
                    "epochs": float(np.mean([r["epochs"] for r in members])),
                    **{k: stat(k) for k in ("student_top1", "agreement", "relative_entropy_ds", "relative_entropy_dk")},
                    "seconds": {k: float(np.mean([r["seconds"][k] for r in members]))
                                for k in members[0]["seconds"]}})
    return out


def markdown(table: list[dict[str, Any]], teacher: dict[str, Any], budget: Budget, command: str) -> str:
    lines = [f"Teacher: {teacher['teacher']} trained on digits, {teacher['test_accuracy']:.4f} test accuracy. "
             f"Student: {budget.student}. Budget per setting: D_S {budget.images} images, D_K "
             f"{budget.per_class}/class, {budget.pairs} probed examples, {budget.epochs} epochs, batch "
             f"{budget.batch}. Mean ± std over seeds; accuracy on the 449 held-out digits (chance 0.10).",
             "", "| data | prober | balanced | student top-1 | agreement | rel. entropy D_S | rel. entropy D_K | "
             "D_K rows × epochs | seconds render / probe / distill |", "|---|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in table:
        cell = " | ".join(f"{m:.3f} ± {s:.3f}" for m, s in (r[k] for k in ("student_top1", "agreement",
                                                                            "relative_entropy_ds",
                                                                            "relative_entropy_dk")))
        secs = " / ".join(f"{v:.0f}" for v in r["seconds"].values())
        lines.append(f"| {r['name']} | {r['prober']} | {'yes' if r['balanced'] else 'no'} | {cell} | "
                     f"{r['train_images']:.0f} × {r['epochs']:g} | {secs} |")
    lines += ["", f"Made by `{command}` ({time.strftime('%Y-%m-%d')}, 2-core CPU)."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m experiments.digits", description=__doc__.split("\n\n")[0])
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--out", type=Path, default=Path("runs/digits"))
    p.add_argument("--only", nargs="*", default=None, help="run only settings whose name contains one of these")
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    eval_dir = write_digits_test(args.out / "digits-test")
    chosen = [s for s in settings() if not args.only or any(o in s.name for o in args.only)]
    rows = []
    for seed in range(args.seeds):
        for s in chosen:
            clock = time.perf_counter()
            rows.append(run_setting(s, seed, args.out, eval_dir, BUDGET))
            print(f"seed {seed} {s.name} prober={s.attack}{' (same steps)' if s.same_steps else ''} "
                  f"strategy={s.strategy}: student "
                  f"{rows[-1]['student_top1']:.3f} ({time.perf_counter() - clock:.0f} s)", flush=True)
    table = aggregate(rows)
    teacher = json.loads(builtin_teacher()[1].with_suffix(".json").read_text())
    command = "python -m experiments.digits " + " ".join(argv if argv is not None else sys.argv[1:])
    (HERE / "digits-results.md").write_text(markdown(table, teacher, BUDGET, command.strip()))
    write_json(HERE / "digits-results.json", {"budget": asdict(BUDGET), "teacher": teacher, "table": table,
                                              "rows": rows})
    print((HERE / "digits-results.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
