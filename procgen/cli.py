"""What every synthkd command shares: one-line errors, shard/torchrun handling, the progress bar."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from tqdm import tqdm

from procgen.dataset import Shard


class UsageError(Exception):
    """Bad input found before any work started; printed as one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse that reports bad arguments on one line (``prog: error: ...``) and shows defaults in --help."""

    def __init__(self, **kwargs):
        kwargs.setdefault("formatter_class", argparse.ArgumentDefaultsHelpFormatter)
        super().__init__(**kwargs)

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def run(prog: str, body: Callable[[], int | None], errors: tuple[type[Exception], ...] = ()) -> int:
    """Run a command body; known error types become ``prog: error: message`` and exit status 2."""
    try:
        return body() or 0
    except (UsageError, *errors) as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog}: interrupted; run the same command again to resume", file=sys.stderr)
        return 130


def resolve_shard(text: str | None, out: Path) -> tuple[Shard | None, Path]:
    """``--shard I/N`` as given, or under torchrun one shard per rank in ``OUT/shard-RANK-of-WORLD``."""
    if text is not None:
        return Shard.parse(text), out
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1:
        rank = int(os.environ["RANK"])
        return Shard(rank, world), out / f"shard-{rank}-of-{world}"
    return None, out


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def float_range(text: str) -> tuple[float, float]:
    try:
        lo, hi = (float(x) for x in text.replace(",", ":").split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected LO:HI, got {text!r}") from None
    if not lo < hi:
        raise argparse.ArgumentTypeError(f"expected LO < HI, got {text!r}")
    return lo, hi


def progress(total: int, desc: str, unit: str = "img", quiet: bool = False) -> tqdm:
    return tqdm(total=total, desc=desc, unit=unit, unit_scale=False, dynamic_ncols=True, disable=quiet,
                smoothing=0.1)
