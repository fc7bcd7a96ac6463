"""Measurements that write ``NAME-results.md`` and ``.json`` beside them; the helpers they share."""

from __future__ import annotations

import statistics
import sys
from pathlib import Path
from typing import Any

from synthkd.core.dataset import write_json

HERE = Path(__file__).resolve().parent


def command_of(module: str, argv: list[str] | None) -> str:
    """The command line that made a result, as a reader would type it."""
    return f"python -m {module} " + " ".join(argv if argv is not None else sys.argv[1:])


def publish(name: str, record: dict[str, Any]) -> None:
    """Write ``NAME-results.json`` (the markdown beside it is the experiment's own) and print the markdown."""
    write_json(HERE / f"{name}-results.json", record)
    print((HERE / f"{name}-results.md").read_text())


def spread(values: list[float]) -> str:
    """Mean ± standard deviation of a result over seeds (the value alone for one seed)."""
    return f"{statistics.mean(values):.3f} ± {statistics.stdev(values):.3f}" if len(values) > 1 else \
        f"{values[0]:.3f}"
