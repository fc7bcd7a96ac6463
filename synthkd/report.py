"""``synthkd report RUN``: one self-contained HTML page for a demo or experiment run.

It shows the results table, and per synthetic source: a contact sheet of D_S, the teacher's class histograms
before and after balancing (with relative entropies), the per-class sheet of D_K, the boundary pairs
(Fig. 3 style) and the student's learning curves. Pictures are embedded (base64 PNG), so the one file
can be mailed or archived; the learning curves are also written as PNGs beside it.
``--screenshot`` renders the page with headless Chromium into ``report.png``, to check it looks right.
"""

from __future__ import annotations

import base64
import html
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from synthkd.core.files import atomic_write

CSS = """body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .7em;text-align:right}
th{background:#f0f0f0}td:first-child{text-align:left}img{max-width:100%;image-rendering:pixelated}
.row{display:flex;gap:1.5em;flex-wrap:wrap;align-items:flex-start}.row figure{margin:0;flex:1 1 300px}
figcaption{font-size:.85em;color:#555}h2{border-bottom:1px solid #ddd;padding-bottom:.2em}"""

COLUMNS = (("source", "source", "{}"), ("student_top1", "student top-1 (held-out digits)", "{:.3f}"),
           ("teacher_top1", "teacher top-1", "{:.3f}"), ("agreement", "student-teacher agreement", "{:.3f}"),
           ("relative_entropy_ds", "rel. entropy D_S", "{:.3f}"), ("relative_entropy_dk", "rel. entropy D_K", "{:.3f}"))


def _img(path: Path, caption: str) -> str:
    if not path.is_file():
        return f"<figure><figcaption>{html.escape(caption)}: (missing {html.escape(path.name)})</figcaption></figure>"
    data = base64.b64encode(path.read_bytes()).decode()
    return (f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")


def learning_curves(metrics: Path, png: Path) -> Path | None:
    """Loss and accuracies per epoch from a distill run's ``metrics.jsonl``."""
    if not metrics.is_file():
        return None
    rows = [json.loads(line) for line in metrics.read_text().splitlines() if line.strip()]
    if not rows:
        return None
    epochs = [r["epoch"] for r in rows]
    fig = Figure(figsize=(8, 2.8))  # not pyplot's: nothing global is left open if drawing fails
    left, right = fig.subplots(1, 2)
    left.plot(epochs, [r.get("loss") for r in rows], marker="o", ms=3)
    left.set_title("KD loss", fontsize=9)
    for key in ("eval_student_top1", "eval_agreement", "holdout_agreement", "effective_relative_entropy"):
        if key in rows[0]:
            right.plot(epochs, [r[key] for r in rows], marker="o", ms=3, label=key.replace("_", " "))
    right.set_ylim(0, 1)
    right.set_title("student", fontsize=9)
    right.legend(fontsize=7)
    for ax in (left, right):
        ax.set_xlabel("epoch", fontsize=8)
        ax.tick_params(labelsize=7)
    fig.tight_layout()
    fig.savefig(png, dpi=100)
    return png


def budget_chart(plan: dict[str, Any], png: Path) -> Path | None:
    """Where a ``synthkd run``'s budget went (seconds per stage against the budget), and how its timed schedule
    moved (training progress, which sets the learning rate, against the steps taken)."""
    seconds, training = plan.get("seconds", {}), plan.get("training", {})
    if not seconds or "points" not in training:
        return None
    fig = Figure(figsize=(8, 2.2))
    left, right = fig.subplots(1, 2)
    start = 0.0
    for stage, colour in (("measure", "#999"), ("data", "#4a90d9"), ("train", "#e8912d")):
        width = seconds.get(stage, 0.0)
        left.barh(0, width, left=start, color=colour, label=f"{stage} {width:.0f} s")
        start += width
    left.axvline(plan["budget_seconds"], color="k", lw=1)
    left.text(plan["budget_seconds"], 0.45, " budget", fontsize=7, va="bottom")
    left.set_yticks([])
    left.set_xlabel("seconds", fontsize=8)
    left.legend(fontsize=7, loc="lower left", ncol=3, frameon=False, bbox_to_anchor=(0, 1.02))
    steps = [p[0] for p in training["points"]] + [training.get("steps", 0)]
    progress = [p[1] for p in training["points"]]
    right.step(steps, progress + progress[-1:], where="post")
    right.set_xlabel("training step", fontsize=8)
    right.set_title("schedule progress (learning rate = half cosine of it)", fontsize=8)
    for ax in (left, right):
        ax.tick_params(labelsize=7)
    fig.tight_layout()
    fig.savefig(png, dpi=100)
    return png


def results_table(rows: list[dict[str, Any]]) -> str:
    head = "".join(f"<th>{html.escape(title)}</th>" for _, title, _ in COLUMNS) + "<th>seconds</th>"
    body = []
    for r in rows:
        cells = "".join(f"<td>{fmt.format(r[key]) if r.get(key) is not None else '-'}</td>"
                        for key, _, fmt in COLUMNS)
        seconds = ", ".join(f"{k} {v:.0f}" for k, v in r.get("seconds", {}).items())
        body.append(f"<tr>{cells}<td>{html.escape(seconds)}</td></tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def write_report(run: Path, screenshot: bool = False) -> Path:
    """Write ``run/report.html`` for a ``synthkd run`` directory (``summary.json``) or a demo directory
    (``demo.json``, one run per source); returns its path."""
    run = Path(run)
    meta_path = run / "demo.json" if (run / "demo.json").is_file() else run / "summary.json"
    if not meta_path.is_file():
        raise FileNotFoundError(f"{run} holds no demo.json or summary.json: not a synthkd run")
    meta = json.loads(meta_path.read_text())
    rows = meta["rows"] if "rows" in meta else [{**meta["row"], "paths": meta["row"]["paths"]}]
    parts = [f"<h1>synthkd {html.escape(meta.get('kind', 'run'))}: {html.escape(run.name)}</h1>",
             f"<p>{html.escape(_about(meta))}</p>", "<h2>Results</h2>", results_table(rows)]
    if "plan" in meta:
        parts.append(f"<p>Plan: {html.escape(meta['plan']['why'])}.</p>")
    for r in rows:
        base = run / r["run"] if "run" in r else run
        paths = {k: base / v for k, v in r.get("paths", {}).items()}
        name = r["source"].partition(":")[0]  # images:DIR -> images
        curves = learning_curves(paths["student"] / "metrics.jsonl", run / f"curves-{name}.png")
        plan_path = base / "plan.json"
        budget = budget_chart(json.loads(plan_path.read_text()), run / f"budget-{name}.png") \
            if plan_path.is_file() else None
        steer = json.loads((paths["data"] / "dataset.json").read_text()).get("derived") or {}
        steer_note = (f" The generator was steered towards the teacher's rare classes (relative entropy of plain "
                      f"images {steer['steer']['identity_relative_entropy']:.3f}, of the steered mix "
                      f"{steer['steer']['expected_relative_entropy']:.3f}"
                      f"{f', over {g} blocks of classes' if (g := steer['steer'].get('pilot_groups')) else ''})."
                      if "steer" in steer else "")
        parts += [f"<h2>{html.escape(r['source'])}</h2>",
                  f"<p>D_S relative entropy {r['relative_entropy_ds']:.3f} &rarr; D_K {r['relative_entropy_dk']:.3f};"
                  f" boundary pairs {r['pairs_valid']} of {r['pairs_tried']} probed examples.{steer_note}</p>",
                  '<div class="row">', _img(paths["data"] / "preview.png", "D_S: the first rendered images"),
                  _img(paths["dk"] / "histogram.png", "teacher class histograms"), "</div>",
                  '<div class="row">', _img(paths["dk"] / "classes.png", "D_K by teacher class"),
                  _img(paths["dk"] / "pairs.png", "boundary pairs") if (paths["dk"] / "pairs.png").is_file() else "",
                  "</div>",
                  _img(curves, "learning curves") if curves else "<p>(no learning curves)</p>",
                  _img(budget, "where the budget went, and the timed schedule") if budget else ""]
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>synthkd report</title><style>{CSS}</style>"
            f"</head><body>{''.join(parts)}</body></html>")
    out = run / "report.html"
    atomic_write(out, lambda f: f.write(page.encode()))
    if screenshot:
        take_screenshot(out, run / "report.png")
    return out


def _about(meta: dict[str, Any]) -> str:
    """One sentence on the teacher and the budget."""
    teacher = meta.get("teacher", {})
    seconds = meta.get("seconds", 0)
    total = seconds.get("total", sum(seconds.values())) if isinstance(seconds, dict) else seconds
    if meta.get("kind") == "run":
        return (f"Teacher {teacher.get('spec')} ({teacher.get('weights')}); student {meta.get('student')}; source "
                f"{meta.get('source')}; budget {meta.get('minutes'):g} minutes; total time {total:.0f} s.")
    return (f"Teacher {teacher.get('teacher')}, test accuracy {teacher.get('test_accuracy', float('nan')):.3f} on "
            f"held-out digits; chance is {meta.get('chance', 0.1):.2f}. {_budget(meta)}Total time {total:.0f} s.")


def _budget(meta: dict[str, Any]) -> str:
    """The demo's budget: minutes per source (today's demo) or the sizes of older demos."""
    if "minutes" in meta:
        return f"Budget: {meta['minutes']:g} minutes per source. "
    return f"Budget: {json.dumps(meta['budget'])}. " if meta.get("budget") else ""


def chromium() -> str | None:
    return next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)


def take_screenshot(page: Path, png: Path, width: int = 1200, height: int = 2400) -> Path:
    """Render ``page`` with headless Chromium (Debian: ``apt-get install chromium``) into ``png``."""
    exe = chromium()
    if exe is None:
        raise FileNotFoundError("no chromium on PATH (Debian: apt-get install chromium)")
    subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--window-size={width},{height}", f"--screenshot={png}", page.resolve().as_uri()],
                   check=True, capture_output=True, timeout=120)
    return png
