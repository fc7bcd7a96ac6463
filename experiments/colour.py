"""Does graying plain renders tell a teacher that reads colour from one that does not?

``synthkd run --steer auto`` picks its grid of variants by this: the share of the teacher's answers on plain
renders that survive graying them (``gray_agreement``, timed in the run's measure stage on the first 256 renders
of its first chunk). A teacher of photographs reads colour and changes most of its answers; one trained on gray
images (digits, electroluminescence, radio maps) keeps more, whatever its channel weights make of colour. For every
panel teacher (digits and natural, tuned on and held out) and a few seeds of the renders, this measures the share
exactly as a run does and says which grid ``--steer auto`` would take.

Usage:
    python -m experiments.colour --seeds 0 1 2

Writes ``experiments/colour-results.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import statistics
from typing import Any

from experiments import HERE, record
from synthkd.budget import CHUNK, READS_COLOUR_BELOW, auto_lever
from synthkd.core.steer import gray_agreement
from synthkd.core.tensors import predict
from synthkd.distill.sources import source_of, source_settings
from synthkd.measure import GRAY_SAMPLE
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
    lines = [f"The share of a teacher's answers on {GRAY_SAMPLE} plain shader renders (the first of a run's first "
             "chunk, at the teacher's size) that it keeps when they are grayed, per seed of the renders. "
             f"`--steer auto` steers with the `natural` grid below {READS_COLOUR_BELOW} (it reads colour), else "
             "with `variants`. Trained on colour: the teacher's own images are colour photographs.", "",
             "| teacher | held out | trained on colour | gray agreement per seed | range | `--steer auto` takes |",
             "|---|---|---|---|---:|---|"]
    for r in rows:
        lines.append(f"| {r['teacher']} | {'yes' if r['held_out'] else 'no'} | {'yes' if r['colour'] else 'no'} | "
                     f"{', '.join(f'{v:.3f}' for v in r['gray_agreement'])} | "
                     f"{min(r['gray_agreement']):.3f}-{max(r['gray_agreement']):.3f} | "
                     f"{', '.join(sorted(set(r['grid'])))} |")
    colour = [v for r in rows if r["colour"] for v in r["gray_agreement"]]
    gray = [v for r in rows if not r["colour"] for v in r["gray_agreement"]]
    lines += ["", f"Teachers trained on colour: {min(colour):.3f}-{max(colour):.3f} (mean "
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
        shares = []
        for seed in args.seeds:
            images = renders[t["size"], seed]
            shares.append(round(gray_agreement(model, images, predict(model, images)), 4))
        rows.append({"teacher": t["teacher"], "held_out": t["held_out"], "colour": t["colour"], "size": t["size"],
                     "seeds": args.seeds, "gray_agreement": shares,
                     "grid": [auto_lever({"gray_agreement": v}) for v in shares]})
        print(rows[-1], flush=True)
    record("colour", argv, rows, {}, write_markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
