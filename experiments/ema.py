"""Does a weight average of the student (``distill --ema``) make a ``synthkd run``'s student better at equal steps?

For each finished run given, its training is done again on its own D_K, recipe, seed and evaluation folder, with
its recorded schedule (the same steps and learning rates, no clock), and ``--ema DECAY``. A row sets the
average's figures on the real held-out images beside the run's own student's, and the spread of the student's
top-1 over the last five epochs (how much it swings from epoch to epoch) for both.

Usage:
    python -m experiments.ema RUN [RUN ...] --decay 0.999 --out runs/ema

Writes ``experiments/ema-results.md`` and ``.json`` (rows of other runs and decays kept).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from experiments import HERE, previous, record
from synthkd.distill.logs import METRICS
from synthkd.distill.train import distill
from synthkd.run import PLAN, RunSettings, distill_settings, with_replay

LAST = 5  # epochs over which the swing is measured


def last_epochs(student: Path) -> list[float]:
    """The student's top-1 on the evaluation images after each of its last epochs."""
    lines = (student / METRICS).read_text().splitlines()
    return [json.loads(line)["eval_student_top1"] for line in lines[-LAST:]]


def averaged(root: Path, decay: float, out: Path) -> dict[str, Any]:
    """The run in ``root`` trained again with the weight average; its row."""
    s, record = with_replay(RunSettings(out=out / f"{root.name}-ema{decay:g}", replay=root / PLAN, quiet=True))
    Path(s.out).mkdir(parents=True, exist_ok=True)
    cfg = replace(distill_settings(s, record, root / "dk", Path(s.out) / "student"), ema=decay)
    summary = distill(cfg)
    own = json.loads((root / "summary.json").read_text())["row"]
    return {"run": root.name, "decay": decay, "steps": summary["steps"], "epochs": summary["epochs"],
            "teacher_top1": summary["eval_teacher_top1"], "student_top1": own["student_top1"],
            "ema_top1": summary["eval_student_top1"], "agreement": own["agreement"],
            "ema_agreement": summary["eval_agreement"],
            "student_swing": round(statistics.pstdev(last_epochs(root / "student")), 4),
            "ema_swing": round(statistics.pstdev(last_epochs(Path(s.out) / "student")), 4)}


def write_markdown(rows: list[dict[str, Any]], commands: dict[str, str]) -> None:
    lines = ["Each row: a finished `synthkd run` trained again on its own D_K with its recorded schedule (the same "
             "steps and learning rates), recipe and seed, with `distill --ema DECAY`, alone on a 2-core CPU. "
             "Figures on the teacher's real held-out images; swing: the standard deviation of the student's "
             f"top-1 over its last {LAST} epochs.", "",
             "| run | decay | steps | teacher top-1 | student top-1 (swing) | with --ema (swing) | agreement | "
             "with --ema |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['run']} | {r['decay']:g} | {r['steps']} | {r['teacher_top1']:.3f} | "
                     f"{r['student_top1']:.3f} ({r['student_swing']:.3f}) | {r['ema_top1']:.3f} ({r['ema_swing']:.3f}) "
                     f"| {r['agreement']:.3f} | {r['ema_agreement']:.3f} |")
    lines += ["", "Made by:", *[f"- `{c}` ({d})" for c, d in commands.items()]]
    (HERE / "ema-results.md").write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m experiments.ema", description=__doc__.split("\n\n")[0])
    p.add_argument("runs", nargs="+", type=Path, help="finished synthkd run folders (with --eval)")
    p.add_argument("--decay", type=float, default=0.999, help="the average's decay per step")
    p.add_argument("--out", type=Path, required=True, help="where the retrained students go")
    args = p.parse_args(argv)
    old = previous("ema")
    fresh = [averaged(root, args.decay, args.out) for root in args.runs]
    done = {(r["run"], r["decay"]) for r in fresh}
    rows = [r for r in old.get("rows", []) if (r["run"], r["decay"]) not in done] + fresh
    record("ema", argv, rows, old, write_markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
