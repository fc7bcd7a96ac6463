"""Measurements that write ``NAME-results.md`` and ``.json`` beside them; the helpers they share."""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from synthkd.core.files import write_json

HERE = Path(__file__).resolve().parent


def command_of(module: str, argv: list[str] | None) -> str:
    """The command line that made a result, as a reader would type it."""
    return f"python -m {module} " + " ".join(argv if argv is not None else sys.argv[1:])


def publish(name: str, record: dict[str, Any]) -> None:
    """Write ``NAME-results.json`` (the markdown beside it is the experiment's own) and print the markdown."""
    write_json(HERE / f"{name}-results.json", record)
    print((HERE / f"{name}-results.md").read_text())


def previous(name: str) -> dict[str, Any]:
    """What ``NAME-results.json`` holds so far (its rows and the commands that made them), or nothing."""
    path = HERE / f"{name}-results.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def record(name: str, argv: list[str] | None, rows: list[dict[str, Any]], old: dict[str, Any],
           write_markdown: Callable[[list[dict[str, Any]], dict[str, str]], None]) -> None:
    """Add this command to those that made the results, then write the markdown and publish the JSON."""
    commands = {**old.get("commands", {}), command_of(f"experiments.{name}", argv): time.strftime("%Y-%m-%d")}
    write_markdown(rows, commands)
    publish(name, {"rows": rows, "commands": commands})


def spread(values: list[float]) -> str:
    """Mean ± standard deviation of a result over seeds (the value alone for one seed)."""
    return f"{statistics.mean(values):.3f} ± {statistics.stdev(values):.3f}" if len(values) > 1 else \
        f"{values[0]:.3f}"
