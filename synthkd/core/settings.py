"""Settings dataclasses, the one place where each option's default, spelling and help live.

A stage's settings are a frozen dataclass; every field that is also a command-line option carries its flags and
help in the field's metadata (:func:`opt`). ``synthkd.core.cli`` builds each command's argparse options from
those fields, so an option is spelled, defaulted and explained once, and the same dataclass is what a script
passes to the stage function. Values are checked in ``__post_init__``: a bad value raises :class:`UsageError`,
which every command reports as one line with exit status 2 before any work starts.

The options that several commands share (``--device``, ``--batch-size``, ``--seed``, ``--shard``, ``--quiet``)
are made by the functions below, so they cannot drift apart.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from dataclasses import MISSING, Field, field
from typing import Any

REQUIRED = MISSING  # the default of an option that must be given


class UsageError(ValueError):
    """Bad input found before any work started; commands print it as one line and exit with status 2."""


class Fault(RuntimeError):
    """Something failed while working (a file that cannot be read or written, a damaged file, a worker that died,
    a folder another process is writing); commands print it as one line and exit with status 1. Nothing
    half-written is left where a finished file is expected, so the same command continues once the cause is gone."""


def opt(default: Any = MISSING, help: str = "", *flags: str, deprecated: tuple[str, ...] = (),
        show: Callable[[Any], str] | None = None, **argparse_kwargs: Any) -> Field:
    """A dataclass field that is also a command-line option.

    ``flags``: its spellings (the first one is the one shown and printed); ``deprecated``: old spellings that
    still work, hidden from ``--help``, with a one-line warning; ``show``: turns a value back into the text
    the option takes (for printing a command line); other keywords go to ``argparse.add_argument``.
    A field without a default is a required option.
    """
    metadata = {"help": help, "flags": flags, "deprecated": deprecated, "show": show, "argparse": argparse_kwargs}
    if isinstance(default, (list, dict, set)):
        return field(default_factory=lambda: type(default)(default), metadata=metadata)
    return field(default=default, metadata=metadata)


def group(title: str) -> dict[str, Any]:
    """Metadata of a field that holds a nested settings dataclass: its options form an argparse group."""
    return {"group": title}


# ---------------------------------------------------------------------------------------- value parsers


def int_at_least(minimum: int) -> Callable[[str], int]:
    """An option type: a whole number no smaller than ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


positive_int = int_at_least(1)


def fraction(text: str) -> float:
    """An option type: a number in [0, 1]."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be in [0, 1], got {text}")
    return value


def float_range(text: str) -> tuple[float, float]:
    """An option type: ``LO:HI`` with LO < HI."""
    try:
        lo, hi = (float(x) for x in text.replace(",", ":").split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected LO:HI, got {text!r}") from None
    if not lo < hi:
        raise argparse.ArgumentTypeError(f"expected LO < HI, got {text!r}")
    return lo, hi


def show_range(value: tuple[float, float]) -> str:
    return f"{value[0]:g}:{value[1]:g}"


def words(text: str) -> tuple[str, ...]:
    """An option type: comma-separated words."""
    return tuple(x.strip() for x in text.split(",") if x.strip())


def require(ok: bool, message: str) -> None:
    """Raise :class:`UsageError` with ``message`` unless ``ok``: the checks in settings' ``__post_init__``."""
    if not ok:
        raise UsageError(message)


def finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def whole(value: Any, least: int = 0, most: float = math.inf) -> bool:
    """``value`` is an int (not a bool) in ``least``..``most``: a count read from a file is checked this way."""
    return isinstance(value, int) and not isinstance(value, bool) and least <= value <= most


# --------------------------------------------------------------------- options that several commands share


def device_field() -> Field:
    return opt("auto", "auto (this process's GPU under torchrun, else the first GPU, else cpu), cpu, cuda, cuda:N",
               "--device")


def batch_size_field(default: int = 256) -> Field:
    return opt(default, "images per batch: per teacher forward pass (probe), per training step (distill; the "
               "global batch, split over torchrun processes)", "--batch-size", deprecated=("--batch",),
               type=positive_int)


def seed_field(help: str = "seed of the whole run (0 or more)") -> Field:
    return opt(0, help, "--seed", type=int_at_least(0))


def shard_field() -> Field:
    return opt(None, "make only the I-th of N equal parts (under torchrun: one part per rank, written to "
               "OUT/shard-RANK-of-WORLD)", "--shard", metavar="I/N")


def quiet_field() -> Field:
    return opt(False, "no progress bars or progress lines", "--quiet", action="store_true")
