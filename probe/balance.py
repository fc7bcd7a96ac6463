"""The teacher-driven balancer: label D_S with the teacher, then pick a class-balanced D_K from it.

Paper section 3.2: every D_S image goes through the teacher; for each class N examples are drawn at random
from those predicted as that class; a class predicted 0 times is skipped and its quota goes to the other
classes; a class predicted fewer than N times has its examples replicated up to N. How balanced a set is,
is the relative entropy H(p) / log C of its argmax histogram p (1 = every class equally often).

Other selection strategies from the peer papers use the same quotas but choose differently within a class:
``confidence`` takes the examples the teacher is most sure of (DFND / ODSD style), ``entropy`` the ones it
is least sure of (MosaicKD's out-of-domain subset); ``random`` ignores the classes altogether.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field

import numpy as np
import torch

from synthkd.core.classes import histogram
from synthkd.core.dataset import Dataset
from synthkd.core.settings import opt, positive_int, require
from synthkd.core.tensors import soft_stats, to_float

STRATEGIES = ("balanced", "confidence", "entropy", "random")


@dataclass(frozen=True, kw_only=True)
class BalanceSettings:
    """How many D_K examples per class, and how they are chosen within a class."""

    per_class: int | None = opt(None, "examples per class (default: |D_S| / classes)", "--per-class",
                                type=positive_int)
    total: int | None = opt(None, "D_K size, split evenly over the classes (instead of --per-class)", "--total",
                            type=positive_int)
    strategy: str = opt("balanced", "within a class: random draw (the paper), most confident first, highest "
                        "entropy first; 'random' ignores classes", "--strategy", choices=STRATEGIES)

    def __post_init__(self) -> None:
        require(self.per_class is None or self.total is None, "give --per-class or --total, not both")
        require(self.strategy in STRATEGIES,
                f"unknown selection strategy {self.strategy!r} (choose from {', '.join(STRATEGIES)})")


@dataclass
class Predictions:
    """The teacher's view of every image of a dataset: argmax class, max softmax and softmax entropy."""

    labels: np.ndarray  # int64 (N,)
    confidence: np.ndarray  # float32 (N,)
    entropy: np.ndarray  # float32 (N,)
    seconds: float = 0.0

    def __len__(self) -> int:
        return len(self.labels)


def _batches(ds: Dataset, chunks: list[int], batch: int) -> Iterator[tuple[int, bool, np.ndarray]]:
    """(chunk, last batch of the chunk?, images) for ``chunks`` of ``ds`` in order, ``batch`` images at a time."""
    for k in chunks:
        images = ds.chunk_images(k)
        for i in range(0, len(images), batch):
            yield k, i + batch >= len(images), np.array(images[i:i + batch])


def _prefetch(items: Iterator, depth: int = 2) -> Iterator:
    """Iterate ``items`` on a background thread, ``depth`` ahead: reading overlaps the forward pass. An error
    on that thread (a damaged chunk, a read that fails) is raised here, where the items are consumed."""
    q: queue.Queue = queue.Queue(depth)
    done = object()
    failed: list[BaseException] = []

    def fill() -> None:
        try:
            for item in items:
                q.put(item)
        except BaseException as exc:  # handed to the consumer, which raises it
            failed.append(exc)
        finally:
            q.put(done)

    threading.Thread(target=fill, daemon=True).start()
    while (item := q.get()) is not done:
        yield item
    if failed:
        raise failed[0]


def predict_chunks(ds: Dataset, model: torch.nn.Module, chunks: list[int], batch: int = 256,
                   device: torch.device | str = "cpu", amp: bool = False,
                   bar=None) -> Iterator[tuple[int, Predictions]]:
    """Run the teacher over the given chunks of ``ds``, yielding ``(chunk, Predictions)`` as each completes
    (so a caller can save them and a killed run loses at most one chunk of work)."""
    device = torch.device(device)
    autocast = torch.autocast("cuda", dtype=torch.bfloat16) if amp and device.type == "cuda" else nullcontext()
    parts: list[tuple[torch.Tensor, ...]] = []
    clock = time.perf_counter()
    with torch.inference_mode(), autocast:
        # On the CPU the background thread also converts to float; on CUDA the uint8 batch is converted there.
        batches = ((k, end, to_float(images) if device.type == "cpu" else torch.from_numpy(images))
                   for k, end, images in _batches(ds, chunks, batch))
        for k, end, x in _prefetch(batches):
            if x.dtype == torch.uint8:
                x = to_float(x.permute(0, 3, 1, 2), device)
            parts.append(tuple(t.cpu() for t in soft_stats(model(x))))
            if bar is not None:
                bar.update(len(x))
            if end:
                # Copied into numpy's own memory: small torch tensors kept for the whole run would pin the freed
                # logits of every batch between them (the process's memory grew with D_S).
                columns = (np.concatenate([t.numpy() for t in col]) for col in zip(*parts, strict=True))
                yield k, Predictions(*columns, seconds=time.perf_counter() - clock)
                parts, clock = [], time.perf_counter()


def join(parts: list[Predictions]) -> Predictions:
    return Predictions(*(np.concatenate([getattr(p, f) for p in parts]) for f in ("labels", "confidence", "entropy")),
                       seconds=sum(p.seconds for p in parts))


@dataclass
class Selection:
    """Which D_S images form D_K (``indices``, in D_K order) and how the quotas came out."""

    indices: np.ndarray
    quotas: list[int]
    available: list[int]
    skipped: list[int] = field(default_factory=list)  # classes the teacher never predicted
    replicated: list[int] = field(default_factory=list)  # classes with fewer examples than their quota

    def info(self) -> dict:
        return {"quotas": self.quotas, "available": self.available, "skipped_classes": self.skipped,
                "replicated_classes": self.replicated}


def quotas(available: np.ndarray, total: int) -> list[int]:
    """``total`` split as evenly as possible over the classes that have at least one example; the remainder
    goes one each to the classes with the most examples (ties: lower class index)."""
    present = np.flatnonzero(available > 0)
    q = np.zeros(len(available), dtype=np.int64)
    if len(present) == 0:
        return q.tolist()
    q[present] = total // len(present)
    extra = total - int(q.sum())
    order = present[np.lexsort((present, -available[present]))]
    q[order[:extra]] += 1
    return q.tolist()


def select(pred: Predictions, num_classes: int, total: int, strategy: str = "balanced", seed: int = 0) -> Selection:
    """Pick ``total`` D_S indices per the paper's balancing rule (see the module docstring).

    Within a class, ``balanced`` draws at random, ``confidence`` takes the highest max-softmax first and
    ``entropy`` the highest softmax entropy first; a class short of its quota is replicated: all its
    examples as many whole times as fit, the rest drawn (or ranked) from it once more. ``random`` draws
    ``total`` images from all of D_S regardless of class. The result is shuffled with ``seed``.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown selection strategy {strategy!r} (choose from {', '.join(STRATEGIES)})")
    rng = np.random.default_rng(seed)
    available = histogram(pred.labels, num_classes)
    if strategy == "random":
        picked = rng.choice(len(pred), size=total, replace=total > len(pred))
        return Selection(rng.permutation(picked), [], available.tolist())
    q = quotas(available, total)
    picked, replicated = [], []
    for c in range(num_classes):
        members = np.flatnonzero(pred.labels == c)
        if q[c] == 0 or len(members) == 0:
            continue
        if strategy == "balanced":
            members = rng.permutation(members)
        else:
            key = pred.confidence if strategy == "confidence" else pred.entropy
            members = members[np.argsort(-key[members], kind="stable")]
        whole, rest = divmod(q[c], len(members))
        if q[c] > len(members):
            replicated.append(c)
        picked += [members] * whole + [members[:rest]]
    skipped = [c for c in range(num_classes) if available[c] == 0]
    return Selection(rng.permutation(np.concatenate(picked)), q, available.tolist(), skipped, replicated)
