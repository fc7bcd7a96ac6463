"""Does ``synthkd run`` keep its budget on a real machine: busy, getting busy, or with a TorchScript teacher?

Each case runs the command a user would, as a separate process, and times it from outside:

- ``quiet``: ``synthkd demo`` with nothing else running;
- ``busy``: ``synthkd demo`` with a second CPU-bound process (``python -c "while True: pass"``) running through
  the whole run;
- ``halfway``: ``synthkd demo`` quiet at first, the busy process starting halfway through its budget;
- ``torchscript``: ``synthkd run`` on a panel teacher in eager form and as a TorchScript export of the same
  network (``torch.jit.trace``), same budget and seed, to compare D_K and the student.

A row is the wall time of the process against the budget (Python's start and imports included), the run's own
count of its seconds, D_K, epochs and steps, and the student's top-1 on the teacher's held-out digits.

Usage:
    python -m experiments.busy --cases quiet busy halfway --seeds 0 1 2 --out runs/busy
    python -m experiments.busy --cases torchscript --minutes 5 --seeds 0 1 2 --out runs/busy

Writes ``experiments/busy-results.md`` and ``.json`` (rows of other cases and seeds already there are kept).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import torch

from experiments import HERE, previous, record, spread
from synthkd.export import write_image_folder
from synthkd.teacher import PANEL

CASES = ("quiet", "busy", "halfway", "torchscript")
BUSY = [sys.executable, "-c", "while True: pass"]


def export_torchscript(name: str, path: Path) -> Path:
    """The panel teacher ``name``'s network traced to TorchScript at ``path`` (its inputs: [0, 1] images)."""
    if not path.is_file():
        net = PANEL[name].spec.load(check_size=32).net.eval()
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.jit.save(torch.jit.trace(net, torch.rand(2, 3, 32, 32)), str(path))
    return path


def timed(cmd: list[str], load: str, minutes: float) -> float:
    """Run ``cmd`` to its end with the ``load`` asked for beside it; its wall seconds."""
    busy: list[subprocess.Popen] = []

    def start_busy() -> None:
        busy.append(subprocess.Popen(BUSY))

    timer = threading.Timer(minutes * 30, start_busy) if load == "halfway" else None
    if load == "busy":
        start_busy()
    started = time.monotonic()
    if timer is not None:
        timer.start()
    try:
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    finally:
        if timer is not None:
            timer.cancel()
        for p in busy:
            p.kill()
            p.wait()
    return time.monotonic() - started


def run_case(case: str, seed: int, minutes: float, out: Path, teacher: str) -> list[dict[str, Any]]:
    """The rows of one case and seed (two for ``torchscript``: eager and exported); a finished row is read back."""
    rows = []
    forms = ("eager", "torchscript") if case == "torchscript" else ("demo",)
    for form in forms:
        root = out / f"{case}-{form}-m{minutes:g}-seed{seed}"
        done = root / "row.json"
        if done.is_file():
            rows.append(json.loads(done.read_text()))
            continue
        if form == "demo":
            cmd = ["synthkd", "demo", "--out", str(root), "--minutes", str(minutes), "--seed", str(seed), "--quiet"]
            run_dir = root / "shaders"
        else:
            t = PANEL[teacher]
            eval_dir = write_image_folder(*t.test_set(), out / "eval" / teacher)
            spec = ["--teacher", str(export_torchscript(teacher, out / f"{teacher}.ts"))] if form == "torchscript" \
                else ["--teacher", t.arch, "--weights", str(t.weights)]
            cmd = ["synthkd", "run", *spec, "--teacher-normalization", t.normalization, "--eval", str(eval_dir),
                   "--minutes", str(minutes), "--seed", str(seed), "--out", str(root), "--quiet"]
            run_dir = root
        wall = timed(cmd, case if case in ("busy", "halfway") else "quiet", minutes)
        summary = json.loads((run_dir / "summary.json").read_text())
        plan, r = summary["plan"], summary["row"]
        row = {"case": case, "form": form, "seed": seed, "minutes": minutes, "wall_seconds": round(wall, 1),
               "wall_over_budget": round(wall / (minutes * 60), 3), "run_seconds": r["seconds"]["total"],
               "student_top1": r["student_top1"], "teacher_top1": r["teacher_top1"],
               "x_teacher": round(r["student_top1"] / r["teacher_top1"], 3), "ds_images": plan["ds_images"],
               "dk_images": plan["dk_images"], "epochs": r["epochs"], "steps": r["steps"],
               "measured": plan["measured"], "observed": plan.get("observed"), "seconds": r["seconds"],
               "command": " ".join(cmd)}
        done.write_text(json.dumps(row) + "\n")
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def write_markdown(rows: list[dict[str, Any]], commands: dict[str, str]) -> None:
    lines = ["Each row is one process on this 2-core CPU, timed from outside (Python's start and imports included); "
             "the student's top-1 on the teacher's 449 held-out digits (chance 0.10). `busy`: a second CPU-bound "
             "process (`python -c \"while True: pass\"`) through the whole run; `halfway`: that process starts "
             "halfway through the budget; `quiet`: nothing else running.", "",
             "| case | form | seed | budget s | wall s (x budget) | run's own s | D_S | D_K x epochs (steps) | "
             "train img/s measured / seen | student top-1 (x teacher) |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in sorted(rows, key=lambda r: (CASES.index(r["case"]), r["minutes"], r["form"], r["seed"])):
        seen = (r.get("observed") or {}).get("train_images_per_s")
        lines.append(f"| {r['case']} | {r['form']} | {r['seed']} | {r['minutes'] * 60:.0f} | {r['wall_seconds']:.0f} "
                     f"({r['wall_over_budget']:.3f}) | {r['run_seconds']:.0f} | {r['ds_images']} | "
                     f"{r['dk_images']} x {r['epochs']} ({r['steps']}) | "
                     f"{r['measured']['train_images_per_s']:.0f} / {seen or 0:.0f} | "
                     f"{r['student_top1']:.3f} ({r['x_teacher']:.3f}) |")
    lines += ["", "Over seeds (mean ± standard deviation):", "",
              "| case | form | budget s | runs | wall x budget | D_K | student top-1 | x teacher |",
              "|---|---|---:|---:|---:|---:|---:|---:|"]
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault((r["case"], r["form"], r["minutes"]), []).append(r)
    for (case, form, minutes), members in sorted(groups.items(), key=lambda g: (CASES.index(g[0][0]), g[0][2],
                                                                                 g[0][1])):
        lines.append(f"| {case} | {form} | {minutes * 60:.0f} | {len(members)} | "
                     f"{spread([m['wall_over_budget'] for m in members])} | "
                     f"{statistics.mean(m['dk_images'] for m in members):.0f} | "
                     f"{spread([m['student_top1'] for m in members])} | {spread([m['x_teacher'] for m in members])} |")
    lines += ["", "Made by:", *(f"- `{c}` ({d})" for c, d in commands.items())]
    (HERE / "busy-results.md").write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m experiments.busy", description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", nargs="+", choices=CASES, default=["quiet", "busy", "halfway"])
    p.add_argument("--seeds", nargs="+", type=int, default=[0])
    p.add_argument("--minutes", type=float, default=10.0, help="each run's budget")
    p.add_argument("--teacher", default="wrn16_1", choices=tuple(PANEL), help="the torchscript case's teacher")
    p.add_argument("--out", type=Path, default=Path("runs/busy"))
    args = p.parse_args(argv)
    old = previous("busy")
    rows = [r for r in old.get("rows", []) if not (r["case"] in args.cases and r["seed"] in args.seeds
                                                   and r["minutes"] == args.minutes)]
    for case in args.cases:
        for seed in args.seeds:
            rows += run_case(case, seed, args.minutes, args.out, args.teacher)
    record("busy", argv, rows, old, write_markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
