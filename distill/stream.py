"""Streaming D_K: fresh images for every epoch, made beside the training instead of read from a fixed dataset.

The stream is a sequence of *windows*, one per epoch. Window ``w`` of a run is made from its own range of a
generator's chunks (synthkd.core.generate: chunk ``c`` is a pure function of the seed and ``c``): the teacher
labels ``window x overshoot`` fresh candidates, the balancer draws a class-balanced window from them (the
paper's quotas: a rare class is replicated, a class never predicted is skipped), optionally the prober adds
boundary pairs, and the epoch trains ``reuse`` passes over the window, each batch augmented and mixed as in a
fixed-data run. Everything depends on (seed, window, step) only, never on timing, so a seed gives the same run
and a checkpoint resumes at the same place in the stream; each torchrun rank draws its own share of the chunks.

A background process (spawned, so that it can hold its own GL context) renders, labels, balances and augments
window after window and hands the batches to the training process through a bounded queue, at most a few
batches ahead.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from synthkd.core.generate import MakeChunk
from synthkd.core.models import TeacherSpec
from synthkd.core.settings import opt, positive_int, require
from synthkd.core.steer import LEVERS, MIN_GROUPS, SteerSettings, pilot_floor
from synthkd.core.tensors import predict, to_uint8
from synthkd.distill.pipeline import Pipeline
from synthkd.distill.sources import NAMES, source_of, source_settings, source_spec

MIX = "mix"  # shaders and Leaves, half each
CHUNK = 1024  # images per generator chunk in the stream (fewer where a window needs fewer: StreamSettings.chunk)


def stream_source(text: str) -> str:
    """An option type: a ``--source`` value, or ``mix``."""
    try:
        return text if text == MIX else source_spec(text)
    except argparse.ArgumentTypeError as e:
        raise argparse.ArgumentTypeError(f"{e}, or {MIX}") from None


@dataclass(frozen=True, kw_only=True)
class StreamSettings:
    """Where a streaming run's images come from and how often each is used."""

    source: str | None = opt(None, "train on a stream of fresh images from this generator instead of --data: "
                             f"{NAMES}, or {MIX} (shaders and Leaves, half each)", "--stream",
                             type=stream_source, metavar="SOURCE")
    window: int = opt(10240, "fresh images per epoch (a window of the stream, balanced by the teacher)",
                      "--stream-window", type=positive_int)
    overshoot: float = opt(2.0, "candidates rendered and labelled per window image; the balancer picks the window "
                           "from them", "--stream-overshoot", type=float)
    reuse: int = opt(2, "passes over each window per epoch (each image trained on this many times, differently "
                     "augmented)", "--stream-reuse", type=positive_int)
    probe: float = opt(0.0, "share of each window probed for boundary pairs (their images join the window)",
                       "--stream-probe", type=float)
    size: int = opt(32, "image size of the stream", "--stream-size", type=positive_int)
    steer: str | None = opt(None, "steer the stream's generator towards the teacher's rare classes (as --steer of "
                            "render-*)", "--stream-steer", choices=LEVERS)

    def __post_init__(self) -> None:
        if self.source not in (None, MIX):
            source_of(self.source)  # an unknown source, or a bad images:DIR, is refused before any work
        require(self.overshoot >= 1, f"--stream-overshoot must be at least 1, got {self.overshoot}")
        require(0 <= self.probe <= 1, f"--stream-probe must be in [0, 1], got {self.probe}")

    @property
    def chunk(self) -> int:
        """Images per generator chunk: ``CHUNK``, or a window's candidates where they are fewer (but never fewer
        than the largest pilot a steering fit needs), so a small window does not render a chunk to use a part."""
        return min(CHUNK, max(math.ceil(self.window * self.overshoot), pilot_floor(MIN_GROUPS)))

    @property
    def chunks_per_window(self) -> int:
        return math.ceil(self.window * self.overshoot / self.chunk)


def source_chunks(s: StreamSettings, seed: int, teacher: TeacherSpec | None = None,
                  chosen: dict | None = None) -> tuple[MakeChunk, dict | None]:
    """``make_chunk`` of the stream's source (``mix``: even chunks shaders, odd chunks Leaves), steered by
    ``teacher`` when ``s.steer`` asks for it (with the plan ``chosen``, or plans fitted now), and the plan."""
    steering = {"teacher": teacher, "steering": SteerSettings(steer=s.steer)} if s.steer else {}
    common = {"n": s.chunk, "size": s.size, "seed": seed, "chunk_size": s.chunk, "quiet": True, **steering}

    def chunks_of(name: str, plan: dict | None) -> tuple[MakeChunk, dict | None]:
        return source_of(name)[0].chunks(source_settings(name, **common), plan)

    if s.source != MIX:
        return chunks_of(s.source, chosen)
    (shaders, plan_s), (leaves, plan_l) = (chunks_of(name, (chosen or {}).get(name)) for name in ("shaders", "leaves"))

    def make(c: int, count: int) -> tuple[np.ndarray, dict[str, list], dict[str, int]]:
        return (shaders if c % 2 == 0 else leaves)(c // 2, count)

    return make, ({"shaders": plan_s, "leaves": plan_l} if s.steer else None)


def window_chunks(s: StreamSettings, window: int, rank: int = 0, world: int = 1) -> list[int]:
    """The generator chunks window ``window`` is drawn from on ``rank`` (window -1: the held-out images)."""
    k = s.chunks_per_window
    first = ((window + 1) * world + rank) * k
    return list(range(first, first + k))


@dataclass
class Window:
    """One epoch's images: uint8 (N, 3, H, W) and the teacher's class of each."""

    images: torch.Tensor
    labels: np.ndarray
    counts: dict[str, int]


def make_window(s: StreamSettings, make_chunk: MakeChunk, teacher: torch.nn.Module, classes: int, seed: int,
                window: int, rank: int = 0, world: int = 1, device: torch.device | str = "cpu") -> Window:
    """Render (with ``make_chunk``, from :func:`source_chunks`), label, balance (and probe) window ``window``: a
    pure function of its arguments."""
    from synthkd.probe.attack import BoundaryPairAttack
    from synthkd.probe.balance import Predictions, select
    from synthkd.probe.stage import boundary_examples

    wanted = math.ceil(s.window * s.overshoot)
    candidates = np.concatenate([make_chunk(c, s.chunk)[0] for c in window_chunks(s, window, rank, world)])[:wanted]
    probs = predict(teacher, candidates, device).softmax(1)
    confidence, labels = probs.max(1)
    pred = Predictions(labels.numpy(), confidence.numpy(), np.zeros(len(labels), np.float32))
    picked = select(pred, classes, s.window, "balanced", seed=int(np.random.SeedSequence([seed, window, rank])
                                                                       .generate_state(1)[0]))
    images, labels = candidates[picked.indices], pred.labels[picked.indices]
    counts = {"candidates": len(candidates), "window": len(images),
              "classes_present": int(sum(q > 0 for q in picked.quotas))}
    probed = int(round(s.probe * len(images)))
    if probed:
        attack = BoundaryPairAttack(teacher, num_classes=classes)
        extra, columns, pair_counts = boundary_examples(teacher, attack, images[:probed], picked.indices[:probed],
                                                        labels[:probed].tolist(), 256, seed * 7919 + window, device,
                                                        classes=np.unique(labels))
        images = np.concatenate([images, extra])
        labels = np.concatenate([labels, np.asarray(columns["label"], dtype=np.int64)])
        counts.update(pair_counts)
    return Window(to_uint8(images).contiguous(), labels, counts)


def _produce(s: StreamSettings, teacher_spec: TeacherSpec, chosen: dict | None, classes: int, seed: int, aug: str,
             mixup_alpha: float, augment_pairs: bool, batch: int, first: int, last: int, rank: int, world: int,
             out: multiprocessing.Queue) -> None:
    """The background process: windows ``first``..``last - 1``, each as ``reuse`` passes of augmented, mixed
    batches (boundary pairs unaugmented unless ``augment_pairs``), put on ``out`` as (epoch, step, batch); then
    None. An exception is put on ``out`` as its text."""
    threading.Thread(target=_exit_with_parent, daemon=True).start()
    try:
        torch.set_num_threads(1)
        teacher = teacher_spec.load(check_size=s.size)
        make_chunk = source_chunks(s, seed, teacher_spec, chosen)[0]
        pipeline = Pipeline(aug, mixup_alpha, seed)
        steps = len(window_batches(s.window, batch, s.reuse, seed, 0))  # per window, whatever pairs it gained
        for w in range(first, last):
            win = make_window(s, make_chunk, teacher, classes, seed, w, rank, world)
            out.put(("window", w, win.counts))
            for step, positions in enumerate(window_batches(len(win.images), batch, s.reuse, seed, w)[:steps]):
                # As a NumPy array: pickled by value, so the batch outlives this process (a torch tensor would be
                # shared memory that the receiver fetches from this process, which may have ended by then).
                plain = None if augment_pairs else torch.from_numpy(positions >= win.counts["window"])
                out.put(("batch", w, step, pipeline(win.images[positions], w, step, plain).numpy()))
        out.put(None)
    except Exception as exc:  # the training process reports it in one line
        out.put(("error", f"{type(exc).__name__}: {exc}"))


def _exit_with_parent() -> None:
    """End this process as soon as the training process is gone (killed): whether it is rendering, waiting on a
    full queue or exiting (which waits until the queue's pipe is read), nothing else would end it."""
    multiprocessing.parent_process().join()
    os._exit(0)


def window_batches(n: int, batch: int, reuse: int, seed: int, window: int) -> list[np.ndarray]:
    """Positions of each batch of a window: ``reuse`` seeded shuffles, cut into full batches."""
    rng = np.random.default_rng([seed, window, 3])
    order = np.concatenate([rng.permutation(n) for _ in range(reuse)])
    return [order[i:i + batch] for i in range(0, len(order) - batch + 1, batch)]


class StreamLoader:
    """Batches of the stream for the training loop, the way its DataLoader gives them: ``set_epoch`` then
    iterate (epoch, step) in order. Starts its background process at the first epoch it is asked for."""

    def __init__(self, s: StreamSettings, teacher_spec: TeacherSpec, chosen: dict | None, classes: int, seed: int,
                 aug: str, mixup_alpha: float, augment_pairs: bool, batch: int, epochs: int, rank: int = 0,
                 world: int = 1, timeout: float = 600.0):
        self.args = (s, teacher_spec, chosen, classes, seed, aug, mixup_alpha, augment_pairs, batch)
        self.epochs, self.rank, self.world, self.timeout = epochs, rank, world, timeout
        self.steps = len(window_batches(s.window, batch, s.reuse, seed, 0))  # probed pairs add no steps
        self.epoch, self.process, self.queue = 0, None, None
        self.window_counts: dict[int, dict[str, int]] = {}

    def __len__(self) -> int:
        return self.steps

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __iter__(self) -> Iterator[tuple[torch.Tensor, int, int, None]]:
        if self.process is None:
            self._start(self.epoch)
        for step in range(self.steps):
            item = self._next()
            while item[0] == "window":
                self.window_counts[item[1]] = item[2]
                item = self._next()
            _, epoch, got_step, batch = item
            if (epoch, got_step) != (self.epoch, step):
                raise RuntimeError(f"the stream gave epoch {epoch} step {got_step}, expected {self.epoch} {step}")
            yield torch.from_numpy(batch), epoch, step, None

    def _start(self, first: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.queue = context.Queue(maxsize=8)
        self.process = context.Process(target=_produce, args=(*self.args, first, self.epochs, self.rank, self.world,
                                                              self.queue), daemon=True)
        self.process.start()

    def _next(self) -> Any:
        waited = 0.0
        while True:
            try:
                item = self.queue.get(timeout=2.0)
                break
            except queue.Empty:
                waited += 2.0
                if not self.process.is_alive():
                    raise RuntimeError(f"the stream process died (exit code {self.process.exitcode})") from None
                if waited >= self.timeout:
                    raise RuntimeError(f"the stream made nothing in {self.timeout:g} s") from None
        if item is None:
            raise RuntimeError("the stream ended early")
        if item[0] == "error":
            raise RuntimeError(f"the stream failed: {item[1]}")
        return item

    def close(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.join()
            self.process = None


def held_out(make_chunk: MakeChunk, s: StreamSettings, count: int) -> np.ndarray:
    """``count`` stream images no epoch trains on (window -1), for the student-teacher agreement check."""
    chunks = window_chunks(s, -1)[:math.ceil(s.window / s.chunk)]
    return np.concatenate([make_chunk(c, s.chunk)[0] for c in chunks])[:count]
