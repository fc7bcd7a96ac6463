"""``synthkd demo``: the whole method on a fresh machine, with no data of your own.

The built-in teacher (a small wide ResNet trained on scikit-learn's handwritten digits, ``synthkd.teacher``)
plays the user's teacher, and the demo is ``synthkd run`` on it: for each source asked for (shader renders by
default; Leaves and noise to compare) it measures the machine, renders steered data, lets the teacher balance
it, distills a fresh student within the time budget and measures the student on the real held-out digits the
teacher never showed it. Everything lands in one directory: a run per source, ``demo.json`` with the figures,
and ``report.html``.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from synthkd.core.files import write_json
from synthkd.digits import digits
from synthkd.distill.schedule import Clock
from synthkd.distill.sources import SOURCES
from synthkd.export import write_image_folder
from synthkd.plan import Measure
from synthkd.run import RunSettings, run
from synthkd.teacher import BUILTIN

log = logging.getLogger(__name__)


def write_digits_test(out: Path) -> Path:
    """The held-out digits as an ImageFolder (``out/0 .. out/9``, PNG): real labelled data for ``--eval``."""
    return write_image_folder(*digits("test"), out)


def demo(out: Path, minutes: float = 10.0, sources: tuple[str, ...] = ("shaders",), seed: int = 0,
         quiet: bool = False, clock: Clock = time.monotonic, measure: Measure | None = None,
         started: float | None = None) -> dict[str, Any]:
    """``synthkd run`` on the built-in teacher, ``minutes`` per source, into ``out`` (a re-run resumes), and the
    report (``clock``, ``measure``, ``started``: as :func:`synthkd.run.run` takes them; the first source's budget
    counts from ``started``)."""
    from synthkd.report import write_report

    clock_demo = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    eval_dir = write_digits_test(out / "digits-test")
    rows = []
    for source in sources:
        log.info("== %s: synthkd run, %g minutes", source, minutes)
        run(RunSettings(teacher=BUILTIN.spec, out=out / source, minutes=minutes, source=source, eval_dir=eval_dir,
                        seed=seed, quiet=quiet), clock, measure, started if source == sources[0] else None)
        rows.append({**json.loads((out / source / "summary.json").read_text())["row"], "run": source})
    result = {"kind": "demo", "minutes": minutes, "seed": seed, "teacher": BUILTIN.info(), "rows": rows,
              "chance": 0.1, "seconds": round(time.perf_counter() - clock_demo, 1)}
    write_json(out / "demo.json", result)
    write_report(out)
    return result


def table(rows: list[dict[str, Any]]) -> str:
    """The demo's figures as a plain-text table."""
    lines = [f"{'source':<10}{'student top-1':>15}{'teacher top-1':>15}{'agreement':>11}{'rel.ent. D_S':>14}"
             f"{'D_K x epochs':>14}{'seconds':>9}"]
    for r in rows:
        lines.append(f"{r['source']:<10}{r['student_top1']:>15.3f}{r['teacher_top1']:>15.3f}{r['agreement']:>11.3f}"
                     f"{r['relative_entropy_ds']:>14.3f}{r['train_images']:>8} x {r['epochs']:<3}"
                     f"{r['seconds']['total']:>9.0f}")
    return "\n".join(lines)


__all__ = ["SOURCES", "demo", "table", "write_digits_test"]
