"""Does ``synthkd run`` plan an ImageNet-shaped teacher on this machine: 1,000 classes at 224 px?

A torchvision network with seeded random weights and 1,000 classes stands in for a trained one (nothing is
downloaded); the command a user would type runs as its own process, timed from outside, with its peak resident
memory (``os.wait4``). A row is either the finished run (wall time against the budget, what the planner chose and
why, its rates, D_S, D_K and steps, the seconds of each stage) or the one line it refused with.

Usage:
    python -m experiments.scale --teachers resnet18 --minutes 10 --out runs/scale

Writes ``experiments/scale-results.md`` and ``.json`` (rows of other teachers and budgets already there are kept).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import torch

from experiments import previous, record
from synthkd.core.models import build_model

CLASSES, SIZE = 1000, 224


def random_weights(name: str, path: Path) -> Path:
    """A seeded random ``name`` with 1,000 classes, saved at ``path``."""
    if not path.is_file():
        torch.manual_seed(0)
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save({"state_dict": build_model(name, CLASSES).state_dict()}, path)
    return path


def run_row(name: str, minutes: float, seed: int, out: Path) -> dict[str, Any]:
    root = out / f"{name}-m{minutes:g}-seed{seed}"
    cmd = ["synthkd", "run", "--teacher", name, "--weights", str(random_weights(name, out / f"{name}-random.pt")),
           "--num-classes", str(CLASSES), "--size", str(SIZE), "--minutes", f"{minutes:g}", "--seed", str(seed),
           "--out", str(root), "--quiet"]
    clock = time.monotonic()
    with tempfile.TemporaryFile("w+") as stderr:  # read after the wait: a pipe could fill and block the run
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=stderr, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        stderr.seek(0)
        err = stderr.read().strip()
    row = {"teacher": name, "minutes": minutes, "seed": seed, "classes": CLASSES, "size": SIZE,
           "wall_over_budget": round((time.monotonic() - clock) / (minutes * 60), 3),
           "peak_gib": round(usage.ru_maxrss / (1 << 20), 2), "exit": proc.returncode,
           "command": " ".join(cmd)}
    if row["exit"]:
        return {**row, "refused": err.splitlines()[-1] if err else ""}
    summary = json.loads((root / "summary.json").read_text())
    plan, r = summary["plan"], summary["row"]
    return {**row, "student": summary["student"], "why": plan["why"], "measured": plan["measured"],
            "steer": plan["steer"], "probe": plan.get("probe", False), "ds_images": plan["ds_images"],
            "dk_images": plan["dk_images"], "epochs": r["epochs"], "steps": r["steps"], "seconds": r["seconds"],
            "agreement": r["agreement"]}


def write_markdown(rows: list[dict[str, Any]], commands: dict[str, str]) -> None:
    lines = ["# synthkd run with an ImageNet-shaped teacher (1,000 classes, 224 px), on this machine", "",
             "Seeded random weights stand in for a trained teacher, so the student's agreement means nothing here; "
             "the rows say whether the planner keeps the budget, what it chose, and the peak memory. Each run alone.",
             "", "| teacher | minutes | wall / budget | peak memory | student | D_S | D_K | epochs | steps | "
             "measure / data / train s | outcome |", "|---|---:|---:|---:|---|---:|---:|---:|---:|---|---|"]
    for r in rows:
        if r["exit"]:
            lines.append(f"| {r['teacher']} | {r['minutes']:g} | {r['wall_over_budget']:.3f} | {r['peak_gib']} GiB "
                         f"| | | | | | | refused: {r['refused']} |")
            continue
        s = r["seconds"]
        lines.append(f"| {r['teacher']} | {r['minutes']:g} | {r['wall_over_budget']:.3f} | {r['peak_gib']} GiB | "
                     f"{r['student']} | {r['ds_images']} | {r['dk_images']} | {r['epochs']} | {r['steps']} | "
                     f"{s.get('measure', 0):.0f} / {s.get('data', 0):.0f} / {s.get('train', 0):.0f} | finished |")
    lines += ["", "What the planner said:", ""] + [f"- {r['teacher']}, {r['minutes']:g} min: {r.get('why', '')}"
                                                  for r in rows if not r["exit"]]
    lines += ["", "Commands:", ""] + [f"- `{c}` ({d})" for c, d in commands.items()]
    (Path(__file__).resolve().parent / "scale-results.md").write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m experiments.scale", description=__doc__.split("\n\n")[0])
    p.add_argument("--teachers", nargs="+", default=["resnet18"], help="torchvision model names")
    p.add_argument("--minutes", type=float, default=10.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, default=Path("runs/scale"))
    args = p.parse_args(argv)
    old = previous("scale")
    rows = [r for r in old.get("rows", []) if (r["teacher"], r["minutes"]) not in
            {(t, args.minutes) for t in args.teachers}]
    for name in args.teachers:
        rows.append(run_row(name, args.minutes, args.seed, args.out))
        print(json.dumps(rows[-1]), flush=True)
    record("scale", argv, rows, old, write_markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
