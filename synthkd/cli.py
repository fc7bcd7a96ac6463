"""``synthkd``: the umbrella command. Each stage's own command (``render-shaders``, ...) is also a subcommand."""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path

from synthkd.core.cli import Parser, add_options, run, settings_from
from synthkd.core.dataset import open_dataset, verify
from synthkd.core.diversity import dataset_diversity
from synthkd.core.errors import DatasetError
from synthkd.core.merge import merge
from synthkd.core.models import ModelError
from synthkd.core.runtime import process_age
from synthkd.core.settings import UsageError
from synthkd.core.sheet import save_sheet
from synthkd.distill.sources import SOURCES
from synthkd.run import RunSettings
from synthkd.run import run as run_stage

STAGES = {"render-shaders": ("synthkd.shaders.cli", "main"),
          "render-leaves": ("synthkd.procgen.cli", "render_leaves_main"),
          "render-noise": ("synthkd.procgen.cli", "render_noise_main"), "probe": ("synthkd.probe.cli", "main"),
          "distill": ("synthkd.distill.cli", "main"), "export": ("synthkd.export", "main")}


def run_doc() -> str:
    from synthkd import run as module

    return (module.__doc__ or "").split("\n\n")[0]


def main(argv: list[str] | None = None) -> int:
    # As the process's own command, a budget counts the process's start-up and imports; called in-process, from now.
    started = time.monotonic() - process_age() if argv is None else None
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in STAGES:
        module, function = STAGES[argv[0]]
        return getattr(importlib.import_module(module), function)(argv[1:])

    p = Parser(prog="synthkd", description="Synthetic data for knowledge distillation. Stage commands: "
               + ", ".join(STAGES) + " (also runnable as 'synthkd STAGE ...').")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)
    info = sub.add_parser("info", help="print a dataset's description and counts as JSON")
    info.add_argument("dataset", nargs="+", type=Path, help="dataset directory (or its shard directories)")
    info.add_argument("--verify", action="store_true", help="first check every chunk against its checksum (as "
                      "'synthkd verify'); damaged chunks are listed and the exit status is 1")
    ver = sub.add_parser("verify", help="check every chunk of a dataset against its checksum; lists the damaged "
                         "and missing ones (exit status 1); running the command that made it again repairs them")
    ver.add_argument("dataset", nargs="+", type=Path, help="dataset directory (or its shard directories)")
    m = sub.add_parser("merge", help="join shard directories into one dataset directory")
    m.add_argument("out", type=Path, help="new dataset directory")
    m.add_argument("shards", nargs="+", type=Path, help="shard directories, any order")
    sheet = sub.add_parser("sheet", help="write a contact sheet PNG of a dataset's first images")
    sheet.add_argument("dataset", type=Path)
    sheet.add_argument("png", type=Path)
    sheet.add_argument("--count", type=int, default=128)
    sheet.add_argument("--cols", type=int, default=16)
    sheet.add_argument("--start", type=int, default=0)
    sheet.add_argument("--step", type=int, default=1, help="take every STEP-th image")
    div = sub.add_parser("diversity", help="compare how varied datasets are (mean pairwise descriptor distance)")
    div.add_argument("datasets", nargs="+", type=Path, help="dataset directories")
    div.add_argument("--sample", type=int, default=512, help="images drawn (seeded) from each dataset")
    div.add_argument("--by", default=None, metavar="FIELD",
                     help="also split each dataset by this metadata field (e.g. 'source' for corpus vs synth)")
    demo = sub.add_parser("demo", help="synthkd run on the built-in digits teacher: render, balance, distill, "
                          "evaluate on real held-out digits, report")
    demo.add_argument("--out", type=Path, default=Path("runs/demo"), help="run directory (a re-run resumes)")
    demo.add_argument("--minutes", type=float, default=10.0, help="time budget per source")
    demo.add_argument("--sources", nargs="+", choices=tuple(n for n, s in SOURCES.items() if s.argument is None),
                      default=["shaders"],
                      help="the data to compare (each gets --minutes)")
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument("--quiet", action="store_true")
    models = sub.add_parser("models", help="list the model names --teacher and --student take, with their "
                            "parameter counts and native input sizes")
    models.add_argument("pattern", nargs="?", default="*", help="a glob on the names, e.g. 'wrn*' or '*resnet*'")
    models.add_argument("--source", action="append", choices=("registry", "torchvision", "timm"),
                        help="where to look (repeatable; default: synthkd's registry)")
    runp = sub.add_parser("run", help="the whole method for your teacher, sized to a time budget: measure, render "
                          "(steered), balance, distill, report", description=run_doc())
    add_options(runp, RunSettings)
    rep = sub.add_parser("report", help="write RUN/report.html (self-contained) for a run or demo directory")
    rep.add_argument("run", type=Path)
    rep.add_argument("--screenshot", action="store_true", help="also render it to RUN/report.png (needs chromium)")
    args = p.parse_args(argv)

    def body() -> int:
        if args.command in ("info", "verify"):
            path = args.dataset[0] if len(args.dataset) == 1 else args.dataset
            checked = verify(path) if args.command == "verify" or args.verify else None
            if checked is not None and (checked["bad"] or args.command == "verify"):
                return report_verified(checked)
            ds = open_dataset(path)
            header = {k: v for k, v in ds.header.items() if k not in ("settings", "derived")}
            verified = {"verified": {k: checked[k] for k in ("chunks", "ok", "no_checksum")}} if checked else {}
            print(json.dumps({**header, "count": len(ds), "fingerprint": ds.fingerprint, **ds.summary(), **verified},
                             indent=1))
        elif args.command == "diversity":
            rows = []
            for path in args.datasets:
                ds = open_dataset(path)
                value, n = dataset_diversity(ds, args.sample)
                rows.append({"dataset": str(path), "generator": ds.generator, "part": "all", "images": n,
                             "diversity": round(value, 4)})
                if args.by:
                    values = {m.get(args.by) for k in range(ds.num_chunks) for m in ds.chunk_metas(k)} - {None}
                    for part in sorted(values, key=str):
                        value, n = dataset_diversity(ds, args.sample, where=lambda m, v=part: m.get(args.by) == v)
                        rows.append({"dataset": str(path), "generator": ds.generator, "part": f"{args.by}={part}",
                                     "images": n, "diversity": round(value, 4)})
            for r in rows:
                print(f"{r['diversity']:>8.4f}  {r['generator']:<8} {r['part']:<16} {r['images']:>6} images  "
                      f"{r['dataset']}")
            print(json.dumps(rows))
        elif args.command == "models":
            from synthkd.core.models import list_models

            found = list_models(args.pattern, args.source or ["registry"])
            if not found:
                raise UsageError(f"no model name matches {args.pattern!r} in {', '.join(args.source or ['registry'])}")
            for m in found:
                print(f"{m.name:<28} {m.parameters / 1e6:>9.3f} M params  {m.input_size:>4} px  {m.about}")
        elif args.command == "demo":
            from synthkd.demo import demo, table

            result = demo(args.out, args.minutes, tuple(args.sources), args.seed, args.quiet,
                          started=started)
            print(table(result["rows"]))
            print(f"report: {args.out / 'report.html'}")
            print(json.dumps({k: result[k] for k in ("rows", "seconds")}))
        elif args.command == "run":
            return run_stage(settings_from(RunSettings, args), started=started)
        elif args.command == "report":
            from synthkd.report import write_report

            if not any((args.run / name).is_file() for name in ("demo.json", "summary.json")):
                raise UsageError(f"{args.run} holds no demo.json or summary.json: not a synthkd run")
            print(write_report(args.run, args.screenshot))
        elif args.command == "merge":
            out = merge(args.out, args.shards)
            print(f"merged {len(args.shards)} shards into {out} ({len(open_dataset(out))} images)")
        else:
            ds = open_dataset(args.dataset)
            images = ds.images(args.start, args.start + args.count * args.step)[:: args.step]
            save_sheet(args.png, images, cols=args.cols, cell=max(48, ds.image_size))
            print(args.png)
        return 0

    return run("synthkd", body, (DatasetError, ModelError), getattr(args, "quiet", False), argv)


def report_verified(checked: dict) -> int:
    """Print what :func:`synthkd.core.dataset.verify` found: a line per damaged file, then the counts as JSON;
    returns the exit status (1 if anything is damaged or missing)."""
    for file, problem in checked["bad"]:
        print(f"{file}: {problem}")
    print(json.dumps({k: checked[k] for k in ("chunks", "ok", "no_checksum", "incomplete")}
                     | {"bad": len(checked["bad"])}))
    if checked["bad"]:
        print("synthkd verify: run the command that made the dataset again to repair it", file=sys.stderr)
    return 1 if checked["bad"] else 0


if __name__ == "__main__":
    sys.exit(main())
