"""Session fixtures: a real headless EGL context (Mesa llvmpipe on CI), a private shader-check cache, and a real
digits teacher. Shared helpers are in tests/helpers.py."""

from __future__ import annotations

import os
from collections import Counter

import pytest
import torch
from filelock import FileLock

from synthkd.core.runtime import usable_cores
from synthkd.shaders.gl import create_context
from synthkd.shaders.render import TileRenderer
from tests.helpers import Teacher, load_teacher, make_tiny, train_digits_teacher, untrained_teacher


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist (``-n N``, the default here), each worker gets its share of the cores for torch, and so
    do the programs the tests start: N processes each spinning every core's thread slow each other down many times
    over."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if workers > 1:
        threads = max(1, usable_cores() // workers)
        torch.set_num_threads(threads)
        os.environ["OMP_NUM_THREADS"] = str(threads)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Files with the most slow tests first (the order within a file kept): the workers take a file at a time, and a
    long file started last would be the suite's tail."""
    slow = Counter(item.path for item in items if item.get_closest_marker("slow"))
    items.sort(key=lambda item: -slow[item.path])


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


@pytest.fixture(scope="session")
def random_teacher(tmp_path_factory) -> Teacher:
    """An untrained resnet8_cifar with seeded weights (no training time): for tests of the mechanics."""
    return untrained_teacher(tmp_path_factory.mktemp("random-teacher") / "resnet8_random.pt")


@pytest.fixture(scope="session")
def digits_teacher(tmp_path_factory) -> Teacher:
    """resnet8_cifar trained for 10 epochs on the digits train split (~97 % test accuracy), once a test session:
    under pytest-xdist the first worker that needs it trains it into the session's folder, and the others wait for
    it there and load it, instead of each training its own."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return train_digits_teacher(tmp_path_factory.mktemp("teacher") / "digits_resnet8.pt")
    shared = tmp_path_factory.getbasetemp().parent  # this session's folder, above each worker's own
    path = shared / "digits_resnet8.pt"
    with FileLock(shared / "digits_resnet8.lock"):
        return load_teacher(path) if path.is_file() else train_digits_teacher(path)


@pytest.fixture(scope="session")
def tiny(tmp_path_factory):
    """A tiny distillation set-up (tests.helpers.make_tiny): a random teacher, a BN-free student, 64 images."""
    return make_tiny(tmp_path_factory.mktemp("distill-runs"))
