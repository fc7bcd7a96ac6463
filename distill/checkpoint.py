"""Continuing a distillation run after a kill: ``checkpoint.pt`` after every epoch, read back with ``--resume``.

A checkpoint holds the student, the optimiser, the loss scaler, the schedule (steps done, the time trained, where
the learning rate moved), every process's global random generators, the settings and the metrics so far. Batches
need nothing more: their random numbers are seeded by (seed, epoch, step). It is written to a temporary file and
renamed, and read back with ``torch.load(weights_only=True)``: a checkpoint is data, and a planted one cannot run
code.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.distributed as torch_dist

from synthkd.core.files import atomic_write
from synthkd.core.runtime import Dist
from synthkd.core.settings import Fault
from synthkd.distill.settings import DistillError

CHECKPOINT = "checkpoint.pt"
FORMAT = "synthkd-distill/2"


def rng_states() -> dict[str, Any]:
    """This process's global random generators (torch, CUDA, numpy, python)."""
    return {"torch": torch.get_rng_state(), "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
            "numpy": _numpy_state(), "python": random.getstate()}


def _numpy_state() -> list:
    name, keys, pos, has_gauss, gauss = np.random.get_state()
    return [name, keys.tolist(), pos, has_gauss, gauss]


def set_rng_states(states: dict[str, Any]) -> None:
    torch.set_rng_state(states["torch"])
    if states["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(states["cuda"])
    name, keys, pos, has_gauss, gauss = states["numpy"]
    np.random.set_state((name, np.asarray(keys, dtype=np.uint32), pos, has_gauss, gauss))
    random.setstate(_as_tuples(states["python"]))


def _as_tuples(value: Any) -> Any:
    return tuple(_as_tuples(v) for v in value) if isinstance(value, (list, tuple)) else value


def save_checkpoint(out: Path, dist: Dist, state: dict[str, Any]) -> None:
    """Write ``state`` (everything but the random generators) with every process's generator states gathered
    into it; rank 0 writes, atomically."""
    states = rng_states()
    if dist.world > 1:
        gathered: list[Any] = [None] * dist.world
        torch_dist.all_gather_object(gathered, states)
    else:
        gathered = [states]
    if dist.main:
        out.mkdir(parents=True, exist_ok=True)
        atomic_write(out / CHECKPOINT, lambda f: torch.save({"format": FORMAT, **state, "rng": gathered}, f))
    if dist.world > 1:
        torch_dist.barrier()


def read_checkpoint(out: Path, settings: dict[str, Any]) -> dict[str, Any] | None:
    """The checkpoint in ``out`` if there is one, checked against this run's ``settings`` (same settings, same
    data); None if there is none. A damaged file is a :class:`Fault`, other settings a :class:`DistillError`."""
    path = Path(out) / CHECKPOINT
    if not path.is_file():
        return None
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        then = dict(state["settings"])
    except Exception as exc:  # truncated, overwritten, not a checkpoint, or objects a data file may not hold
        reason = next(iter(str(exc).strip().splitlines()), type(exc).__name__).split(". ")[0][:200]
        raise Fault(f"cannot resume from {path}: it is damaged or not a checkpoint ({reason}); delete {out} to "
                    "start the run again, or choose another --out") from None
    changed = data_changes(then, settings)
    if changed:
        raise DistillError(f"cannot resume {out}: its data changed since the run started ({'; '.join(changed)}); "
                           "give the data it started with, or choose another --out")
    diff = [f"{k}: {then.get(k)!r} there, {settings.get(k)!r} now" for k in dict.fromkeys([*then, *settings])
            if then.get(k) != settings.get(k)]
    if state.get("format") != FORMAT or diff:
        diff = diff or [f"format {state.get('format')!r}, now {FORMAT!r}"]
        raise DistillError(f"cannot resume {out}: it was run with other settings ({'; '.join(diff[:4])}); "
                           "use the same settings or another --out")
    return state


def data_changes(then: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """What differs between the data a run started on and the data it is given now (``data_identity``:
    generator, seed, total, image count, fingerprint), wherever either lies: a run directory moved together with
    its data resumes."""
    a, b = then.get("data_identity") or {}, now.get("data_identity") or {}
    return [f"{k} {a[k]} -> {b.get(k)}" for k in a if a[k] is not None and a[k] != b.get(k)]
