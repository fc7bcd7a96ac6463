"""Where training stands at each optimiser step, and when it ends: by steps, by wall time, or replayed.

The learning rate is a half cosine of the run's *progress* p in [0, 1]: ``lr * (1 + cos(pi p)) / 2``. Progress
comes from one of three places:

- steps: ``p = step / total`` (``--epochs``), the classic schedule;
- time: ``p = elapsed / (allotted - tail)`` (``--minutes``), in steps of 1/``LEVELS`` so that it moves at most
  ``LEVELS`` times; the *tail* is the seconds the last epoch's checks and checkpoint took, which follow the last step
  too. Training ends at the first step that finds that time used up. A slower or busier machine takes fewer steps,
  not longer. Every move is recorded as (step, progress), which is what the run did;
- replay: those recorded moves and step count (``--replay``), with no clock at all, so the same run comes out
  again bit for bit.

A timed schedule also ends after ``total`` steps (``--epochs`` as a cap) if that comes first. Its clock is
injected (``time.monotonic`` by default), so that tests can slow it down or speed it up.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from synthkd.core.files import read_json
from synthkd.core.settings import finite
from synthkd.distill.settings import DistillError

LEVELS = 1000  # a timed schedule's progress moves in steps of 1 / LEVELS
Clock = Callable[[], float]


class Schedule:
    """Progress and the end of training, step by step (see the module's docstring)."""

    def __init__(self, total: int, seconds: float | None = None, replay: dict[str, Any] | None = None,
                 clock: Clock = time.monotonic, agree: Callable[[float], float] | None = None):
        """``total``: the step count (or cap); ``seconds``: the time allotted; ``replay``: a :meth:`record`;
        ``agree``: turns this process's elapsed seconds into the value every process uses (under torchrun)."""
        self.total, self.seconds, self.clock, self.agree = total, seconds, clock, agree
        self.replayed = replay
        self.points: list[list[float]] = [] if replay is None else [list(p) for p in replay["points"]]
        self.ends_at = total if replay is None else int(replay["steps"])
        self.elapsed_before = 0.0  # seconds trained before this process (a resumed run)
        self.started: float | None = None
        self.elapsed = 0.0  # seconds trained so far, as last read
        self.last_progress = 0.0
        self.finished = False
        self.tail = 0.0  # seconds the run takes after an epoch's last step, as last measured (see close_epoch)
        self.epoch_end: float | None = None

    @property
    def timed(self) -> bool:
        return self.seconds is not None and self.replayed is None

    @property
    def deadline(self) -> float:
        """The seconds of training a timed schedule allows: the time allotted less the tail."""
        return max(self.seconds - self.tail, 1e-9)

    def start(self, at: float | None = None) -> None:
        """Start (or, after :meth:`load_state_dict`, continue) the clock of a timed schedule: from ``at``, an
        earlier reading of its clock (so that the time the run took to load counts), or from now."""
        self.started = (self.clock() if at is None else at) if self.timed else None

    def _read(self) -> float:
        """Seconds of training so far, this process and earlier ones (read from the clock)."""
        here = self.clock() - self.started if self.started is not None else 0.0
        self.elapsed = self.elapsed_before + (self.agree(here) if self.agree is not None else here)
        return self.elapsed

    def progress(self, step: int) -> float:
        """Progress in [0, 1] for the step that follows ``step`` steps done (a timed schedule reads its clock and
        records a move)."""
        if self.replayed is not None:
            value = 0.0
            for at, p in self.points:
                if at > step:
                    break
                value = p
        elif not self.timed:
            value = step / self.total
        else:
            by_time = math.floor(min(1.0, self._read() / self.deadline) * LEVELS) / LEVELS
            value = max(by_time, step / self.total, self.last_progress)  # a shorter tail never moves it back
            if not self.points or value != self.points[-1][1]:
                self.points.append([step, value])
        self.last_progress = value
        return value

    def done(self, step: int) -> bool:
        """Whether training ends after ``step`` steps (timed: the time is up but for the tail, or the step cap is
        reached)."""
        if step >= self.ends_at or (self.timed and self._read() >= self.deadline):
            self.finished = True
        return self.finished

    def end_epoch(self) -> None:
        """Mark the end of an epoch's steps (timed: a clock reading), before its checks and checkpoint."""
        self.epoch_end = self.clock() if self.timed else None

    def close_epoch(self) -> None:
        """After the checks and checkpoint of the epoch :meth:`end_epoch` marked: the seconds they took become the
        tail, so that a timed run stops its last epoch early enough to pay for them within its time (under
        torchrun every process takes the largest, so that all stop at the same step)."""
        if self.epoch_end is not None:
            here = self.clock() - self.epoch_end
            self.tail = self.agree(here) if self.agree is not None else here

    def over(self, step: int) -> bool:
        """Whether training has ended, as last found (no clock reading): done, or the step count reached."""
        return self.finished or step >= self.ends_at

    def factor(self, step: int) -> float:
        """The learning rate's factor (half cosine of the progress) for the step after ``step`` steps done."""
        return 0.5 * (1.0 + math.cos(math.pi * self.progress(step)))

    def state_dict(self, step: int) -> dict[str, Any]:
        """What a checkpoint after ``step`` steps keeps of the schedule."""
        return {"steps": step, "points": [list(p) for p in self.points], "elapsed": self.elapsed,
                "finished": self.finished, "tail": self.tail}

    def load_state_dict(self, state: dict[str, Any]) -> int:
        """Continue from a checkpoint's :meth:`state_dict`; returns the steps done."""
        if self.replayed is None:
            self.points = [list(p) for p in state["points"]]
        self.elapsed_before, self.finished = float(state["elapsed"]), bool(state["finished"])
        self.tail = float(state.get("tail", 0.0))  # checkpoints written before the tail was kept have none
        self.elapsed = self.elapsed_before
        return int(state["steps"])

    def record(self, step: int) -> dict[str, Any]:
        """What the run did: its step count, where progress moved, and the seconds it trained (``--replay``
        takes this back)."""
        return {"steps": step, "points": [list(p) for p in self.points], "seconds": round(self.elapsed, 3),
                "allotted_seconds": self.seconds}


def schedule_problem(record: Any) -> str | None:
    """What is wrong with a recorded schedule (a step count, and (step, progress) points in order); None when
    nothing is."""
    try:
        steps = record["steps"]
        points = [(a, p) for a, p in record["points"]]
    except (TypeError, KeyError, ValueError):
        return "it is not a recorded schedule (steps and points)"
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in [steps, *(a for a, _ in points)]) \
            or not all(finite(p) for _, p in points):
        return "its steps must be whole numbers and its points (step, progress) pairs"
    ordered = all(a < b for (a, _), (b, _) in zip(points, points[1:], strict=False))
    if steps < 1 or not ordered or any(not 0.0 <= p <= 1.0 or a < 0 for a, p in points):
        return "the schedule's steps or points are out of range"
    return None


def read_schedule(path: Path) -> dict[str, Any]:
    """A recorded schedule (``schedule.json`` of a finished run), checked."""
    record = read_json(Path(path), "give the schedule.json of a finished distill run")
    if problem := schedule_problem(record):
        raise DistillError(f"--replay {path}: {problem}")
    return {"steps": record["steps"], "points": [list(p) for p in record["points"]]}
