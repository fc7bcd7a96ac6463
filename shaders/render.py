"""Render many shader images per draw call and per readback.

A *page* is one framebuffer laid out as a grid of square cells. Each draw (one shader, up to 64 time
steps) fills consecutive cells; a whole page of draws is read back at once. Every cell computes its own
local ``gl_FragCoord``, so an image does not depend on where it sits in the page: rendering it alone or
among thousands gives the same bytes (the tests check this).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import moderngl
import numpy as np

from shaders.twigl import MAX_TILES_PER_DRAW, ModeError, candidate_modes, translate

MAX_PAGE_SIDE = 4096
MAX_PAGE_PIXELS = 4096 * 2048


class CompileError(RuntimeError):
    """The source compiles in none of the modes tried."""


@dataclass
class Program:
    """A shader compiled for tile rendering."""

    mode: str
    program: moderngl.Program
    vao: moderngl.VertexArray


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
        self.cols = max(1, MAX_PAGE_SIDE // self.cell)
        self.max_rows = max(1, min(MAX_PAGE_SIDE, MAX_PAGE_PIXELS // (self.cols * self.cell)) // self.cell)
        self.mouse = mouse
        self._fbos: dict[int, moderngl.Framebuffer] = {}
        self._black = ctx.texture((1, 1), 4, bytes([0, 0, 0, 255]))

    @property
    def page_capacity(self) -> int:
        return self.cols * self.max_rows

    def compile(self, source: str, mode: str | None = None) -> Program:
        """Compile ``source``, in ``mode`` or else in the first of its candidate modes that compiles."""
        errors = []
        for m in [mode] if mode else candidate_modes(source):
            try:
                t = translate(source, m)
                prog = self.ctx.program(vertex_shader=t.vertex, fragment_shader=t.fragment)
            except (ModeError, moderngl.Error) as exc:
                errors.append(f"{m}: {_first_error_line(str(exc))}")
                continue
            return Program(t.mode, prog, self.ctx.vertex_array(prog, []))
        raise CompileError("; ".join(errors[:3]))

    def render(self, draws: Sequence[Draw]) -> tuple[np.ndarray, np.ndarray]:
        """Images (N, size, size, 3) uint8 in draw order, and a bool per image: NaN/Inf in any pixel."""
        images, bad = [], []
        for page in self._pages(draws):
            img, flag = self._render_page(page)
            images.append(img)
            bad.append(flag)
        if not images:
            return np.zeros((0, self.size, self.size, 3), np.uint8), np.zeros(0, bool)
        return np.concatenate(images), np.concatenate(bad)

    def raster_only(self, draws: Sequence[Draw]) -> None:
        """Draw the same pages as :meth:`render` but read nothing back (the benchmark's pixel-rate ceiling)."""
        for page in self._pages(draws):
            self._draw_page(page)
        self.ctx.finish()

    def time_per_image(self, program: Program, times: Sequence[float]) -> float:
        """Seconds per image for ``program`` at this size, measured on one draw with a GPU finish."""
        self.ctx.finish()
        start = time.perf_counter()
        self.raster_only([Draw(program, times)])
        return (time.perf_counter() - start) / len(times)

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

    def _draw_page(self, page: list[Draw]) -> tuple[moderngl.Framebuffer, int, int]:
        n = sum(len(d.times) for d in page)
        rows = math.ceil(n / self.cols)
        fbo = self._framebuffer(rows)
        fbo.use()
        fbo.clear(0.0, 0.0, 0.0, 1.0)
        self._black.use(0)
        first = 0
        for d in page:
            self._draw(d, first)
            first += len(d.times)
        return fbo, n, rows

    def _render_page(self, page: list[Draw]) -> tuple[np.ndarray, np.ndarray]:
        fbo, n, rows = self._draw_page(page)
        c, cols = self.cell, self.cols
        raw = fbo.read(viewport=(0, 0, cols * c, rows * c), components=4, alignment=1)
        cells = np.frombuffer(raw, np.uint8).reshape(rows, c, cols, c, 4).swapaxes(1, 2).reshape(-1, c, c, 4)
        cells = cells[:n, : self.size, : self.size]
        images = np.ascontiguousarray(cells[:, ::-1, :, :3])  # GL rows run bottom-up
        bad = (cells[..., 3] == 0).any(axis=(1, 2))
        return images, bad

    def _draw(self, d: Draw, first: int) -> None:
        prog = d.program.program
        times = np.zeros(MAX_TILES_PER_DRAW, np.float32)
        times[: len(d.times)] = d.times
        values = {"_sk_cell": float(self.cell), "_sk_size": float(self.size),
                  "_sk_cols": self.cols, "_sk_first": first, "_sk_count": len(d.times), "_sk_mouse": self.mouse}
        for name, value in values.items():
            if (u := prog.get(name, None)) is not None:
                u.value = value
        if (u := prog.get("_sk_times", None)) is not None:
            u.write(times.tobytes())
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
            d.program.vao.render(moderngl.TRIANGLE_STRIP, vertices=4)

    def _framebuffer(self, rows: int) -> moderngl.Framebuffer:
        # Page heights are rounded up to a power of two so that few framebuffers are ever made.
        height = min(self.max_rows, 1 << max(0, rows - 1).bit_length())
        if height not in self._fbos:
            color = self.ctx.renderbuffer((self.cols * self.cell, height * self.cell), 4)
            self._fbos[height] = self.ctx.framebuffer(color_attachments=[color])
        return self._fbos[height]


def _first_error_line(message: str) -> str:
    lines = [ln.strip() for ln in message.splitlines() if "error" in ln.lower() and ln.strip()]
    text = lines[1] if len(lines) > 1 and lines[0].startswith("GLSL Compiler failed") else (lines or [message])[0]
    return text[:300]
