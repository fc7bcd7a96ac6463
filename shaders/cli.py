"""``render-shaders``: render a shader corpus into a dataset directory (D_S)."""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from synthkd.core.cli import (
    Parser,
    UsageError,
    finish,
    float_range,
    int_at_least,
    positive_int,
    progress,
    resolve_shard,
    run,
    write_chunks,
)
from synthkd.core.dataset import DatasetError, DatasetWriter, atomic_write
from synthkd.shaders.corpus import (
    BUILTIN_CORPUS,
    CheckSettings,
    CorpusError,
    ShaderSource,
    check_shaders_cached,
    load_corpus,
    mark_slow,
    read_source,
)
from synthkd.shaders.filters import FilterSettings
from synthkd.shaders.generate import TIME_SAMPLING, RenderError, RenderSettings, UsedShader, render_chunk
from synthkd.shaders.gl import BACKENDS, GLUnavailable, create_context, describe
from synthkd.shaders.render import CompileError, TileRenderer
from synthkd.shaders.synth import GRAMMAR, program_seeds, synthesize
from synthkd.shaders.twigl import MAX_TILES_PER_DRAW

PROG = "render-shaders"
MIN_SIZE, MAX_SIZE = 8, 1024


def build_parser() -> Parser:
    p = Parser(prog=PROG, description="Render GLSL shader programs (TwiGL modes or Shadertoy) headlessly into "
               "a dataset directory of images, dropping constant, two-colour, mostly-empty and NaN renders. "
               "Deterministic for a given seed; re-running the same command resumes a killed run.")
    p.add_argument("--n", "--num-images", dest="n", type=positive_int, default=50000,
                   help="number of images to write (spell it --num-images after torchrun, whose own options "
                        "make '--n' ambiguous)")
    p.add_argument("--size", type=int, default=32, help=f"image width and height in pixels ({MIN_SIZE}..{MAX_SIZE})")
    p.add_argument("--out", type=Path, default=Path("data/shaders"), help="dataset directory to create or resume")
    p.add_argument("--seed", type=int_at_least(0), default=0, help="seed for shader order and time steps (0 or more)")
    p.add_argument("--corpus", action="append", type=Path, default=None,
                   help=f"directory of shader files (*.glsl, *.frag, *.fs); repeatable [default: {BUILTIN_CORPUS}]")
    p.add_argument("--synth", type=int_at_least(0), default=0, metavar="K",
                   help="also write K new programs with the shader synthesizer (shaders.synth; seeds derived from "
                        "--seed) into OUT/synth/synth-SEED.glsl, check them like the corpus (failures are "
                        "skipped and counted) and render them mixed with the corpus")
    p.add_argument("--synth-share", type=_share, default=argparse.SUPPRESS, metavar="F",
                   help="fraction of shader visits that use synthesized programs [default: K / (K + corpus size), "
                        "in proportion to the number of programs]; 1 renders synthesized programs only and "
                        "loads no corpus (then --corpus is refused)")
    p.add_argument("--frames", type=int, default=8,
                   help=f"images per shader visit, at different time steps (1..{MAX_TILES_PER_DRAW})")
    p.add_argument("--time-range", type=float_range, default=(0.1, 10.0), metavar="LO:HI",
                   help="time steps are taken in this interval (seconds), cyclically")
    p.add_argument("--time-sampling", choices=TIME_SAMPLING, default="even",
                   help="'even': the frames of a visit are evenly spread over the interval with a random phase; "
                        "'random': independent uniform times")
    p.add_argument("--shard", default=None, metavar="I/N",
                   help="render only the I-th of N equal parts (under torchrun: one part per rank, "
                        "written to OUT/shard-RANK-of-WORLD)")
    p.add_argument("--backend", choices=BACKENDS, default="egl",
                   help="'egl': headless (Mesa llvmpipe on CPU, the GPU on servers); 'glfw': hidden window "
                        "(needs a display, e.g. xvfb-run)")
    p.add_argument("--device-index", type=int, default=None,
                   help="EGL device to render on [default: LOCAL_RANK under torchrun, else 0]")
    p.add_argument("--chunk-size", type=positive_int, default=1024,
                   help="images per chunk file (the unit of resuming and sharding)")
    p.add_argument("--min-range", type=int, default=FilterSettings.min_range,
                   help="drop renders whose every channel spans fewer 8-bit levels ('constant')")
    p.add_argument("--min-foreground", type=float, default=FilterSettings.min_foreground,
                   help="drop renders with fewer pixels than this fraction off their dominant colour")
    p.add_argument("--slow-factor", type=float, default=25.0,
                   help="skip shaders costing more than this many times the median shader per image "
                        "(0 keeps all)")
    p.add_argument("--shader-timeout", type=float, default=20.0,
                   help="seconds a shader may take to compile and render its test frames before it is "
                        "skipped as hung")
    p.add_argument("--recheck", action="store_true",
                   help="check every shader again instead of reusing this machine's earlier verdicts")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run(PROG, lambda: render_shaders(args),
               (DatasetError, CorpusError, GLUnavailable, RenderError, CompileError))


def render_shaders(args) -> int:
    start = time.perf_counter()
    if not MIN_SIZE <= args.size <= MAX_SIZE:
        raise UsageError(f"--size must be in {MIN_SIZE}..{MAX_SIZE}, got {args.size}")
    if not 1 <= args.frames <= MAX_TILES_PER_DRAW:
        raise UsageError(f"--frames must be in 1..{MAX_TILES_PER_DRAW}, got {args.frames}")
    try:
        filters = FilterSettings(args.min_range, args.min_foreground)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.shader_timeout <= 0:
        raise UsageError(f"--shader-timeout must be positive, got {args.shader_timeout}")
    share = getattr(args, "synth_share", None)  # None: in proportion to the number of programs
    if share is not None and share > 0 and args.synth == 0:
        raise UsageError(f"--synth-share {share:g} needs synthesized programs: add --synth K with K >= 1")
    synth_only = args.synth > 0 and share == 1.0
    if synth_only and args.corpus:
        raise UsageError("--synth-share 1 renders synthesized programs only: drop --corpus")
    shard, out = resolve_shard(args.shard, args.out)
    corpus, duplicates = ([], 0) if synth_only else load_corpus(args.corpus or [BUILTIN_CORPUS])
    if share is None:
        share = args.synth / (args.synth + len(corpus))
    settings = RenderSettings(seed=args.seed, frames=args.frames, time_range=tuple(args.time_range),
                              time_sampling=args.time_sampling, chunk_size=args.chunk_size, filters=filters,
                              synth_share=share)
    identity = {
        "generator": "shaders", "total": args.n, "image_size": args.size, "seed": args.seed,
        "chunk_size": args.chunk_size,
        "settings": {"frames": args.frames, "time_range": list(settings.time_range),
                     "time_sampling": args.time_sampling, "min_range": filters.min_range,
                     "min_foreground": filters.min_foreground, "slow_factor": args.slow_factor,
                     "corpus": [[s.name, s.sha] for s in corpus]},
    }
    if args.synth:  # absent without --synth, so that datasets made before it still resume
        identity["settings"].update(synth=args.synth, synth_share=share, synth_grammar=GRAMMAR)
    writer = DatasetWriter(out, identity, shard)  # refuses a different dataset before any work
    say = (lambda *a: None) if args.quiet else (lambda *a: print(*a, file=sys.stderr))
    synth = _write_synth(out, args.seed, args.synth)
    synth_names = {s.name for s in synth}

    phases: dict[str, float] = {}  # where the time before rendering went, in seconds
    clock = time.perf_counter()
    ctx = create_context(args.backend, args.device_index)
    if writer.derived is None:  # first run: find out which shaders can be used, and remember it
        # Only relative costs matter for --slow-factor, so shaders are timed at 64 px at most.
        check = CheckSettings(min(args.size, 64), args.backend, args.device_index, settings.time_range,
                              args.shader_timeout)
        candidates = corpus + synth  # synthesized programs last (shaders.generate.render_chunk relies on it)
        with progress(len(candidates), "checking shaders", unit="shader", quiet=args.quiet) as bar:
            results = check_shaders_cached(candidates, check, describe(ctx), bar, recheck=args.recheck)
        mark_slow(results, args.slow_factor)
        used = [s for s in candidates if results[s.sha]["status"] == "ok"]
        used_shas = {s.sha for s in used}
        writer.set_derived(
            {"shaders": [{"name": s.name, "sha": s.sha, "mode": results[s.sha]["mode"],
                          **({"source": "synth"} if s.name in synth_names else {})} for s in used]},
            {"skipped": {s.name: {k: v for k, v in results[s.sha].items() if k != "mode"}
                         for s in candidates if s.sha not in used_shas},
             "ms_per_image": {s.name: results[s.sha]["ms_per_image"] for s in used},
             "duplicates": duplicates})
    phases["check"] = time.perf_counter() - clock
    derived, info = writer.derived, writer.header["derived_info"]
    shaders = [UsedShader(d["name"], d["sha"], d["mode"], d.get("source", "corpus")) for d in derived["shaders"]]
    n_synth = sum(s.source == "synth" for s in shaders)
    synth_skipped = {k: v for k, v in info["skipped"].items() if k in synth_names}
    corpus_skipped = {k: v for k, v in info["skipped"].items() if k not in synth_names}
    if share < 1 and len(shaders) == n_synth:
        raise RenderError(f"none of the {len(corpus)} corpus shaders is usable: {_reasons(corpus_skipped)}")
    if share > 0 and n_synth == 0:
        raise RenderError(f"none of the {len(synth)} synthesized programs is usable: {_reasons(synth_skipped)}")

    todo = writer.todo()
    renderer = TileRenderer(ctx, args.size)
    texts = {s.sha: s.text for s in corpus + synth}
    changed = [s.name for s in shaders if s.sha not in texts]
    if changed:
        raise DatasetError(f"{out} was rendered from programs that this version no longer has ({changed[0]}, ...); "
                           "choose another --out")
    clock = time.perf_counter()
    programs = [renderer.compile(texts[s.sha], s.mode) for s in shaders] if todo else []
    phases["compile"] = time.perf_counter() - clock
    mix = f" ({n_synth} synthesized, {share:.0%} of visits)" if args.synth else ""
    say(f"{PROG}: {len(shaders)} shaders{mix} on {describe(ctx)}; {len(todo)} of {len(writer.span)} chunks to "
        f"render -> {out}")
    record = write_chunks(writer, lambda c, n: render_chunk(renderer, programs, shaders, settings, c, n),
                          "rendering", args.quiet)
    record.update(renderer=describe(ctx), seconds_checking=phases["check"], seconds_compiling=phases["compile"])
    report = {"shaders_used": len(shaders), "shaders_skipped": _reasons(info["skipped"])}
    if args.synth:
        report.update(synth_used=n_synth, synth_skipped=_reasons(synth_skipped), synth_share=share)
    finish(writer, start, record, report, _diversity_by_source if args.synth else None)
    return 0


def _diversity_by_source(ds) -> dict:
    """The diversity figure (procgen.diversity) of images from corpus shaders and from synthesized programs."""
    from synthkd.core.diversity import dataset_diversity  # imports torch: only when asked for

    figures = {source: dataset_diversity(ds, where=lambda m, s=source: m["source"] == s)
               for source in ("corpus", "synth")}
    return {"diversity": {source: round(value, 4) for source, (value, n) in figures.items() if n >= 2}}


def _write_synth(out: Path, seed: int, count: int) -> list[ShaderSource]:
    """Write the run's ``count`` synthesized programs into ``out/synth/`` (unchanged files are left alone) and
    read them back as corpus entries named ``synth/synth-SEED.glsl``."""
    if not count:
        return []
    folder = out / "synth"
    try:
        folder.mkdir(exist_ok=True)
        sources = []
        for program_seed in program_seeds(seed, count):
            name = f"synth/synth-{program_seed}.glsl"
            path, text = out / name, synthesize(program_seed)
            if not path.is_file() or path.read_text(encoding="utf-8", errors="replace") != text:
                atomic_write(path, lambda f, text=text: f.write(text.encode()))
            sources.append(read_source(path, name))
    except OSError as exc:
        raise DatasetError(f"cannot write the synthesized programs into {folder}: {exc.strerror or exc}") from None
    return sources


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be in [0, 1], got {text}")
    return value


def _reasons(skipped: dict[str, dict]) -> dict[str, int]:
    return dict(Counter(v["status"] for v in skipped.values()))


if __name__ == "__main__":
    sys.exit(main())
