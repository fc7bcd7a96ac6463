"""Shared fixtures: a real headless EGL context (Mesa llvmpipe on CI) and the test shader folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from shaders.gl import create_context
from shaders.render import TileRenderer

TESTS = Path(__file__).resolve().parent
MODES = TESTS / "shaders" / "modes"  # one small shader per TwiGL mode (and Shadertoy)
BAD = TESTS / "shaders" / "bad"  # shaders each filter or check must catch


@pytest.fixture(scope="session")
def ctx():
    return create_context("egl")


@pytest.fixture(scope="session")
def renderer(ctx):
    return TileRenderer(ctx, 32)
