"""The image sources by name: one registry that ``synthkd run``, the stream, the recipes and the commands read.

Each :class:`ImageSource` is a generator stage: its settings dataclass, the function that writes a dataset
(``render-shaders`` ...), and the function that makes the same chunks in memory (the stream). ``synthkd models``
lists networks the same way; here ``SOURCES`` lists what images can be made. A source that needs an argument
is named with it, ``NAME:ARG`` (``images:DIR``): :func:`source_settings` turns such a name into the stage's
settings.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from synthkd.core.generate import DatasetOptions, MakeChunk
from synthkd.core.settings import UsageError
from synthkd.procgen.folder import FolderSettings
from synthkd.procgen.stage import (
    ImagesDataset,
    LeavesDataset,
    NoiseDataset,
    images_chunks,
    leaves_chunks,
    noise_chunks,
    render_images,
    render_leaves,
    render_noise,
)
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
    argument: Callable[..., dict[str, Any]] | None = None  # (ARG, **options) -> more settings (None: no ARG)
    metavar: str = ""  # what ARG is


SOURCES: dict[str, ImageSource] = {s.name: s for s in (
    ImageSource("shaders", "GLSL shader programs rendered headlessly (the built-in corpus)", "render-shaders",
                ShaderDataset, render_shaders, shader_chunks),
    ImageSource("leaves", "dead-leaves images: random shapes in random colours", "render-leaves", LeavesDataset,
                render_leaves, leaves_chunks),
    ImageSource("noise", "Gaussian noise with a dataset's channel statistics", "render-noise", NoiseDataset,
                render_noise, noise_chunks),
    ImageSource("images", "seeded random crops of a folder of unlabelled real images of any size", "render-images",
                ImagesDataset, render_images, images_chunks,
                lambda arg, **options: {"images": FolderSettings(folder=Path(arg), **options)}, "DIR"),
)}
NAMES = ", ".join(f"{s.name}:{s.metavar}" if s.argument else s.name for s in SOURCES.values())


def source_of(spec: str, **options: Any) -> tuple[ImageSource, dict[str, Any]]:
    """The source a ``--source`` value names, and the settings its argument (and ``options``, such as the crops'
    ``min_scale`` of ``images:DIR``) gives; UsageError if it names none (an ``images:DIR`` folder is checked here:
    missing, empty or unreadable is refused before any work)."""
    name, colon, arg = spec.partition(":")
    source = SOURCES.get(name)
    if source is None:
        raise UsageError(f"unknown source {spec!r}: choose one of {NAMES}")
    if source.argument is None and colon:
        raise UsageError(f"source {name} takes no argument, got {spec!r}")
    if source.argument is not None and not arg:
        raise UsageError(f"source {name} needs its {source.metavar}: {name}:{source.metavar}")
    if options and source.argument is None:
        raise UsageError(f"{', '.join('--' + k.replace('_', '-') for k in options)} applies to --source "
                         f"{' or '.join(f'{s.name}:{s.metavar}' for s in SOURCES.values() if s.argument)} only, "
                         f"not to {name}")
    return source, source.argument(arg, **options) if source.argument else {}


def source_settings(spec: str, options: dict[str, Any] | None = None, **common: Any) -> DatasetOptions:
    """The settings of the stage a ``--source`` value names, with its ``options`` (see :func:`source_of`) and
    ``common`` (n, size, seed, ...)."""
    source, extra = source_of(spec, **(options or {}))
    return source.settings(**common, **extra)


def source_spec(text: str) -> str:
    """An option type: a ``--source`` value (a source's name, or ``images:DIR``)."""
    try:
        source_of(text)
    except UsageError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return text
