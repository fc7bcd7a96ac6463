"""How close does ``synthkd run`` come to the in-domain ceiling for natural-image teachers?

For each teacher of the natural panel (``synthkd.natural``) and each case, the command a user would type runs as
a separate process with the same budget, seed and student, and its student is measured on the teacher's real
test split (never seen by the teacher or the student): top-1 against the true labels, and agreement with the
teacher. The cases:

- ``ceiling``: the in-domain ceiling: ``--source images:POOL --steer off``, where POOL holds the teacher's own
  held-out real images (its pool split); the run crops, labels, balances and distills them like any source
  (with ``--min-scale 1``, the largest square of each picture, where the test images are whole pictures);
- ``shaders``: ``synthkd run`` as it is, on its default source (shader renders, steered when the teacher calls
  plain renders few classes, with the grid ``--steer auto`` picks);
- ``variants``: shaders steered with ``--steer variants`` (gray, sparse, inverted variants, made for ink-on-paper
  teachers);
- ``natural``: shaders steered with ``--steer natural`` (variants that keep colour and texture);
- ``dark``: shaders steered with ``--steer dark`` (dim, sparse gray blobs and streaks);
- ``refine``: the default command with ``--refine 3`` (each render takes three steps towards the teacher's
  batch-norm statistics, paid for with fewer images);
- ``probe``: the default command with ``--probe on`` (boundary pairs for a quarter of D_K, paid for with fewer
  images);
- ``variants-probe``, ``dark-probe``: ``--steer variants`` or ``dark`` with ``--probe on``; ``variants-off``,
  ``dark-off``: ``--steer variants`` or ``dark`` with ``--probe off`` (no boundary pairs);
- ``dark-log``, ``dark-linear``: ``--steer dark --probe off`` with ``--student resnet8_cifar_log`` (reading log
  intensities, what ``--student auto`` takes for a run steered with ``dark``) or ``resnet8_cifar`` (as it took
  before); ``ceiling-log``: the ceiling with ``--student resnet8_cifar_log``;
- ``openworld``: ``--source images:OTHER``, OTHER a folder of real pictures of other kinds (the bundled
  pictures of scikit-image and matplotlib that no natural teacher was trained on);
- ``leaves``: ``--source leaves``;
- ``wrn16_2``, ``resnet18_cifar``: the default command with that student (``--student auto`` takes
  ``resnet8_cifar`` for every teacher of the panel, all under a million parameters), at the same minutes.

Usage:
    python -m experiments.natural --teachers elpv galaxy photos --cases ceiling shaders --minutes 10 --out runs/natural

Writes ``experiments/natural-results.md`` and ``.json`` (rows of other teachers, cases, seeds and budgets kept).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from experiments import HERE, previous, record, spread
from synthkd.export import write_image_folder
from synthkd.natural import NATURAL, PHOTOS, NaturalTeacher, package_dir

STUDENTS = ("wrn16_2", "resnet18_cifar")  # the larger students --student auto may take, screened at equal minutes
CASES = ("ceiling", "ceiling-log", "shaders", "variants", "natural", "dark", "dark-off", "dark-log", "dark-linear",
         "refine", "probe", "variants-probe", "variants-off", "dark-probe", "openworld", "leaves", *STUDENTS)
REFINE_STEPS = 3
OTHER = (("skimage", ("brick.png", "camera.png", "cell.png", "coins.png", "color.png", "grass.png", "gravel.png",
                      "horse.png", "moon.png", "page.png", "text.png", "logo.png", "clock_motion.png",
                      "microaneurysms.png", "motorcycle_right.png")),
         ("matplotlib", ("grace_hopper.jpg", "Minduka_Present_Blue_Pack.png", "logo2.png")))


def write_pictures(pictures: list[np.ndarray], folder: Path) -> Path:
    """Pictures as PNG files in ``folder`` (made once)."""
    if not (folder / "done").is_file():
        folder.mkdir(parents=True, exist_ok=True)
        for i, picture in enumerate(pictures):
            Image.fromarray(picture).save(folder / f"{i:05d}.png")
        (folder / "done").write_text("")
    return folder


def other_pictures() -> list[np.ndarray]:
    """Real pictures of other kinds than any natural teacher's (none of ``PHOTOS``)."""
    used = {name for _, name in PHOTOS}
    out = []
    for package, names in OTHER:
        folder = package_dir(package) / ("data" if package == "skimage" else "mpl-data/sample_data")
        for name in names:
            assert name not in used
            with Image.open(folder / name) as im:
                out.append(np.asarray(im.convert("RGB")))
    return out


def command(t: NaturalTeacher, case: str, seed: int, minutes: float, out: Path, root: Path) -> list[str]:
    eval_dir = write_image_folder(*t.split("test"), out / "eval" / t.name)
    ceiling = ["--source", f"images:{write_pictures(t.pool_images(), out / 'pool' / t.name)}", "--steer", "off",
               *(["--min-scale", "1"] if t.whole else [])]
    dark_off = ["--steer", "dark", "--probe", "off"]
    source = {"ceiling": ceiling, "ceiling-log": [*ceiling, "--student", "resnet8_cifar_log"],
              "openworld": ["--source", f"images:{write_pictures(other_pictures(), out / 'other')}"],
              "leaves": ["--source", "leaves"], "shaders": [], "variants": ["--steer", "variants"],
              "natural": ["--steer", "natural"],
              "dark": ["--steer", "dark"],
              "refine": ["--refine", str(REFINE_STEPS)], "probe": ["--probe", "on"],
              "dark-off": dark_off,
              "variants-probe": ["--steer", "variants", "--probe", "on"],
              "variants-off": ["--steer", "variants", "--probe", "off"],
              "dark-probe": ["--steer", "dark", "--probe", "on"],
              "dark-log": [*dark_off, "--student", "resnet8_cifar_log"],
              "dark-linear": [*dark_off, "--student", "resnet8_cifar"],
              **{name: ["--student", name] for name in STUDENTS}}[case]
    return ["synthkd", "run", "--teacher", t.arch, "--weights", str(t.weights), "--num-classes", str(len(t.classes)),
            "--teacher-normalization", "none", "--size", str(t.size), "--eval", str(eval_dir), *source,
            "--minutes", f"{minutes:g}", "--seed", str(seed), "--out", str(root), "--quiet"]


def run_case(t: NaturalTeacher, case: str, seed: int, minutes: float, out: Path) -> dict[str, Any]:
    """One row: the run's student on the teacher's test split (a finished row is read back)."""
    root = out / f"{t.name}-{case}-m{minutes:g}-seed{seed}"
    done = root / "row.json"
    if done.is_file():
        return json.loads(done.read_text())
    cmd = command(t, case, seed, minutes, out, root)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    summary = json.loads((root / "summary.json").read_text())
    plan, r = summary["plan"], summary["row"]
    row = {"teacher": t.name, "case": case, "seed": seed, "minutes": minutes, "run_over_budget":
           round(r["seconds"]["total"] / (minutes * 60), 3), "student_top1": r["student_top1"],
           "teacher_top1": r["teacher_top1"], "agreement": r["agreement"], "student": summary["student"],
           "steer": plan["steer"], "lever": plan.get("lever"), "pairs_valid": r.get("pairs_valid", 0),
           "pairs_tried": r.get("pairs_tried", 0),
           "ds_images": plan["ds_images"], "dk_images": plan["dk_images"], "epochs": r["epochs"], "steps": r["steps"],
           "relative_entropy_dk": r["relative_entropy_dk"], "measured": plan["measured"],
           "command": " ".join(cmd)}
    done.write_text(json.dumps(row) + "\n")
    print(json.dumps(row), flush=True)
    return row


def ceiling_of(groups: dict[tuple, list[dict[str, Any]]], teacher: str, minutes: float,
               student: str) -> list[dict[str, Any]]:
    """The in-domain ceiling rows a row is measured against: those with the row's student where there are any
    (``ceiling-log`` for a student reading log intensities), else the plain ``ceiling``."""
    plain = groups.get((teacher, minutes, "ceiling"), [])
    return [r for r in plain + groups.get((teacher, minutes, "ceiling-log"), []) if r["student"] == student] or plain


def write_markdown(rows: list[dict[str, Any]], commands: dict[str, str]) -> None:
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault((r["teacher"], r["minutes"], r["case"]), []).append(r)
    lines = ["Each row: `synthkd run` as one process alone on this 2-core CPU; the student measured on the teacher's "
             "real test split (never seen by teacher or student). Agreement: the share of test images on which the "
             "student's class is the teacher's. `x ceiling`: agreement over the in-domain ceiling's at the same "
             "budget, with the same student where the ceiling was measured with it; `x teacher`: top-1 over the "
             "teacher's top-1. Mean ± standard deviation over seeds. The "
             "ceiling of a teacher whose test images are whole pictures (" + ", ".join(
                 t.name for t in NATURAL.values() if t.whole) + ") takes each pool picture whole (`--min-scale 1`); "
             "the others' ceilings crop. Train img/s: the training rate the run measured (the machine's speed: rows "
             "made on different CPUs differ there).", "",
             "| teacher | held out | minutes | case | steering | seeds | student | run / budget | train img/s | "
             "D_K x epochs | rel. entropy D_K | top-1 (x teacher) | agreement (x ceiling) |",
             "|---|---|---:|---|---|---:|---|---:|---:|---:|---:|---:|---:|"]
    notes = sorted({r["note"] for r in rows if "note" in r})  # marked *, **, ... in the table
    for (teacher, minutes, case), members in sorted(groups.items(), key=lambda g: (
            list(NATURAL).index(g[0][0]), g[0][1], CASES.index(g[0][2]))):
        ceiling = ceiling_of(groups, teacher, minutes, members[0]["student"])
        agree = statistics.mean(m["agreement"] for m in members)
        top1 = statistics.mean(m["student_top1"] for m in members)
        x_ceiling = f" ({agree / statistics.mean(c['agreement'] for c in ceiling):.3f})" if ceiling else ""
        steering = members[0]["lever"] or "variants" if members[0]["steer"] else "off"
        lines.append(f"| {teacher} | {'yes' if NATURAL[teacher].held_out else 'no'} | {minutes:g} | {case} | "
                     f"{steering}{'*' * (notes.index(members[0]['note']) + 1) if 'note' in members[0] else ''} | "
                     f"{len(members)} | {members[0]['student']} | "
                     f"{statistics.mean(m['run_over_budget'] for m in members):.3f} | "
                     f"{', '.join(str(round(m['measured']['train_images_per_s'])) for m in members)} | "
                     f"{statistics.mean(m['dk_images'] for m in members):.0f} x "
                     f"{statistics.mean(m['epochs'] for m in members):.0f} | "
                     f"{statistics.mean(m['relative_entropy_dk'] for m in members):.3f} | "
                     f"{spread([m['student_top1'] for m in members])} ({top1 / members[0]['teacher_top1']:.3f}) | "
                     f"{spread([m['agreement'] for m in members])}{x_ceiling} |")
    teachers = [NATURAL[t] for t in dict.fromkeys(r["teacher"] for r in rows)]
    lines += ["", "Teachers (top-1 on their test split): " + "; ".join(
        f"{t.name} {json.loads(t.weights.with_suffix('.json').read_text())['test_accuracy']:.3f} ({t.arch}, "
        f"{t.size} px, {len(t.classes)} classes)" for t in teachers) + ".",
        *(line for i, note in enumerate(notes) for line in ("", "\\*" * (i + 1) + " " + note)),
        "", "Made by:", *(f"- `{c}` ({d})" for c, d in commands.items())]
    (HERE / "natural-results.md").write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m experiments.natural", description=__doc__.split("\n\n")[0])
    p.add_argument("--teachers", nargs="+", choices=tuple(NATURAL), default=list(NATURAL))
    p.add_argument("--cases", nargs="+", choices=CASES, default=["ceiling", "shaders"])
    p.add_argument("--seeds", nargs="+", type=int, default=[0])
    p.add_argument("--minutes", type=float, default=10.0, help="each run's budget")
    p.add_argument("--out", type=Path, default=Path("runs/natural"))
    args = p.parse_args(argv)
    old = previous("natural")
    fresh = {(t, c, s, args.minutes) for t in args.teachers for c in args.cases for s in args.seeds}
    rows = [r for r in old.get("rows", []) if (r["teacher"], r["case"], r["seed"], r["minutes"]) not in fresh]
    for name in args.teachers:
        for case in args.cases:
            for seed in args.seeds:
                rows.append(run_case(NATURAL[name], case, seed, args.minutes, args.out))
                write_markdown(rows, old.get("commands", {}))
    record("natural", argv, rows, old, write_markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
