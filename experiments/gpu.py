"""The GPU pipeline at ImageNet shape, as one script for a lent GPU machine: where the time goes, step by step.

1. ``benchmarks.render`` at 32, 64, 128 and 224 px: render-shaders cold and warm, against a naive loop and the
   raster limit;
2. ``render-shaders`` of D_S at 224 px, then ``probe`` with a 1,000-class ``resnet50`` (seeded random weights:
   nothing is downloaded) balancing it and probing a tenth of D_K for boundary pairs;
3. ``distill`` ``resnet50`` -> ``resnet18`` at 224 px (bf16 and channels_last, the defaults on a GPU) for a fixed
   time;
4. ``synthkd run --minutes 5`` with the 1,000-class ``resnet50`` at 224 px.

Each step runs as its own process, timed from outside, with the GPU's utilisation sampled every 200 ms by
``nvidia-smi`` (mean and share of samples above 50 %) where there is one. ``--quick`` makes every step tiny and runs
on a CPU too: it checks the script itself, and writes no results.

Usage:
    python -m experiments.gpu --out $OUT            (on the GPU machine; about 8 minutes)
    python -m experiments.gpu --quick --out /tmp/g  (anywhere, a smoke run)

Writes ``experiments/gpu-results.md`` and ``.json``, with copies and each step's log under --out.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from experiments import HERE, command_of, publish
from experiments.scale import random_weights

SIZE = 224


class Utilisation:
    """``nvidia-smi`` sampled every 200 ms in the background: the GPU's utilisation in %, sample by sample."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self.proc = None
        if shutil.which("nvidia-smi"):
            self.proc = subprocess.Popen(["nvidia-smi", "--query-gpu=utilization.gpu", "--format=csv,noheader,nounits",
                                          "-lms", "200"], stdout=subprocess.PIPE, text=True)
            threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            if line.strip().isdigit():
                self.samples.append(float(line))

    def stop(self) -> dict[str, Any]:
        if self.proc is None:
            return {"gpu": None}
        self.proc.terminate()
        self.proc.wait()
        s = self.samples or [0.0]
        return {"gpu_util_mean": round(sum(s) / len(s), 1), "gpu_busy_share": round(sum(v > 50 for v in s) / len(s), 3)}


def step(name: str, cmd: list[str], out: Path, images: int | None = None) -> dict[str, Any]:
    """Run ``cmd``, timed, with the GPU sampled; its output goes to ``out/NAME.log``."""
    util = Utilisation()
    clock = time.monotonic()
    with open(out / f"{name}.log", "w") as log:
        code = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT).returncode
    seconds = time.monotonic() - clock
    row = {"step": name, "exit": code, "seconds": round(seconds, 1), **util.stop(), "command": " ".join(cmd)}
    if images:
        row["images_per_s"] = round(images / seconds, 1)
    print(json.dumps(row), flush=True)
    return row


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m experiments.gpu", description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--quick", action="store_true", help="tiny steps, on any machine: checks the script")
    args = p.parse_args(argv)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    n, minutes, run_minutes = (128, 0.2, 1.5) if args.quick else (32_768, 1.5, 5.0)
    size = 64 if args.quick else SIZE
    weights = str(random_weights("resnet50", out / "resnet50-random.pt"))
    teacher = ["--teacher", "resnet50", "--weights", weights, "--num-classes", "1000"]
    py = [sys.executable, "-m"]
    rows = [step("render-benchmark", [*py, "benchmarks.render", "--sizes", "32,64" if args.quick else
                                      "32,64,128,224", *(["--quick"] if args.quick else [])], out),
            step("render-shaders", ["render-shaders", "--n", str(n), "--size", str(size), "--out",
                                    str(out / "ds"), "--quiet"], out, n),
            step("probe", ["probe", "--data", str(out / "ds"), "--out", str(out / "dk"), *teacher, "--total",
                           str(n // 2), "--probe-fraction", "0.1", "--quiet"], out, n),
            step("distill", ["distill", "--data", str(out / "dk"), "--out", str(out / "student"), *teacher,
                             "--student", "resnet18", "--minutes", str(minutes), "--quiet",
                             *(["--batch-size", "32"] if args.quick else [])], out),
            step("run", ["synthkd", "run", *teacher, "--size", str(size), "--minutes", str(run_minutes), "--out",
                         str(out / "run"), "--quiet"], out)]
    for name in ("student", "run/student"):
        metrics = out / name / "metrics.jsonl"
        if metrics.is_file():
            last = json.loads(metrics.read_text().splitlines()[-1])
            rows.append({"step": f"{name} (last epoch)", **{k: last[k] for k in ("images_per_s", "seconds")
                                                           if k in last}})
    record = {"rows": rows, "quick": args.quick, "command": command_of("experiments.gpu", argv)}
    lines = ["# The GPU pipeline at 224 px", "", f"`{record['command']}`", "", "| step | exit | seconds | images/s | "
             "GPU mean % | share > 50 % |", "|---|---:|---:|---:|---:|---:|"]
    lines += [f"| {r['step']} | {r.get('exit', '')} | {r.get('seconds', '')} | {r.get('images_per_s', '')} | "
              f"{r.get('gpu_util_mean', '')} | {r.get('gpu_busy_share', '')} |" for r in rows]
    if args.quick:  # a check of the script: its figures are not results
        print("\n".join(lines))
        return 0
    (HERE / "gpu-results.md").write_text("\n".join(lines) + "\n")
    publish("gpu", record)
    for suffix in ("md", "json"):  # a lent machine sends back only what is under --out
        if out.resolve() != HERE.resolve():
            shutil.copy(HERE / f"gpu-results.{suffix}", out / f"gpu-results.{suffix}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
