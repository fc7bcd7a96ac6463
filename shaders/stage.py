"""Rendering a shader corpus as a stage: D_S written to a directory, or handed over in memory.

    from synthkd.shaders.stage import ShaderDataset, render_shaders
    record = render_shaders(ShaderDataset(n=1000, out=Path("data/shaders")))    # what ``render-shaders`` prints

What a run does, in order: load the corpus (identical files once) and write the synthesized programs
(``--synth K``); check every shader once in a child process (compiles? hangs? how slow?, verdicts cached per
machine in ``synthkd.shaders.corpus``) and record in the dataset which ones it uses; compile those; render the
chunks the dataset still lacks (``synthkd.shaders.generate``). :func:`shader_batches` makes the same choices and
the same images without writing a dataset.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from synthkd.core.errors import DatasetError
from synthkd.core.files import atomic_write
from synthkd.core.generate import (
    DatasetOptions,
    MakeChunk,
    Stop,
    finish,
    iter_chunks,
    open_writer,
    steer,
    steer_report,
    steering_teacher,
    write_chunks,
)
from synthkd.core.runtime import progress
from synthkd.core.settings import UsageError, float_range, fraction, int_at_least, opt, require, show_range
from synthkd.shaders.corpus import (
    BUILTIN_CORPUS,
    CheckSettings,
    ShaderSource,
    check_shaders_cached,
    load_corpus,
    mark_slow,
    source_from_text,
)
from synthkd.shaders.filters import FilterSettings
from synthkd.shaders.generate import TIME_SAMPLING, RenderError, RenderSettings, UsedShader, render_chunk
from synthkd.shaders.gl import BACKENDS, create_context, describe
from synthkd.shaders.render import Program, TileRenderer
from synthkd.shaders.search import ShaderSearch
from synthkd.shaders.synth import GRAMMAR, program_seeds, synthesize
from synthkd.shaders.twigl import MAX_TILES_PER_DRAW

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class ShaderDataset(DatasetOptions):
    """A dataset of shader renders (``render-shaders``)."""

    programs: ClassVar[bool] = True  # --steer search searches its programs (synthkd.shaders.search)
    out: Path = opt(Path("data/shaders"), "dataset directory to create or resume", "--out", type=Path)
    corpus: tuple[Path, ...] | None = opt(None, f"directory of shader files (*.glsl, *.frag, *.fs); repeatable "
                                          f"(default: {BUILTIN_CORPUS})", "--corpus", action="append", type=Path)
    synth: int = opt(0, "also write K new programs with the shader synthesizer (synthkd.shaders.synth; seeds "
                     "derived from --seed) into OUT/synth/synth-SEED.glsl, check them like the corpus (failures are "
                     "skipped and counted) and render them mixed with the corpus", "--synth", type=int_at_least(0),
                     metavar="K")
    synth_share: float | None = opt(None, "fraction of shader visits that use synthesized programs (default: K / "
                                    "(K + corpus size), in proportion to the number of programs); 1 renders "
                                    "synthesized programs only and loads no corpus (then --corpus is refused)",
                                    "--synth-share", type=fraction, metavar="F")
    frames: int = opt(8, f"images per shader visit, at different time steps (1..{MAX_TILES_PER_DRAW})", "--frames",
                      type=int)
    time_range: tuple[float, float] = opt((0.1, 10.0), "time steps are taken in this interval (seconds), "
                                          "cyclically", "--time-range", type=float_range, show=show_range,
                                          metavar="LO:HI")
    time_sampling: str = opt("even", "'even': the frames of a visit are evenly spread over the interval with a "
                             "random phase; 'random': independent uniform times", "--time-sampling",
                             choices=TIME_SAMPLING)
    backend: str = opt("egl", "'egl': headless (Mesa llvmpipe on CPU, the GPU on servers); 'glfw': hidden window "
                       "(needs a display, e.g. xvfb-run)", "--backend", choices=BACKENDS)
    device_index: int | None = opt(None, "EGL device to render on (default: LOCAL_RANK under torchrun, else 0)",
                                   "--device-index", type=int)
    min_range: int = opt(FilterSettings.min_range, "drop renders whose every channel spans fewer 8-bit levels "
                         "('constant')", "--min-range", type=int)
    min_foreground: float = opt(FilterSettings.min_foreground, "drop renders with fewer pixels than this fraction "
                                "off their dominant colour", "--min-foreground", type=float)
    slow_factor: float = opt(25.0, "skip shaders costing more than this many times the median shader per image "
                             "(0 keeps all)", "--slow-factor", type=float)
    shader_timeout: float = opt(20.0, "seconds a shader may take to compile and render its test frames before it "
                                "is skipped as hung", "--shader-timeout", type=float)
    recheck: bool = opt(False, "check every shader again instead of reusing this machine's earlier verdicts",
                        "--recheck", action="store_true")

    def __post_init__(self) -> None:
        super().__post_init__()
        require(1 <= self.frames <= MAX_TILES_PER_DRAW,
                f"--frames must be in 1..{MAX_TILES_PER_DRAW}, got {self.frames}")
        FilterSettings(self.min_range, self.min_foreground)  # checks --min-range and --min-foreground
        require(self.shader_timeout > 0, f"--shader-timeout must be positive, got {self.shader_timeout}")
        if self.synth_share and not self.synth:
            raise UsageError(f"--synth-share {self.synth_share:g} needs synthesized programs: add --synth K with "
                             "K >= 1")
        require(not (self.synth_only and self.corpus),
                "--synth-share 1 renders synthesized programs only: drop --corpus")

    @property
    def filters(self) -> FilterSettings:
        return FilterSettings(self.min_range, self.min_foreground)

    @property
    def synth_only(self) -> bool:
        return self.synth > 0 and self.synth_share == 1.0


@dataclass
class Plan:
    """What rendering needs once the shaders are chosen: the renderer, the compiled programs and their order."""

    renderer: TileRenderer
    shaders: list[UsedShader]
    programs: list[Program]
    settings: RenderSettings

    def make_chunk(self, c: int, count: int) -> tuple[np.ndarray, dict[str, list], dict[str, int]]:
        return render_chunk(self.renderer, self.programs, self.shaders, self.settings, c, count)


def render_shaders(s: ShaderDataset, stop: Stop | None = None) -> dict[str, Any]:
    """Write (or finish) the shader dataset ``s`` describes; returns the run's record. ``stop``: see
    :func:`synthkd.core.generate.write_chunks` (a run with a deadline)."""
    start = time.perf_counter()
    corpus, duplicates = _load_corpus(s)
    teacher = steering_teacher(s)
    writer = open_writer(s, "shaders", _identity(s, corpus))  # refuses a different dataset before any work
    synth = _write_synth(writer.out, s.seed, s.synth)
    clock = time.perf_counter()
    ctx = create_context(s.backend, s.device_index)
    renderer = describe(ctx)  # now: once programs are compiled the context may no longer say what it is
    if writer.derived is None:  # first run: find out which shaders can be used, and remember it
        writer.set_derived(*_choose(s, corpus, synth, renderer, duplicates))
    seconds_checking = time.perf_counter() - clock
    todo = writer.todo()
    needs_pilot = s.steering.active and "steer" not in writer.derived
    clock = time.perf_counter()
    plan = _plan(s, ctx, writer.derived, corpus + synth, _share(s, len(corpus)), compile=bool(todo) or needs_pilot)
    seconds_compiling = time.perf_counter() - clock
    make_chunk, chosen = steer(s, plan.make_chunk, teacher, writer.derived.get("steer"), _search(s, plan))
    if needs_pilot:
        writer.set_derived({**writer.derived, "steer": chosen}, writer.header["derived_info"])
    info, shaders, synth_names = writer.header["derived_info"], plan.shaders, {x.name for x in synth}
    n_synth = sum(x.source == "synth" for x in shaders)
    mix = f" ({n_synth} synthesized, {plan.settings.synth_share:.0%} of visits)" if s.synth else ""
    log.info("%d shaders%s on %s; %d of %d chunks to render -> %s", len(shaders), mix, renderer, len(todo),
             len(writer.span), writer.out)
    record = write_chunks(writer, make_chunk, "rendering", s.quiet, stop)
    record.update(renderer=renderer, seconds_checking=seconds_checking, seconds_compiling=seconds_compiling)
    report = {"shaders_used": len(shaders), "shaders_skipped": _reasons(info["skipped"]), **steer_report(chosen)}
    if s.synth:
        report.update(synth_used=n_synth,
                      synth_skipped=_reasons({k: v for k, v in info["skipped"].items() if k in synth_names}),
                      synth_share=plan.settings.synth_share)
    return finish(writer, start, record, report, _diversity_by_source if s.synth else None)


def shader_batches(s: ShaderDataset, chunks: Iterable[int]) -> Iterator[tuple[np.ndarray, dict[str, list]]]:
    """(images, metadata columns) of ``chunks`` of the shader dataset ``s``, as :func:`render_shaders` would write
    them (the same shader check, cached on this machine), without writing anything."""
    return iter_chunks(shader_chunks(s)[0], s, chunks)


def shader_chunks(s: ShaderDataset, chosen: dict | None = None) -> tuple[MakeChunk, dict | None]:
    """The shader dataset's ``make_chunk`` (the same shader check, cached on this machine; steered, with the plan
    ``chosen`` or one fitted now) and its steering plan."""
    corpus, duplicates = _load_corpus(s)
    synth = [source_from_text(synthesize(seed), _synth_name(seed)) for seed in program_seeds(s.seed, s.synth)]
    ctx = create_context(s.backend, s.device_index)
    derived, _ = _choose(s, corpus, synth, describe(ctx), duplicates)
    plan = _plan(s, ctx, derived, corpus + synth, _share(s, len(corpus)))
    return steer(s, plan.make_chunk, steering_teacher(s), chosen, _search(s, plan))


def _search(s: ShaderDataset, plan: Plan) -> ShaderSearch:
    """Program search over the plan's shaders (used with ``--steer search`` or ``all``)."""
    budget = s.steering.search_budget or 4 * s.chunk_size
    return ShaderSearch(plan.renderer, plan.programs, plan.shaders, plan.settings, budget)


def _load_corpus(s: ShaderDataset) -> tuple[list[ShaderSource], int]:
    return ([], 0) if s.synth_only else load_corpus(s.corpus or [BUILTIN_CORPUS])


def _share(s: ShaderDataset, corpus_size: int) -> float:
    """The share of shader visits that use synthesized programs (default: in proportion to the programs)."""
    return s.synth / (s.synth + corpus_size) if s.synth_share is None else s.synth_share


def _identity(s: ShaderDataset, corpus: list[ShaderSource]) -> dict[str, Any]:
    """What defines the images besides size, count and seed (the dataset header's ``settings``)."""
    settings = {"frames": s.frames, "time_range": list(s.time_range), "time_sampling": s.time_sampling,
                "min_range": s.min_range, "min_foreground": s.min_foreground, "slow_factor": s.slow_factor,
                "corpus": [[x.name, x.sha] for x in corpus]}
    if s.synth:  # absent without --synth, so that datasets made before it still resume
        settings.update(synth=s.synth, synth_share=_share(s, len(corpus)), synth_grammar=GRAMMAR)
    return settings


def _choose(s: ShaderDataset, corpus: list[ShaderSource], synth: list[ShaderSource], renderer: str,
            duplicates: int) -> tuple[dict, dict]:
    """Check every candidate shader (cached verdicts) and return which ones the dataset uses (``derived``), and
    what was measured on the way (``derived_info``: skipped shaders by reason, costs)."""
    # Only relative costs matter for --slow-factor, so shaders are timed at 64 px at most.
    check = CheckSettings(min(s.size, 64), s.backend, s.device_index, tuple(s.time_range), s.shader_timeout)
    candidates = corpus + synth  # synthesized programs last (synthkd.shaders.generate.render_chunk relies on it)
    synth_names = {x.name for x in synth}
    with progress(len(candidates), "checking shaders", unit="shader", quiet=s.quiet) as bar:
        results = check_shaders_cached(candidates, check, renderer, bar, recheck=s.recheck)
    mark_slow(results, s.slow_factor)
    used = [x for x in candidates if results[x.sha]["status"] == "ok"]
    used_shas = {x.sha for x in used}
    derived = {"shaders": [{"name": x.name, "sha": x.sha, "mode": results[x.sha]["mode"],
                            **({"source": "synth"} if x.name in synth_names else {})} for x in used]}
    info = {"skipped": {x.name: {k: v for k, v in results[x.sha].items() if k != "mode"}
                        for x in candidates if x.sha not in used_shas},
            "ms_per_image": {x.name: results[x.sha]["ms_per_image"] for x in used},
            "duplicates": duplicates}
    n_corpus, n_synth = len(corpus), len(synth)
    share = _share(s, n_corpus)
    synth_used = sum(x.name in synth_names for x in used)
    if share < 1 and len(used) == synth_used:
        corpus_skipped = {k: v for k, v in info["skipped"].items() if k not in synth_names}
        raise RenderError(f"none of the {n_corpus} corpus shaders is usable: {_reasons(corpus_skipped)}")
    if share > 0 and synth_used == 0:
        synth_skipped = {k: v for k, v in info["skipped"].items() if k in synth_names}
        raise RenderError(f"none of the {n_synth} synthesized programs is usable: {_reasons(synth_skipped)}")
    return derived, info


def _plan(s: ShaderDataset, ctx, derived: dict, sources: list[ShaderSource], share: float,
          compile: bool = True) -> Plan:
    """Compile the chosen shaders for ``s``'s image size (nothing to compile when no chunk is left to render)."""
    shaders = [UsedShader(d["name"], d["sha"], d["mode"], d.get("source", "corpus")) for d in derived["shaders"]]
    texts = {x.sha: x.text for x in sources}
    changed = [x.name for x in shaders if x.sha not in texts]
    if changed:
        raise DatasetError(f"{s.out} was rendered from programs that this version no longer has ({changed[0]}, ...); "
                           "choose another --out")
    renderer = TileRenderer(ctx, s.size)
    programs = [renderer.compile(texts[x.sha], x.mode) for x in shaders] if compile else []
    settings = RenderSettings(seed=s.seed, frames=s.frames, time_range=tuple(s.time_range),
                              time_sampling=s.time_sampling, chunk_size=s.chunk_size, filters=s.filters,
                              synth_share=share)
    return Plan(renderer, shaders, programs, settings)


def _synth_name(seed: int) -> str:
    return f"synth/synth-{seed}.glsl"


def _write_synth(out: Path, seed: int, count: int) -> list[ShaderSource]:
    """Write the run's ``count`` synthesized programs into ``out/synth/`` (unchanged files are left alone) and
    return them as corpus entries named ``synth/synth-SEED.glsl``."""
    if not count:
        return []
    folder = out / "synth"
    try:
        folder.mkdir(exist_ok=True)
        sources = []
        for program_seed in program_seeds(seed, count):
            name = _synth_name(program_seed)
            path, text = out / name, synthesize(program_seed)
            if not path.is_file() or path.read_text(encoding="utf-8", errors="replace") != text:
                atomic_write(path, lambda f, text=text: f.write(text.encode()))
            sources.append(source_from_text(text, name))
    except OSError as exc:
        raise DatasetError(f"cannot write the synthesized programs into {folder}: {exc.strerror or exc}") from None
    return sources


def _diversity_by_source(ds) -> dict:
    """The diversity figure (synthkd.core.diversity) of images from corpus shaders and from synthesized programs."""
    from synthkd.core.diversity import dataset_diversity  # imports torch: only when asked for

    figures = {source: dataset_diversity(ds, where=lambda m, s=source: m["source"] == s)
               for source in ("corpus", "synth")}
    return {"diversity": {source: round(value, 4) for source, (value, n) in figures.items() if n >= 2}}


def _reasons(skipped: dict[str, dict]) -> dict[str, int]:
    return dict(Counter(v["status"] for v in skipped.values()))

