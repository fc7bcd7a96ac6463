"""Benchmark of the probe stage's class histogram figure (``histogram.png``) against a bar per class, in one run.

(a) the baseline: the same stacked figure of three histograms with one matplotlib bar per class; (b)
:func:`synthkd.probe.plots.save_histograms` as it is (bars up to 100 classes, one filled outline above). Both write
a PNG of the same random counts; they alternate over rounds and each figure is the median. Class counts: 10 (where
both draw bars) and 1,000 (an ImageNet-shaped teacher). Prints a table and ends with one JSON line.

Usage: python -m benchmarks.histogram [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from synthkd.probe.plots import save_histograms


def bars(path: Path, histograms: dict[str, list[int]]) -> None:
    """The baseline: the same figure with a bar per class at every class count."""
    save_histograms(path, histograms, bars_up_to=sys.maxsize)


def seconds(draw, path: Path, histograms: dict[str, list[int]]) -> float:
    clock = time.perf_counter()
    draw(path, histograms)
    return time.perf_counter() - clock


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.histogram", description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    rng = np.random.default_rng(0)
    result = {}
    with tempfile.TemporaryDirectory() as tmp:
        for classes in (10, 1000):
            histograms = {name: rng.integers(0, 60, classes).tolist() for name in ("D_S", "D_K", "D_K + pairs")}
            times: dict[str, list[float]] = {"bars": [], "now": []}
            for _ in range(args.rounds):
                times["bars"].append(seconds(bars, Path(tmp) / "bars.png", histograms))
                times["now"].append(seconds(save_histograms, Path(tmp) / "now.png", histograms))
            med = {k: statistics.median(v) for k, v in times.items()}
            result[f"classes_{classes}"] = {"bars_s": round(med["bars"], 3), "now_s": round(med["now"], 3),
                                            "speedup": round(med["bars"] / med["now"], 2)}
            print(f"{classes:>5} classes: a bar per class {med['bars']:.2f} s, now {med['now']:.2f} s "
                  f"({med['bars'] / med['now']:.1f} x)")
    print(json.dumps({"benchmark": "histogram", "rounds": args.rounds, **result}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
