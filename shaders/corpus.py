"""Shader corpora: load program files, and check each one (compiles? hangs? how slow?) before rendering.

The check runs in a child process (``python -m synthkd.shaders.corpus``, JSON lines on a pipe): a GL draw cannot
be interrupted, so a shader that hangs the rasteriser is detected by a timeout, the child is killed and
started again on the remaining shaders.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import select
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from synthkd.shaders.twigl import read_header

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


def is_blank(text: str) -> bool:
    """Whether a program has no code: nothing but white space and comments."""
    return not re.sub(r"//[^\n]*|/\*.*?\*/", "", text, flags=re.S).strip()


def read_source(path: Path, name: str) -> ShaderSource:
    return source_from_text(path.read_text(encoding="utf-8", errors="replace"), name)


def source_from_text(text: str, name: str) -> ShaderSource:
    return ShaderSource(name, text, hashlib.sha256(text.encode()).hexdigest()[:16], read_header(text))


@dataclass(frozen=True)
class CheckSettings:
    size: int
    backend: str = "egl"
    device_index: int | None = None
    time_range: tuple[float, float] = (0.1, 10.0)
    timeout: float = 20.0
    """Seconds one shader may take to compile and render its probe before it counts as hung."""
    probe_frames: int = 4


def check_shaders(sources: Sequence[ShaderSource], settings: CheckSettings, progress=None,
                  workers: int | None = None) -> dict[str, dict]:
    """sha -> {"status": ok|empty|compile_error|hang|crash, "mode", "ms_per_image", "error"} for every source.

    A program with no code (an empty file, or only comments) is ``empty`` without being run (some drivers compile
    an empty program, which would then render nothing but count as used). Compiling is single-threaded in most
    drivers, so ``workers`` child processes (default: one per CPU, at most 4) each check an interleaved share of
    the sources; a thread supervises each child.
    """
    results: dict[str, dict] = {s.sha: {"status": "empty", "error": "the program has no code"}
                                for s in sources if is_blank(s.text)}
    if progress is not None:
        progress.update(len(results))
    sources = [s for s in sources if s.sha not in results]
    if not sources:
        return results
    workers = max(1, min(workers or min(os.cpu_count() or 1, 4), len(sources)))
    if workers == 1:
        return {**results, **_check_serial(sources, settings, progress)}
    with ThreadPoolExecutor(workers) as pool:
        for part in pool.map(lambda i: _check_serial(sources[i::workers], settings, progress), range(workers)):
            results.update(part)
    return results


def _check_serial(sources: Sequence[ShaderSource], settings: CheckSettings, progress=None) -> dict[str, dict]:
    """:func:`check_shaders` with one child process at a time."""
    results: dict[str, dict] = {}
    pending = list(sources)
    while pending:
        job = {"settings": asdict(settings), "items": [[s.sha, s.text] for s in pending]}
        proc = subprocess.Popen([sys.executable, "-m", "synthkd.shaders.corpus"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        proc.stdin.write(json.dumps(job).encode())
        proc.stdin.close()
        lines = _LineReader(proc.stdout.fileno())
        current = None
        try:
            while True:
                line = lines.read(settings.timeout if current else max(60.0, settings.timeout))
                if line is None:
                    if current is None:
                        raise RuntimeError(f"the shader check process did not start: {_tail(proc)}")
                    results[current] = {"status": "hang", "error": f"no answer in {settings.timeout:g} s"}
                    break
                if not line:  # the process died
                    if current is None:
                        raise RuntimeError(f"the shader check process failed: {_tail(proc)}")
                    results[current] = {"status": "crash", "error": "the renderer process died on it"}
                    break
                msg = json.loads(line)
                if "fatal" in msg:
                    raise RuntimeError(msg["fatal"])
                if "start" in msg:
                    current = msg["start"]
                elif "done" in msg:
                    results[msg["done"]] = msg["result"]
                    current = None
                    if progress is not None:
                        progress.update(1)
                else:
                    break
        finally:
            proc.kill()
            proc.wait()
        pending = [s for s in pending if s.sha not in results]
    return results


class _LineReader:
    """Lines from a pipe with a timeout (a buffered file object would hide lines from ``select``)."""

    def __init__(self, fd: int):
        self.fd, self.buf = fd, b""

    def read(self, timeout: float) -> bytes | None:
        """The next line; b"" at end of file; None if no whole line came within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                return None
            data = os.read(self.fd, 1 << 16)
            if not data:
                return b""
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return line + b"\n"


def _tail(proc: subprocess.Popen) -> str:
    proc.kill()
    err = proc.stderr.read().decode(errors="replace").strip().splitlines()
    return err[-1] if err else f"exit status {proc.wait()}"


def cache_dir() -> Path:
    """Where per-machine facts are kept (``$SYNTHKD_CACHE_DIR``, else ``~/.cache/synthkd``)."""
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "synthkd"
    return Path(os.environ.get("SYNTHKD_CACHE_DIR", default))


def check_shaders_cached(sources: Sequence[ShaderSource], settings: CheckSettings, renderer: str,
                         progress=None, recheck: bool = False) -> dict[str, dict]:
    """:func:`check_shaders`, remembering verdicts per (renderer, backend, size, shader) on this machine.

    A shader judged once keeps its verdict (mode, cost, hang...), so repeated runs skip the check and make
    the same choices; ``recheck`` judges everything again.
    """
    path = cache_dir() / "shader-check.json"
    try:
        cache = json.loads(path.read_text()) if path.is_file() and not recheck else {}
    except (OSError, ValueError):
        cache = {}
    key = f"{renderer}|{settings.backend}|{settings.size}|{settings.time_range}|"
    results = {s.sha: cache[key + s.sha] for s in sources if key + s.sha in cache and not is_blank(s.text)}
    if progress is not None:
        progress.update(len(results))
    todo = [s for s in sources if s.sha not in results]
    if todo:
        fresh = check_shaders(todo, settings, progress)
        results.update(fresh)
        cache.update({key + sha: r for sha, r in fresh.items()})
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(cache))
            tmp.replace(path)
        except OSError:
            pass  # a cache we cannot write only costs time
    return {sha: dict(r) for sha, r in results.items()}


def mark_slow(results: dict[str, dict], slow_factor: float) -> None:
    """Mark shaders costing more than ``slow_factor`` x the median cost per image as ``too_slow``."""
    costs = [r["ms_per_image"] for r in results.values() if r["status"] == "ok"]
    if slow_factor <= 0 or not costs:
        return
    median = statistics.median(costs)
    limit = slow_factor * median
    for r in results.values():
        if r["status"] == "ok" and r["ms_per_image"] > limit:
            r["status"] = "too_slow"
            r["error"] = (f"{r['ms_per_image']:.3g} ms/image > limit {limit:.3g} ms ({slow_factor:g} x the median "
                          f"{median:.3g} ms)")


def probe_times(settings: CheckSettings) -> list[float]:
    lo, hi = settings.time_range
    return [float(np.float32(lo + (hi - lo) * (k + 0.5) / settings.probe_frames)) for k in range(settings.probe_frames)]


def _worker() -> None:
    """The check process: reads {"settings", "items"} as JSON on stdin, answers one JSON line per event."""
    from synthkd.shaders.gl import create_context
    from synthkd.shaders.render import CompileError, Draw, TileRenderer

    def send(**msg) -> None:
        sys.stdout.write(json.dumps(msg) + "\n")
        sys.stdout.flush()

    job = json.load(sys.stdin)
    settings = CheckSettings(**{**job["settings"], "time_range": tuple(job["settings"]["time_range"])})
    try:
        renderer = TileRenderer(create_context(settings.backend, settings.device_index), settings.size)
    except Exception as exc:
        send(fatal=str(exc))
        return
    times = probe_times(settings)
    for sha, text in job["items"]:
        send(start=sha)
        try:
            program = renderer.compile(text)
        except CompileError as exc:
            send(done=sha, result={"status": "compile_error", "error": str(exc)})
            continue
        renderer.render([Draw(program, times[:1])])  # the first draw compiles the program's machine code
        cost = renderer.time_per_image(program, times)
        send(done=sha, result={"status": "ok", "mode": program.mode, "ms_per_image": round(cost * 1e3, 4)})
        program.program.release()
        program.vao.release()
    send(end=True)


if __name__ == "__main__":
    _worker()
