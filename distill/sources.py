"""The image sources by name: one registry that ``synthkd run``, the stream, the recipes and the commands read.

Each :class:`ImageSource` is a generator stage: its settings dataclass, the function that writes a dataset
(``render-shaders`` ...), and the function that makes the same chunks in memory (the stream). ``synthkd models``
lists networks the same way; here ``SOURCES`` lists what images can be made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from synthkd.core.generate import DatasetOptions, MakeChunk
from synthkd.procgen.stage import LeavesDataset, NoiseDataset, leaves_chunks, noise_chunks, render_leaves, render_noise
from synthkd.shaders.stage import ShaderDataset, render_shaders, shader_chunks


@dataclass(frozen=True)
class ImageSource:
    """One generator of images, as every later stage uses it."""

    name: str
    about: str
    command: str  # its own command, which writes a dataset
    settings: type[DatasetOptions]  # the command's settings
    render: Callable[..., dict[str, Any]]  # render(settings, stop=None) -> the run's record
    chunks: Callable[[Any, dict | None], tuple[MakeChunk, dict | None]]  # chunks(settings, plan) -> make_chunk, plan


SOURCES: dict[str, ImageSource] = {s.name: s for s in (
    ImageSource("shaders", "GLSL shader programs rendered headlessly (the built-in corpus)", "render-shaders",
                ShaderDataset, render_shaders, shader_chunks),
    ImageSource("leaves", "dead-leaves images: random shapes in random colours", "render-leaves", LeavesDataset,
                render_leaves, leaves_chunks),
    ImageSource("noise", "Gaussian noise with a dataset's channel statistics", "render-noise", NoiseDataset,
                render_noise, noise_chunks),
)}
