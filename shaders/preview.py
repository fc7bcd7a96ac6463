"""Look at shader programs before using them: ``python -m synthkd.shaders.preview FILE_OR_DIR... --sheet out.png``.

Prints, per program, whether it compiles (and in which mode), its cost per image, and how many of its
frames the render filters would drop; writes a contact sheet with one row of frames per program.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from synthkd.core.sheet import save_sheet
from synthkd.shaders.corpus import CheckSettings, ShaderSource, check_shaders, load_corpus, probe_times, read_source
from synthkd.shaders.filters import REASONS, FilterSettings, classify


def _sources(paths: list[str]) -> list[ShaderSource]:
    out: list[ShaderSource] = []
    for p in map(Path, paths):
        out += load_corpus([p])[0] if p.is_dir() else [read_source(p, str(p))]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m synthkd.shaders.preview", description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+", help="shader files or directories")
    ap.add_argument("--size", type=int, default=64, help="image size for the sheet and the filter check")
    ap.add_argument("--cost-size", type=int, default=224, help="also measure the cost per image at this size")
    ap.add_argument("--frames", type=int, default=8, help="frames per program")
    ap.add_argument("--sheet", default=None, help="write a contact sheet PNG here")
    args = ap.parse_args(argv)

    sources = _sources(args.paths)
    settings = CheckSettings(size=args.size, probe_frames=args.frames)
    results = check_shaders(sources, settings)
    big = check_shaders([s for s in sources if results[s.sha]["status"] == "ok"],
                        CheckSettings(size=args.cost_size, probe_frames=4)) if args.cost_size else {}

    from synthkd.shaders.gl import create_context
    from synthkd.shaders.render import Draw, TileRenderer

    renderer = TileRenderer(create_context(), args.size)
    rows, failed = [], 0
    for s in sources:
        r = results[s.sha]
        if r["status"] != "ok":
            failed += 1
            print(f"FAIL {s.name}: {r['status']}: {r.get('error', '')}")
            rows.append(np.zeros((args.frames, args.size, args.size, 3), np.uint8))
            continue
        images, bad = renderer.render([Draw(renderer.compile(s.text, r["mode"]), probe_times(settings))])
        codes = classify(images, bad, FilterSettings())
        drops = {REASONS[c]: int((codes == c).sum()) for c in set(codes.tolist()) if c}
        cost_big = f" ms/img@{args.cost_size}={big[s.sha]['ms_per_image']:.2f}" if s.sha in big else ""
        print(f"ok   {s.name}: mode={r['mode']} family={s.header.get('family', '?')} "
              f"ms/img@{args.size}={r['ms_per_image']:.3f}{cost_big} "
              f"kept={int((codes == 0).sum())}/{len(codes)} {drops if drops else ''}")
        rows.append(images)
    if args.sheet:
        save_sheet(args.sheet, np.concatenate(rows), cols=args.frames, cell=max(64, args.size))
        print(f"sheet: {args.sheet}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
