"""Does one change make a finished ``synthkd run``'s student better at equal steps?

For each finished run given, its training is done again with its recorded schedule (the same steps and learning
rates, no clock), recipe, seed and evaluation folder, with one change:

- ``ema:DECAY``: a weight average of the student (``distill --ema DECAY``), on the run's own D_K;
- ``mixup:ALPHA``: mixup on every batch (``distill --mixup-alpha ALPHA``), on the run's own D_K;
- ``pairs:FRACTION``: D_K made again from the run's own D_S (the same balanced images) with the boundary prober's
  pairs for that share of it (``probe --attack boundary --probe-fraction FRACTION``), the paper's teacher
  exploitation; the images it adds make the epochs longer, not the training.

A row sets the changed student's figures on the real held-out images beside the run's own, and the spread of the
student's top-1 over the last five epochs (how much it swings from epoch to epoch) for both. Pairing removes
the spread between runs (data, machine, steps), so a small gain can be seen on a few runs.

Usage:
    python -m experiments.paired RUN [RUN ...] --change pairs:0.5 --out runs/paired

Writes ``experiments/paired-results.md`` and ``.json`` (rows of other runs and changes kept).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from experiments import HERE, previous, record
from synthkd.distill.logs import METRICS
from synthkd.distill.train import distill
from synthkd.probe.balance import BalanceSettings
from synthkd.probe.stage import ProbeSettings, probe
from synthkd.run import PLAN, RunSettings, distill_settings, with_replay

LAST = 5  # epochs over which the swing is measured
# name -> (what it changes, the distill setting it sets or None (pairs: a new D_K), the bound its number stays below)
CHANGES = {"ema": ("a weight average of the student, distill --ema DECAY", "ema", 1.0),
           "mixup": ("mixup on every batch, distill --mixup-alpha ALPHA", "mixup_alpha", math.inf),
           "pairs": ("boundary pairs for this share of D_K, probe --probe-fraction FRACTION", None, 1.0)}


def change_spec(text: str) -> tuple[str, float]:
    """``ema:0.999`` -> ("ema", 0.999); an argparse type. The number lies in (0, 1), or is positive for mixup."""
    name, _, value = text.partition(":")
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if name not in CHANGES or not 0 < number < CHANGES[name][2]:
        raise argparse.ArgumentTypeError(f"{text!r}: give ema:DECAY or pairs:FRACTION, the number in (0, 1), "
                                         "or mixup:ALPHA, ALPHA > 0")
    return name, number


def last_epochs(student: Path) -> list[float]:
    """The student's top-1 on the evaluation images after each of its last epochs."""
    lines = (student / METRICS).read_text().splitlines()
    return [json.loads(line)["eval_student_top1"] for line in lines[-LAST:]]


def retrain(root: Path, change: tuple[str, float], out: Path) -> dict[str, Any]:
    """The run in ``root`` trained again with ``change``; its row."""
    name, value = change
    s, plan = with_replay(RunSettings(out=out / f"{root.name}-{name}{value:g}", replay=root / PLAN, quiet=True))
    Path(s.out).mkdir(parents=True, exist_ok=True)
    dk, extra, probing = root / "dk", {}, 0.0
    if name == "pairs":
        dk, clock = Path(s.out) / "dk", time.perf_counter()
        probed = probe(ProbeSettings(data=(root / "data",), out=dk, teacher=s.teacher, seed=s.seed,
                                     probe_fraction=value, balance=BalanceSettings(total=plan["dk_images"]),
                                     device=s.device, quiet=True))
        probing = time.perf_counter() - clock
        extra = {"pairs_valid": probed["attack"]["pairs_valid"], "pairs_tried": probed["attack"]["pairs_tried"]}
    cfg = distill_settings(s, plan, dk, Path(s.out) / "student")
    setting = CHANGES[name][1]
    summary = distill(replace(cfg, **{setting: value}) if setting else cfg)
    own = json.loads((root / "summary.json").read_text())["row"]
    return {"run": root.name, "change": f"{name}:{value:g}", "steps": summary["steps"], "epochs": summary["epochs"],
            "train_images": summary["train_images"], "teacher_top1": summary["eval_teacher_top1"],
            "student_top1": own["student_top1"], "changed_top1": summary["eval_student_top1"],
            "agreement": own["agreement"], "changed_agreement": summary["eval_agreement"],
            "student_swing": round(statistics.pstdev(last_epochs(root / "student")), 4),
            "changed_swing": round(statistics.pstdev(last_epochs(Path(s.out) / "student")), 4),
            "probe_seconds": round(probing, 1), **extra}


def write_markdown(rows: list[dict[str, Any]], commands: dict[str, str]) -> None:
    lines = ["Each row: a finished `synthkd run` trained again with its recorded schedule (the same steps and "
             "learning rates), recipe and seed, with one change, alone on a 2-core CPU: "
             + "; ".join(f"`{k}`: {v[0]}" for k, v in CHANGES.items()) + ". Figures on the teacher's real held-out "
             f"images; swing: the standard deviation of the student's top-1 over its last {LAST} epochs. Runs "
             "named `galaxy-v1-...` had the first galaxy teacher (whole 300 px cutouts shrunk to 32 px, top-1 0.590).",
             "", "| run | change | steps | training images | teacher top-1 | student top-1 (swing) | changed (swing) "
             "| agreement | changed | pairs valid | probing s |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        pairs = f"{r['pairs_valid']} / {r['pairs_tried']}" if "pairs_tried" in r else ""
        lines.append(f"| {r['run']} | {r['change']} | {r['steps']} | {r.get('train_images', '')} | "
                     f"{r['teacher_top1']:.3f} | {r['student_top1']:.3f} ({r['student_swing']:.3f}) | "
                     f"{r['changed_top1']:.3f} ({r['changed_swing']:.3f}) | {r['agreement']:.3f} | "
                     f"{r['changed_agreement']:.3f} | {pairs} | {r.get('probe_seconds', '')} |")
    lines += ["", "Made by:", *[f"- `{c}` ({d})" for c, d in commands.items()]]
    (HERE / "paired-results.md").write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m experiments.paired", description=__doc__.split("\n\n")[0])
    p.add_argument("runs", nargs="+", type=Path, help="finished synthkd run folders (with --eval)")
    p.add_argument("--change", type=change_spec, required=True, metavar="NAME:VALUE",
                   help="; ".join(f"{k}: {v[0]}" for k, v in CHANGES.items()))
    p.add_argument("--out", type=Path, required=True, help="where the retrained students go")
    args = p.parse_args(argv)
    old = previous("paired")
    rows = old.get("rows", [])
    for root in args.runs:
        row = retrain(root, args.change, args.out)
        rows = [r for r in rows if (r["run"], r["change"]) != (row["run"], row["change"])] + [row]
        print(json.dumps(row), flush=True)
    record("paired", argv, rows, old, write_markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
