"""Render many shader images per draw call and per readback.

A *page* is one framebuffer laid out as a grid of square cells. Each draw (one shader, up to 64 time
steps) fills consecutive cells; a whole page of draws is read back at once. Every cell computes its own
local ``gl_FragCoord``, so an image does not depend on where it sits in the page: rendering it alone or
among thousands gives the same bytes (the tests check this).

Pages are pipelined: page k+1 is queued and flushed to the rasteriser (llvmpipe's threads, or the GPU)
before the caller gets page k, so reading back, filtering and writing overlap with rendering. The filter
statistics (``synthkd.shaders.filters``) are computed by a second small pass over each page, one fragment per
image, so they cost the rasteriser a little and the CPU nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import moderngl
import numpy as np

from synthkd.shaders.filters import sample_step
from synthkd.shaders.twigl import MAX_TILES_PER_DRAW, VERTEX_SHADER, ModeError, candidate_modes, translate

MAX_PAGE_SIDE = 4096
PAGE_PIXELS = 1 << 17  # small pages, so that there is always a next one rendering while one is processed
STATS_COLS = 16  # width of the statistics pass's target


# One fragment per image: the statistics of synthkd.shaders.filters.image_stats over the same sample grid.
_STATS_SHADER = """#version 330 core
uniform sampler2D page;
uniform int cols;        // cells per page row
uniform int stats_cols;  // images per row of this pass's target (a square-ish grid keeps SIMD lanes full)
uniform int cell;
uniform int size;
uniform int step;
layout(location = 0) out vec4 stats;

ivec3 colour_at(ivec2 origin, int row, int col) {  // image row 0 is the top, GL's row 0 the bottom
    return ivec3(round(texelFetch(page, origin + ivec2(col * step, size - 1 - row * step), 0).rgb * 255.0));
}

void main() {
    int index = int(gl_FragCoord.x) + int(gl_FragCoord.y) * stats_cols;
    ivec2 origin = ivec2(index % cols, index / cols) * cell;
    int n = (size + step - 1) / step;
    ivec3 first = colour_at(origin, 0, 0), second = first, lo = first, hi = first, candidate = first;
    bool two = false, three = false;
    int votes = 0;
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            ivec3 c = colour_at(origin, i, j);
            lo = min(lo, c);
            hi = max(hi, c);
            if (c != first) {
                if (!two) { second = c; two = true; }
                else if (c != second) { three = true; }
            }
            if (votes == 0) { candidate = c; votes = 1; }   // Boyer-Moore majority vote
            else { votes += c == candidate ? 1 : -1; }
        }
    }
    int count = 0;
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) { count += colour_at(origin, i, j) == candidate ? 1 : 0; }
    }
    ivec3 span = hi - lo;
    stats = vec4(float(max(span.x, max(span.y, span.z))), float(1 + int(two) + int(three)),
                 float(2 * count > n * n ? count : 0), 0.0);
}
"""


class CompileError(RuntimeError):
    """The source compiles in none of the modes tried."""


@dataclass
class Program:
    """A shader compiled for tile rendering, with handles on the uniforms that change per draw."""

    mode: str
    program: moderngl.Program
    vao: moderngl.VertexArray
    first: moderngl.Uniform | None = None
    count: moderngl.Uniform | None = None
    times: moderngl.Uniform | None = None


@dataclass(frozen=True)
class Draw:
    """One shader rendered at several time steps (one image per time)."""

    program: Program
    times: Sequence[float]


class TileRenderer:
    """Renders batches of :class:`Draw` into ``size`` x ``size`` RGB images through page atlases."""

    def __init__(self, ctx: moderngl.Context, size: int, mouse: tuple[float, float] = (0.5, 0.5)):
        self.ctx = ctx
        self.size = size
        self.cell = size + size % 2  # even, so 2x2 derivative quads never straddle two images
        self.page_capacity = max(MAX_TILES_PER_DRAW, PAGE_PIXELS // (self.cell * self.cell))
        self.cols = min(self.page_capacity, max(1, MAX_PAGE_SIDE // self.cell))
        self.max_rows = math.ceil(self.page_capacity / self.cols)
        self.mouse = mouse
        self._fbos: dict[int, tuple[moderngl.Framebuffer, moderngl.Texture, moderngl.Framebuffer]] = {}
        self.stats_cols = min(STATS_COLS, self.page_capacity)
        # Every method makes this renderer's context current first ("with self.ctx"): moderngl sends calls to
        # whichever context is current, and a process may hold several (tests, several renderers, a GLFW window).
        with ctx:
            self._black = ctx.texture((1, 1), 4, bytes([0, 0, 0, 255]))
            self._stats = ctx.program(vertex_shader=VERTEX_SHADER, fragment_shader=_STATS_SHADER)
            for name, value in (("page", 1), ("cols", self.cols), ("stats_cols", self.stats_cols),
                                ("cell", self.cell), ("size", size), ("step", sample_step(size))):
                self._stats[name].value = value
            self._stats_vao = ctx.vertex_array(self._stats, [])

    def compile(self, source: str, mode: str | None = None) -> Program:
        """Compile ``source``, in ``mode`` or else in the first of its candidate modes that compiles."""
        errors = []
        for m in [mode] if mode else candidate_modes(source):
            try:
                t = translate(source, m)
                with self.ctx:
                    prog = self.ctx.program(vertex_shader=t.vertex, fragment_shader=t.fragment)
            except (ModeError, moderngl.Error) as exc:
                errors.append(f"{m}: {_first_error_line(str(exc))}")
                continue
            constants = {"_sk_cell": float(self.cell), "_sk_size": float(self.size), "_sk_cols": self.cols,
                         "_sk_mouse": self.mouse}
            with self.ctx:
                for name, value in constants.items():
                    if (u := prog.get(name, None)) is not None:
                        u.value = value
                return Program(t.mode, prog, self.ctx.vertex_array(prog, []), prog.get("_sk_first", None),
                               prog.get("_sk_count", None), prog.get("_sk_times", None))
        raise CompileError("; ".join(errors[:3]))

    def render(self, draws: Sequence[Draw]) -> tuple[np.ndarray, np.ndarray]:
        """Images (N, size, size, 3) uint8 in draw order, and a bool per image: NaN/Inf in any pixel."""
        pages = list(self.render_pages(draws))
        if not pages:
            return np.zeros((0, self.size, self.size, 3), np.uint8), np.zeros(0, bool)
        return np.concatenate([p[0] for p in pages]), np.concatenate([p[1] for p in pages])

    def render_pages(self, draws: Sequence[Draw]) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Like :meth:`render`, one page at a time, with each image's filter statistics (N, 3) as a third
        array; the next page is rendering while the caller works on one."""
        previous = None
        for page in self._pages(draws):
            with self.ctx:
                rows, n = self._draw_page(page, stats=True)
                _flush()
            if previous is not None:
                yield self._unpack(*previous)
            with self.ctx:
                fbo, _, stats_fbo = self._framebuffer(rows)
                viewport = (0, 0, self.cols * self.cell, rows * self.cell)
                previous = (fbo.read(viewport, components=3, alignment=1),
                            fbo.read(viewport, components=1, attachment=1, alignment=1),
                            stats_fbo.read((0, 0, self.stats_cols, math.ceil(n / self.stats_cols)), components=4,
                                           dtype="f4"), rows, n)
        if previous is not None:
            yield self._unpack(*previous)

    def raster_only(self, draws: Sequence[Draw]) -> None:
        """Draw the same pages as :meth:`render` but read nothing back (the benchmark's pixel-rate ceiling)."""
        with self.ctx:
            for page in self._pages(draws):
                self._draw_page(page)
                _flush()
            self.ctx.finish()

    def time_per_image(self, program: Program, times: Sequence[float], repeats: int = 3) -> float:
        """Seconds per image for ``program`` at this size: the fastest of ``repeats`` draws, each ended by a GPU
        finish (a stall on a busy machine only ever adds time, so the fastest draw is the shader's own cost)."""
        best = float("inf")
        for _ in range(repeats):
            with self.ctx:
                self.ctx.finish()
            start = time.perf_counter()
            self.raster_only([Draw(program, times)])
            best = min(best, time.perf_counter() - start)
        return best / len(times)

    def _pages(self, draws: Sequence[Draw]) -> list[list[Draw]]:
        pages: list[list[Draw]] = [[]]
        used = 0
        for d in draws:
            if not 0 < len(d.times) <= MAX_TILES_PER_DRAW:
                raise ValueError(f"a draw holds 1..{MAX_TILES_PER_DRAW} time steps, got {len(d.times)}")
            if used + len(d.times) > self.page_capacity:
                pages.append([])
                used = 0
            pages[-1].append(d)
            used += len(d.times)
        return [p for p in pages if p]

    def _draw_page(self, page: list[Draw], stats: bool = False) -> tuple[int, int]:
        n = sum(len(d.times) for d in page)
        rows = math.ceil(n / self.cols)
        fbo, texture, stats_fbo = self._framebuffer(rows)
        fbo.use()
        fbo.clear(0.0, 0.0, 0.0, 1.0)  # both attachments: black, and no NaN
        self._black.use(0)
        first = 0
        for d in page:
            self._draw(d, first)
            first += len(d.times)
        if stats:
            stats_fbo.use()
            texture.use(1)
            self.ctx.viewport = (0, 0, self.stats_cols, math.ceil(n / self.stats_cols))
            self._stats_vao.render(moderngl.TRIANGLE_STRIP, vertices=4)
        return rows, n

    def _unpack(self, rgb: bytes, nan: bytes, stats: bytes, rows: int, n: int):
        """Page pixels -> the first ``n`` cells as top-row-first RGB images (one copy), their NaN flags and
        their filter statistics."""
        c, s, cols = self.cell, self.size, self.cols
        grid = np.frombuffer(rgb, np.uint8).reshape(rows, c, cols, c, 3)
        images = np.empty((rows, cols, s, s, 3), np.uint8)
        images[...] = grid[:, s - 1 :: -1, :, :s].transpose(0, 2, 1, 3, 4)  # GL rows run bottom-up
        flags = np.frombuffer(nan, np.uint8).reshape(rows, c, cols, c)[:, :s, :, :s]
        bad = flags.any(axis=(1, 3)).reshape(-1)[:n] if flags.any() else np.zeros(n, bool)
        per_image = np.frombuffer(stats, np.float32).reshape(-1, 4)[:n, :3].astype(np.int32)
        return images.reshape(-1, s, s, 3)[:n], bad, per_image

    def _draw(self, d: Draw, first: int) -> None:
        p = d.program
        if p.first is not None:
            p.first.value = first
        if p.count is not None:
            p.count.value = len(d.times)
        if p.times is not None:
            times = np.zeros(MAX_TILES_PER_DRAW, np.float32)
            times[: len(d.times)] = d.times
            p.times.write(times.tobytes())
        # The draw's cells form at most three rectangles: a partial first row, full rows, a partial last row.
        c, cols = self.cell, self.cols
        last = first + len(d.times) - 1
        r0, r1 = first // cols, last // cols
        rects = [(first % cols, r0, (last % cols if r0 == r1 else cols - 1), r0)]
        if r1 > r0:
            if r1 - r0 > 1:
                rects.append((0, r0 + 1, cols - 1, r1 - 1))
            rects.append((0, r1, last % cols, r1))
        for x0, y0, x1, y1 in rects:
            self.ctx.viewport = (x0 * c, y0 * c, (x1 - x0 + 1) * c, (y1 - y0 + 1) * c)
            p.vao.render(moderngl.TRIANGLE_STRIP, vertices=4)

    def _framebuffer(self, rows: int) -> tuple[moderngl.Framebuffer, moderngl.Texture, moderngl.Framebuffer]:
        """The page framebuffer (colour texture + NaN flags), its colour texture, and the statistics target."""
        # Page heights are rounded up to a power of two so that few framebuffers are ever made.
        height = min(self.max_rows, 1 << max(0, rows - 1).bit_length())
        if height not in self._fbos:
            size = (self.cols * self.cell, height * self.cell)
            color, nan_flags = self.ctx.texture(size, 4), self.ctx.renderbuffer(size, 1)
            stats = self.ctx.texture((self.stats_cols, math.ceil(self.page_capacity / self.stats_cols)), 4, dtype="f4")
            self._fbos[height] = (self.ctx.framebuffer(color_attachments=[color, nan_flags]), color,
                                  self.ctx.framebuffer(color_attachments=[stats]))
        return self._fbos[height]


def _flush() -> None:
    """glFlush: start rendering what is queued without waiting for it (moderngl only offers finish)."""
    if _GL is not None:
        _GL.glFlush()


def _load_gl():
    name = ctypes.util.find_library("GL") or ctypes.util.find_library("OpenGL")
    try:
        return ctypes.CDLL(name) if name else None
    except OSError:
        return None


_GL = _load_gl()


def _first_error_line(message: str) -> str:
    lines = [ln.strip() for ln in message.splitlines() if "error" in ln.lower() and ln.strip()]
    text = lines[1] if len(lines) > 1 and lines[0].startswith("GLSL Compiler failed") else (lines or [message])[0]
    return text[:300]
