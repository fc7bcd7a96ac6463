"""Shader corpora: load program files, and check each one (compiles? hangs? how slow?) before rendering.

The check runs in a child process: a GL draw cannot be interrupted, so a shader that hangs the
rasteriser is detected by a timeout, the child is killed and restarted on the remaining shaders.
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from shaders.twigl import read_header

SUFFIXES = (".glsl", ".frag", ".fs")
BUILTIN_CORPUS = Path(__file__).resolve().parent.parent / "assets" / "shaders"


class CorpusError(ValueError):
    """A corpus directory is missing, empty or unreadable."""


@dataclass(frozen=True)
class ShaderSource:
    name: str  # path relative to its corpus directory
    text: str
    sha: str  # first 16 hex digits of the sha256 of the text
    header: dict[str, str] = field(default_factory=dict, compare=False)


def load_corpus(dirs: Sequence[str | Path]) -> tuple[list[ShaderSource], int]:
    """All shader files under ``dirs`` (sorted, so the order is stable), and how many duplicates were skipped."""
    sources: list[ShaderSource] = []
    seen: set[str] = set()
    duplicates = 0
    for d in dirs:
        root = Path(d)
        if not root.is_dir():
            raise CorpusError(f"corpus directory not found: {root}")
        files = sorted(p for p in root.rglob("*") if p.suffix in SUFFIXES and p.is_file())
        if not files:
            raise CorpusError(f"no shader files ({', '.join(SUFFIXES)}) in corpus directory {root}")
        for f in files:
            src = read_source(f, f.relative_to(root).as_posix())
            if src.sha in seen:
                duplicates += 1
                continue
            seen.add(src.sha)
            sources.append(src)
    return sources, duplicates


def read_source(path: Path, name: str) -> ShaderSource:
    text = path.read_text(encoding="utf-8", errors="replace")
    return ShaderSource(name, text, hashlib.sha256(text.encode()).hexdigest()[:16], read_header(text))


@dataclass(frozen=True)
class CheckSettings:
    size: int
    backend: str = "egl"
    device_index: int | None = None
    time_range: tuple[float, float] = (0.1, 10.0)
    timeout: float = 20.0
    """Seconds one shader may take to compile and render its probe before it counts as hung."""
    probe_frames: int = 8


def check_shaders(sources: Sequence[ShaderSource], settings: CheckSettings, progress=None) -> dict[str, dict]:
    """sha -> {"status": ok|compile_error|hang|crash, "mode", "ms_per_image", "error"} for every source."""
    results: dict[str, dict] = {}
    pending = list(sources)
    spawn = mp.get_context("spawn")
    while pending:
        parent, child = spawn.Pipe()
        items = [(s.sha, s.text) for s in pending]
        proc = spawn.Process(target=_worker, args=(child, settings, items), daemon=True)
        proc.start()
        child.close()
        current = None
        try:
            while True:
                if not parent.poll(settings.timeout + (30.0 if current is None else 0.0)):
                    results[current or pending[0].sha] = {"status": "hang", "error": f"no answer in {settings.timeout:g} s"}
                    break
                msg = parent.recv()
                if msg[0] == "start":
                    current = msg[1]
                elif msg[0] == "done":
                    results[msg[1]] = msg[2]
                    current = None
                    if progress is not None:
                        progress.update(1)
                elif msg[0] == "fatal":
                    raise RuntimeError(msg[1])
                else:
                    break
        except EOFError:  # the child died (a driver crash): blame the shader it was on
            results[current or pending[0].sha] = {"status": "crash", "error": "renderer process died"}
        finally:
            proc.kill()
            proc.join()
        pending = [s for s in pending if s.sha not in results]
        if progress is not None and pending:
            progress.update(0)
    return results


def mark_slow(results: dict[str, dict], slow_factor: float) -> None:
    """Mark shaders costing more than ``slow_factor`` x the median cost per image as ``too_slow``."""
    costs = [r["ms_per_image"] for r in results.values() if r["status"] == "ok"]
    if slow_factor <= 0 or not costs:
        return
    limit = slow_factor * statistics.median(costs)
    for r in results.values():
        if r["status"] == "ok" and r["ms_per_image"] > limit:
            r["status"] = "too_slow"
            r["error"] = f"{r['ms_per_image']:.3g} ms/image > {slow_factor:g} x median ({limit:.3g} ms)"


def probe_times(settings: CheckSettings) -> list[float]:
    lo, hi = settings.time_range
    return [float(np.float32(lo + (hi - lo) * (k + 0.5) / settings.probe_frames)) for k in range(settings.probe_frames)]


def _worker(conn, settings: CheckSettings, items: list[tuple[str, str]]) -> None:
    from shaders.gl import create_context
    from shaders.render import CompileError, Draw, TileRenderer

    try:
        renderer = TileRenderer(create_context(settings.backend, settings.device_index), settings.size)
    except Exception as exc:
        conn.send(("fatal", str(exc)))
        return
    times = probe_times(settings)
    for sha, text in items:
        conn.send(("start", sha))
        try:
            program = renderer.compile(text)
        except CompileError as exc:
            conn.send(("done", sha, {"status": "compile_error", "error": str(exc)}))
            continue
        renderer.render([Draw(program, times[:1])])  # the first draw compiles the program's machine code
        cost = min(renderer.time_per_image(program, times) for _ in range(2))
        conn.send(("done", sha, {"status": "ok", "mode": program.mode, "ms_per_image": round(cost * 1e3, 4)}))
        program.program.release()
        program.vao.release()
    conn.send(("end",))
