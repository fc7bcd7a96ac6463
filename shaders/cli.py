"""``render-shaders``: parse the options into :class:`ShaderDataset`, render, print the run's record."""

from __future__ import annotations

import sys

from synthkd.core.cli import Parser, add_options, run, settings_from
from synthkd.core.errors import DatasetError
from synthkd.core.models import ModelError
from synthkd.shaders.corpus import CorpusError
from synthkd.shaders.generate import RenderError
from synthkd.shaders.gl import GLUnavailable
from synthkd.shaders.render import CompileError
from synthkd.shaders.stage import ShaderDataset, render_shaders

PROG = "render-shaders"
ERRORS = (DatasetError, CorpusError, GLUnavailable, RenderError, CompileError, ModelError)


def build_parser() -> Parser:
    p = Parser(prog=PROG, description="Render GLSL shader programs (TwiGL modes or Shadertoy) headlessly into "
               "a dataset directory of images, dropping constant, two-colour, mostly-empty and NaN renders. "
               "Deterministic for a given seed; re-running the same command resumes a killed run.")
    add_options(p, ShaderDataset)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run(PROG, lambda: render_shaders(settings_from(ShaderDataset, args)), ERRORS, args.quiet, argv)


if __name__ == "__main__":
    sys.exit(main())
