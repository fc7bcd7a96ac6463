"""Shared fixtures: a real headless EGL context (Mesa llvmpipe on CI) and the test shader folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from shaders.gl import create_context
from shaders.render import TileRenderer

TESTS = Path(__file__).resolve().parent
MODES = TESTS / "shaders" / "modes"  # one small shader per TwiGL mode (and Shadertoy)
BAD = TESTS / "shaders" / "bad"  # shaders each filter or check must catch


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    """Shader-check verdicts are cached per machine; tests start from an empty cache of their own."""
    mp = pytest.MonkeyPatch()
    mp.setenv("SYNTHKD_CACHE_DIR", str(tmp_path_factory.mktemp("synthkd-cache")))
    yield
    mp.undo()


@pytest.fixture(scope="session")
def ctx():
    return create_context("egl")


@pytest.fixture(scope="session")
def renderer(ctx):
    return TileRenderer(ctx, 32)
