"""``synthkd demo``: the whole method on a fresh machine, with no data of your own.

The built-in teacher (a small wide ResNet trained on scikit-learn's handwritten digits, see
``synthkd.teacher``) plays the user's teacher. For each synthetic source (shader renders, Leaves, noise)
the demo renders D_S, lets the teacher balance it into D_K and probes its boundaries, distills a fresh
student on the result, and measures the student on the real held-out digits the teacher never showed it.
Everything lands in one run directory with a ``demo.json`` of the figures and a ``report.html``.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from synthkd.core.dataset import write_json
from synthkd.core.models import TeacherSpec
from synthkd.digits import digits
from synthkd.distill.train import DistillSettings, distill
from synthkd.export import write_image_folder
from synthkd.probe.balance import BalanceSettings
from synthkd.probe.stage import ProbeSettings, probe
from synthkd.procgen.stage import LeavesDataset, NoiseDataset, render_leaves, render_noise
from synthkd.shaders.stage import ShaderDataset, render_shaders
from synthkd.teacher import builtin_teacher

log = logging.getLogger(__name__)
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


def write_digits_test(out: Path) -> Path:
    """The held-out digits as an ImageFolder (``out/0 .. out/9``, PNG): real labelled data for ``--eval``."""
    return write_image_folder(*digits("test"), out)


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
                        chunk_size=max(budget.per_class * 10 // 4, 1), quiet=quiet))
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


def run_source(source: str, out: Path, budget: Budget, teacher: TeacherSpec, eval_dir: Path, seed: int,
               quiet: bool) -> dict[str, Any]:
    """Render, balance + probe, distill and evaluate for one synthetic source; returns its row."""
    seconds: dict[str, float] = {}
    clock = time.perf_counter()
    data = render(source, out / "data" / source, budget.images, seed)
    seconds["render"], clock = time.perf_counter() - clock, time.perf_counter()
    dk = balance_and_probe(data, out / source / "dk", teacher, budget, seed, quiet=quiet)
    seconds["probe"], clock = time.perf_counter() - clock, time.perf_counter()
    student = out / source / "student"
    summary = distill_student(dk, student, teacher, budget, eval_dir, seed, quiet)
    seconds["distill"] = time.perf_counter() - clock
    return figures(source, out, data, dk, student, summary, seconds)


def demo(out: Path, budget: str = "default", sources: tuple[str, ...] = tuple(RENDERERS), seed: int = 0,
         quiet: bool = False) -> dict[str, Any]:
    """Run the demo into ``out`` (a re-run resumes: finished stages are kept) and write its report."""
    from synthkd.report import write_report

    started = time.perf_counter()
    spec, weights = builtin_teacher()
    out.mkdir(parents=True, exist_ok=True)
    eval_dir = write_digits_test(out / "digits-test")
    rows = []
    for source in sources:
        log.info("== %s: render, balance + probe, distill", source)
        rows.append(run_source(source, out, BUDGETS[budget], teacher_spec(spec, weights), eval_dir, seed, quiet))
    teacher_info = json.loads(weights.with_suffix(".json").read_text())
    result = {"kind": "demo", "budget": {"name": budget, **asdict(BUDGETS[budget])}, "seed": seed,
              "teacher": teacher_info, "rows": rows, "chance": 0.1,
              "seconds": round(time.perf_counter() - started, 1)}
    write_json(out / "demo.json", result)
    write_report(out)
    return result


def table(rows: list[dict[str, Any]]) -> str:
    """The demo's figures as a plain-text table."""
    lines = [f"{'source':<10}{'student top-1':>15}{'agreement':>11}{'rel.ent. D_S':>14}{'rel.ent. D_K':>14}"
             f"{'pairs':>11}{'seconds':>9}"]
    for r in rows:
        lines.append(f"{r['source']:<10}{r['student_top1']:>15.3f}{r['agreement']:>11.3f}"
                     f"{r['relative_entropy_ds']:>14.3f}{r['relative_entropy_dk']:>14.3f}"
                     f"{r['pairs_valid']:>5}/{r['pairs_tried']:<5}{sum(r['seconds'].values()):>9.0f}")
    return "\n".join(lines)

