"""How close does ``synthkd run --minutes M`` come to each teacher of the digits panel?

Each pair (teacher, source) is one ``synthkd run`` with the teacher's held-out digits, as that teacher was trained
to see them, as ``--eval``: every panel teacher on shader renders, and the built-in teacher on Leaves. A row is
the student's top-1 on those digits against the teacher's, the seconds the run took against its budget, D_K
and epochs as planned, and the first epoch at which the student reached 0.95 x the teacher (with the seconds
of data making and training up to it; evaluation and checkpoints are not counted there).

Usage:
    python -m experiments.budget --minutes 30 --out runs/budget   # make every run (resumes), then the table
    python -m experiments.budget --collect RUN [RUN ...]           # the table from runs already made

Writes ``experiments/budget-results.md`` and ``.json``; rows of other teachers, sources, budgets and seeds already
there are kept, so held-out teachers' 10-minute rows sit beside the 30-minute panel.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from experiments import HERE, previous, record
from synthkd.distill.logs import METRICS
from synthkd.export import write_image_folder
from synthkd.run import SUMMARY, RunSettings, run
from synthkd.teacher import BUILTIN, PANEL, PanelTeacher

PAIRS = [(name, "shaders") for name in PANEL] + [(BUILTIN.name, "leaves")]
GOAL = 0.95  # x the teacher's top-1


def make_run(t: PanelTeacher, source: str, minutes: float, out: Path, probe: str = "auto") -> Path:
    """One ``synthkd run`` for ``t`` on ``source`` under ``out`` (resumed when it is there); its folder."""
    eval_dir = write_image_folder(*t.test_set(), out / "eval" / t.name)
    root = out / f"{t.name}-{source}{'' if probe == 'auto' else f'-probe-{probe}'}"
    run(RunSettings(teacher=t.spec, out=root, minutes=minutes, source=source, eval_dir=eval_dir, probe=probe,
                    quiet=True))
    return root


def row(root: Path) -> dict[str, Any]:
    """The results row of the finished run in ``root``."""
    summary = json.loads((root / SUMMARY).read_text())
    r, plan = summary["row"], summary["plan"]
    epochs = [json.loads(line) for line in (root / r["paths"]["student"] / METRICS).read_text().splitlines()]
    elapsed, reached = sum(summary["seconds"][k] for k in ("measure", "data")), None
    for m in epochs:
        elapsed += m["seconds"]
        if reached is None and m["eval_student_top1"] >= GOAL * m["eval_teacher_top1"]:
            reached = {"epoch": m["epoch"], "seconds": round(elapsed)}
    return {"teacher": Path(summary["teacher"]["weights"]).stem.removeprefix("digits_"),
            "source": r["source"], "minutes": summary["minutes"], "student": summary["student"],
            "student_top1": r["student_top1"], "teacher_top1": r["teacher_top1"],
            "x_teacher": round(r["student_top1"] / r["teacher_top1"], 3), "seconds": r["seconds"]["total"],
            "budget_seconds": plan["budget_seconds"], "dk_images": plan["dk_images"], "epochs": r["epochs"],
            "steer": plan["steer"], "probe": plan.get("probe", False),
            "effective_relative_entropy": r["effective_relative_entropy"],
            f"first_{GOAL}x": reached, "run": str(root), "settings": plan["settings"]}


def key(r: dict[str, Any]) -> tuple:
    """What a row measured: a run that probed and one that did not are two rows, whatever ``--probe`` asked for
    (``auto`` meant no pairs for these teachers before it learnt to pair them)."""
    return r["teacher"], r["source"], r["minutes"], r["settings"]["seed"], bool(r.get("probe"))


def write_markdown(rows: list[dict[str, Any]], commands: dict[str, str]) -> None:
    lines = ["Student top-1 on the teacher's held-out digits (449 images, chance 0.10), each run alone on a 2-core "
             "CPU with nothing else running. Held out: a teacher no lever or default was tuned on.", "",
             f"| teacher (top-1) | held out | minutes | source | seed | student top-1 | x teacher | seconds (budget) | "
             f"D_K x epochs | first >= {GOAL} x: epoch, seconds |", "|---|---|---:|---|---:|---:|---:|---:|---:|---:|"]
    for r in sorted(rows, key=lambda r: (PANEL[r["teacher"]].held_out, -r["minutes"], r["source"] != "shaders")):
        first = r[f"first_{GOAL}x"]
        reached = f"{first['epoch']}, ~{first['seconds']}" if first else "not reached"
        lines.append(f"| {r['teacher']} ({r['teacher_top1']:.3f}) | {'yes' if PANEL[r['teacher']].held_out else 'no'} "
                     f"| {r['minutes']:g} | {r['source']}{' + pairs' if r.get('probe') else ''} | "
                     f"{r['settings']['seed']} | {r['student_top1']:.3f} | "
                     f"{r['x_teacher']:.3f} | {r['seconds']:.0f} ({r['budget_seconds']}) | "
                     f"{r['dk_images']} x {r['epochs']} | {reached} |")
    lines += ["", "Made by (each run's own command is `synthkd run` with the settings in the json):",
              *(f"- `{c}` ({d})" for c, d in commands.items())]
    (HERE / "budget-results.md").write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m experiments.budget", description=__doc__.split("\n\n")[0])
    p.add_argument("--minutes", type=float, default=30.0, help="each run's budget")
    p.add_argument("--out", type=Path, default=Path("runs/budget"), help="where the runs and eval folders go")
    p.add_argument("--probe", choices=("auto", "on", "off"), default="auto", help="synthkd run --probe")
    p.add_argument("--collect", nargs="+", type=Path, metavar="RUN", help="only tabulate these finished runs")
    p.add_argument("--pairs", nargs="+", metavar="TEACHER:SOURCE", default=[f"{t}:{s}" for t, s in PAIRS],
                   help="the runs to make (default: every panel teacher on shaders, the built-in one on leaves)")
    args = p.parse_args(argv)
    if args.collect:
        if missing := [str(d) for d in args.collect if not (d / SUMMARY).is_file()]:
            p.error(f"not a finished synthkd run (no {SUMMARY}): {missing[0]}")
        roots = args.collect
    else:
        roots = [make_run(PANEL[name], source, args.minutes, args.out, args.probe)
                 for name, source in (pair.split(":") for pair in args.pairs)]
    old = previous("budget")
    fresh = [row(root) for root in roots]
    rows = [r for r in old.get("rows", []) if key(r) not in {key(f) for f in fresh}] + fresh
    record("budget", argv, rows, old, write_markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
