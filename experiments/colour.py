"""Does graying plain renders tell a teacher that reads colour from one that does not, and a fit of dim variants
a teacher of mostly black images?

``synthkd run --steer auto`` picks its grid of variants by these two measures, taken in the run's measure stage on
the first renders of its first chunk. The share of the teacher's answers on plain renders that survive graying them
(``gray_agreement``): a teacher of photographs reads colour and changes most of its answers; one trained on gray
images (digits, electroluminescence, radio maps) keeps more, whatever its channel weights make of colour. For the
teachers that keep more, ``dark_gain``: how much flatter a fitted mixture of the ``dark`` grid's variants makes the
teacher's class histogram than one of ``variants``; a teacher of faint sources on black answers frame-filling
renders with a few classes whatever their variant. For every panel teacher (digits and natural, tuned on and held
out) and a few seeds of the renders, this measures both exactly as a run on a CPU does and says which grid
``--steer auto`` would take.

Usage:
    python -m experiments.colour --seeds 0 1 2

Writes ``experiments/colour-results.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import statistics
from typing import Any

import torch

from experiments import HERE, record
from synthkd.budget import CHUNK, DARK_ABOVE, READS_COLOUR_BELOW, auto_lever
from synthkd.core.tensors import predict
from synthkd.distill.sources import source_of, source_settings
from synthkd.measure import GRAY_SAMPLE, grid_measures
from synthkd.natural import NATURAL
from synthkd.teacher import PANEL


def plain_renders(size: int, seed: int):
    """The renders a run's measure stage grays: the first ``GRAY_SAMPLE`` of its first chunk of plain shaders."""
    settings = source_settings("shaders", {}, n=CHUNK, size=size, seed=seed, chunk_size=CHUNK, quiet=True)
    return source_of("shaders")[0].chunks(settings, None)[0](0, CHUNK)[0][:GRAY_SAMPLE]


def teachers() -> list[dict[str, Any]]:
    """Every panel teacher: its spec and size, whether it was trained on colour images, and whether held out."""
    digits = [{"teacher": f"digits {t.name}", "spec": t.spec, "size": 32, "colour": False, "held_out": t.held_out}
              for t in PANEL.values()]
    natural = [{"teacher": t.name, "spec": t.spec, "size": t.size, "colour": t.images == "photos",
                "held_out": t.held_out} for t in NATURAL.values()]
    return digits + natural


def write_markdown(rows: list[dict[str, Any]], commands: dict[str, str]) -> None:
    lines = [f"What `--steer auto` picks its grid by, per seed of the renders: the share of a teacher's answers on "
             f"{GRAY_SAMPLE} plain shader renders (the first of a run's first chunk, at the teacher's size) that it "
             f"keeps when they are grayed; below {READS_COLOUR_BELOW} it reads colour and is steered with the "
             "`natural` grid. For the others, the dark gain: the relative entropy of the teacher's classes that a "
             "mixture fitted over the `dark` grid reaches on the first of those renders (as many as a run on a CPU "
             f"fits it on), less what one over `variants` reaches; above {DARK_ABOVE} it takes `dark`, else "
             "`variants`. Trained on colour: the teacher's own images are colour photographs.", "",
             "| teacher | held out | trained on colour | gray agreement per seed | dark gain per seed | "
             "`--steer auto` takes |", "|---|---|---|---|---|---|"]
    for r in rows:
        gains = ", ".join(f"{v:+.3f}" for v in r["dark_gain"] if v is not None) or "-"
        lines.append(f"| {r['teacher']} | {'yes' if r['held_out'] else 'no'} | {'yes' if r['colour'] else 'no'} | "
                     f"{', '.join(f'{v:.3f}' for v in r['gray_agreement'])} | {gains} | "
                     f"{', '.join(sorted(set(r['grid'])))} |")
    colour = [v for r in rows if r["colour"] for v in r["gray_agreement"]]
    gray = [v for r in rows if not r["colour"] for v in r["gray_agreement"]]
    lines += ["", f"Gray agreement of the teachers trained on colour: {min(colour):.3f}-{max(colour):.3f} (mean "
              f"{statistics.mean(colour):.3f}); on gray images: {min(gray):.3f}-{max(gray):.3f} (mean "
              f"{statistics.mean(gray):.3f}).", "", "Made by:", *(f"- `{c}` ({d})" for c, d in commands.items())]
    (HERE / "colour-results.md").write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m experiments.colour", description=__doc__.split("\n\n")[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = p.parse_args(argv)
    renders = {(size, seed): plain_renders(size, seed) for size in sorted({t["size"] for t in teachers()})
               for seed in args.seeds}
    rows = []
    for t in teachers():
        model = t["spec"].load(check_size=t["size"])
        measured = [grid_measures(model, images, predict(model, images), t["size"], seed, torch.device("cpu"))
                    for seed in args.seeds for images in [renders[t["size"], seed]]]
        rows.append({"teacher": t["teacher"], "held_out": t["held_out"], "colour": t["colour"], "size": t["size"],
                     "seeds": args.seeds, "gray_agreement": [round(m["gray_agreement"], 4) for m in measured],
                     "dark_gain": [round(m["dark_gain"], 4) if "dark_gain" in m else None for m in measured],
                     "grid": [auto_lever(m) for m in measured]})
        print(rows[-1], flush=True)
    record("colour", argv, rows, {}, write_markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
