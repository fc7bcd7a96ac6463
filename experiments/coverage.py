"""Does the data cover every class of the teacher? Levers against the digits teacher panel.

For each panel teacher, source (hand-written shaders, synthesized shaders, Leaves) and lever, this makes D_S
(10,000 images at 32 px), lets the teacher balance it into a D_K of 5,000 (500 per class) and records:

- the relative entropy of the teacher's class histogram on D_S and on D_K (1 = every class equally often);
- the smallest number of distinct images any class has in D_K (of its 500; the balancer replicates the rest);
- the seconds spent rendering and probing (this 2-core machine, nothing else running);
- for the teachers given with ``--students``, the held-out top-1 of a student distilled from D_K under one fixed
  short budget (``--presentations`` images seen, the recipe of ``synthkd run``).

Levers: ``none`` (plain images), ``reject`` (render 3x as many, keep by class quota), ``variants`` (the fitted
mixture of image variants), ``search`` (MAP-Elites program search; shaders only), ``fill`` (the prober makes
images for the classes D_S lacks) and ``all`` (every generator lever together, and the filling prober). Writes
``experiments/coverage-results.md`` and ``.json``.

Usage: python -m experiments.coverage [--teachers ...] [--sources ...] [--levers ...] [--students ...]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from synthkd.core.dataset import open_dataset
from synthkd.core.files import write_json
from synthkd.core.steer import LEVERS, SteerSettings
from synthkd.distill.train import distill
from synthkd.export import write_image_folder
from synthkd.probe.balance import BalanceSettings
from synthkd.probe.stage import ProbeSettings, probe
from synthkd.procgen.stage import LeavesDataset, render_leaves
from synthkd.recipe import RECIPE
from synthkd.shaders.stage import ShaderDataset, render_shaders
from synthkd.teacher import PANEL, PanelTeacher

HERE = Path(__file__).resolve().parent
# The distillation recipe the committed results were made with: synthkd run's before the recipe experiment
# dropped mixup.
STUDENT_RECIPE = replace(RECIPE, mixup_alpha=1.0, student="resnet8_cifar", quiet=True, resume=True)
DS_IMAGES, DK_IMAGES, SYNTH_PROGRAMS = 10_000, 5_000, 300
SOURCES = ("shaders", "synthesized", "leaves")
STUDENT = "resnet8_cifar"
ALL_LEVERS = ("none", "reject", "variants", "search", "fill", "all")


def steer_of(lever: str) -> str | None:
    """The generator's --steer for a lever (None: plain images)."""
    if lever in ("none", "fill"):
        return None
    return lever if lever in LEVERS else None


def make_ds(t: PanelTeacher, source: str, lever: str, out: Path) -> Path:
    """D_S for (teacher, source, lever) at ``out`` (made once; a re-run resumes or reuses it)."""
    steer = steer_of(lever)
    steering = {"teacher": t.spec, "steering": SteerSettings(steer=steer)} if steer else {}
    common = {"n": DS_IMAGES, "size": 32, "out": out, "quiet": True, **steering}
    if source == "leaves":
        render_leaves(LeavesDataset(**common))
    else:
        synth = {"synth": SYNTH_PROGRAMS, "synth_share": 1.0} if source == "synthesized" else {}
        render_shaders(ShaderDataset(**common, **synth))
    return out


def cell(t: PanelTeacher, source: str, lever: str, root: Path, student: bool,
         presentations: int) -> dict[str, Any]:
    """One row of the table."""
    base = root / t.name / source / lever
    clock = time.perf_counter()
    ds = make_ds(t, source, lever, base / "ds")
    render_seconds = time.perf_counter() - clock
    clock = time.perf_counter()
    report = probe(ProbeSettings(data=(ds,), out=base / "dk", teacher=t.spec, attack="none",
                                 fill="on" if lever in ("fill", "all") else "off",
                                 balance=BalanceSettings(total=DK_IMAGES), quiet=True))
    probe_seconds = time.perf_counter() - clock
    quota = DK_IMAGES // report["num_classes"]
    row = {"teacher": t.name, "source": source, "lever": lever,
           "relative_entropy_ds": report["relative_entropy_ds"], "relative_entropy_dk": report["relative_entropy_dk"],
           "min_distinct": min(report["distinct_dk"]), "quota": quota, "distinct_dk": report["distinct_dk"],
           "render_seconds": round(render_seconds, 1), "probe_seconds": round(probe_seconds, 1),
           "fill": report.get("fill")}
    if student:
        test = root / t.name / "test"
        if not test.is_dir():
            write_image_folder(*t.test_set(), test)
        rows = len(open_dataset(base / "dk"))
        summary = distill(replace(STUDENT_RECIPE, teacher=t.spec, data=base / "dk", out=base / "student",
                                  eval_dir=test, epochs=max(1, round(presentations / rows))))
        row.update(student_top1=summary["eval_student_top1"], teacher_top1=summary["eval_teacher_top1"],
                   student_seconds=summary.get("seconds"))
    return row


def key(row: dict[str, Any]) -> tuple[str, str, str]:
    return row["teacher"], row["source"], row["lever"]


def order(row: dict[str, Any]) -> tuple[int, int, int]:
    return list(PANEL).index(row["teacher"]), SOURCES.index(row["source"]), ALL_LEVERS.index(row["lever"])


def markdown(rows: list[dict[str, Any]], presentations: int) -> list[str]:
    lines = ["| teacher | source | lever | D_S rel. entropy | D_K rel. entropy | smallest class (distinct of quota) | "
             "render + probe s | student top-1 (x teacher) |", "|---|---|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        student = f"{r['student_top1']:.3f} ({r['student_top1'] / r['teacher_top1']:.2f})" if "student_top1" in r \
            else ""
        lines.append(f"| {r['teacher']} | {r['source']} | {r['lever']} | {r['relative_entropy_ds']:.3f} | "
                     f"{r['relative_entropy_dk']:.3f} | {r['min_distinct']} of {r['quota']} | "
                     f"{r['render_seconds'] + r['probe_seconds']:.0f} | {student} |")
    return [f"D_S {DS_IMAGES} images at 32 px, D_K {DK_IMAGES} ({DK_IMAGES // 10} per class); students: "
            f"resnet8_cifar, {presentations} presentations with the recipe of `synthkd run`, top-1 on the "
            "teacher's held-out digits (449 images).", "", *lines, ""]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m experiments.coverage", description=__doc__.split("\n\n")[0])
    p.add_argument("--teachers", nargs="+", default=list(PANEL), choices=list(PANEL))
    p.add_argument("--sources", nargs="+", default=list(SOURCES), choices=SOURCES)
    p.add_argument("--levers", nargs="+", default=list(ALL_LEVERS), choices=ALL_LEVERS)
    p.add_argument("--students", nargs="*", default=["wrn16_1", "ink_gapcnn"], choices=list(PANEL),
                   help="teachers whose shader cells also distill a student")
    p.add_argument("--presentations", type=int, default=100_000, help="training images a student sees")
    p.add_argument("--out", type=Path, default=Path("runs/coverage"))
    args = p.parse_args(argv)
    previous = HERE / "coverage-results.json"
    kept = json.loads(previous.read_text())["rows"] if previous.is_file() else []
    rows = []
    for name in args.teachers:
        for source in args.sources:
            for lever in args.levers:
                if lever == "search" and source == "leaves":
                    continue  # program search needs shader programs
                student = name in args.students and source == "shaders"
                rows.append(cell(PANEL[name], source, lever, args.out, student, args.presentations))
                print(json.dumps(rows[-1]), flush=True)
    done = {key(r) for r in rows}
    rows = sorted([r for r in kept if key(r) not in done] + rows, key=order)
    command = "python -m experiments.coverage " + " ".join(argv if argv is not None else sys.argv[1:])
    commands = sorted({*json.loads(previous.read_text()).get("commands", []), command}) if previous.is_file() \
        else [command]
    write_json(previous, {"rows": rows, "commands": commands, "ds_images": DS_IMAGES, "dk_images": DK_IMAGES,
                          "presentations": args.presentations})
    lines = ["# Coverage: does D_K hold every class of the teacher?", "", *markdown(rows, args.presentations),
             "Made by " + ", ".join(f"`{c}`" for c in commands)
             + f" ({time.strftime('%Y-%m-%d')}, 2-core CPU, nothing else running); each run adds or replaces its "
             "rows."]
    (HERE / "coverage-results.md").write_text("\n".join(lines) + "\n")
    print((HERE / "coverage-results.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
