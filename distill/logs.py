"""A run's figures after every epoch: ``metrics.jsonl`` (rewritten whole, so it always matches the checkpoint),
TensorBoard when it is installed (it is optional), and one log line."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from synthkd.core.files import atomic_write

METRICS, TENSORBOARD = "metrics.jsonl", "tensorboard"
log = logging.getLogger(__name__)


def open_tensorboard(out: Path, epoch: int) -> Any:
    """A TensorBoard writer in ``out/tensorboard``, or None when tensorboard is not installed."""
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:
        return None
    return SummaryWriter(str(out / TENSORBOARD), purge_step=epoch + 1)


def log_metrics(out: Path, history: list[dict[str, Any]], tensorboard: Any) -> Any:
    """Write every epoch so far and show the last one; returns the TensorBoard writer (opened after the first
    epoch, so that a run refused before it leaves no folder behind)."""
    metrics = history[-1]
    lines = "".join(json.dumps(m) + "\n" for m in history)
    atomic_write(out / METRICS, lambda f: f.write(lines.encode()))
    if tensorboard is None and len(history) == 1:
        tensorboard = open_tensorboard(out, 0)
    if tensorboard is not None:
        for key, value in metrics.items():
            if key != "epoch" and isinstance(value, (int, float)):
                tensorboard.add_scalar(key, value, metrics["epoch"])
        tensorboard.flush()
    shown = ", ".join(f"{k} {v:.4g}" for k, v in metrics.items()
                      if k not in ("epoch", "seconds", "steps") and isinstance(v, (int, float)))
    log.info("epoch %d: %s", metrics["epoch"], shown)
    return tensorboard
