"""The training data of a distillation run: the dataset's images in batches, augmented and mixed.

Every batch's random numbers (augmentation, mixup lambda) come from a generator seeded by (seed, epoch, step), so
they do not depend on where the batch is made: on the GPU in the training process, or on the CPU in DataLoader
workers while the training process computes the previous step (which is what keeps a CPU run fed). Under
``torchrun`` each process takes its share of every global batch (DistributedSampler); augmentation draws are made
for the global batch, so a run on K processes computes the same batches as one process.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from synthkd.core.dataset import Dataset, open_dataset
from synthkd.core.runtime import Dist
from synthkd.core.settings import Fault
from synthkd.distill.pipeline import Pipeline
from synthkd.distill.settings import DistillError, DistillSettings

LOADER_TIMEOUT = 600.0  # seconds to wait for one batch from a DataLoader worker before giving up on it


def open_data(path: Path) -> Dataset:
    """The distillation dataset (D_K or D_S: only its images are used); it must hold images."""
    data = open_dataset(path)
    if len(data) == 0:
        raise DistillError(f"dataset {path} holds no images")
    return data


def split_holdout(n: int, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(training, held-out) image indices: a seeded random ``fraction`` held out (at least one image if any)."""
    order = np.random.default_rng([seed, 2]).permutation(n)
    held = min(n - 1, max(1, round(n * fraction))) if fraction > 0 else 0
    return np.sort(order[held:]), np.sort(order[:held])


@dataclass(frozen=True)
class BatchKey:
    """Which batch to make: its place in training (epoch, step) and this process's images of it."""

    epoch: int
    step: int
    positions: list[int]


class Batches(torch.utils.data.Sampler):
    """The DataLoader's batch sampler: this process's share of each global batch, tagged with (epoch, step)."""

    def __init__(self, sampler: torch.utils.data.DistributedSampler, batch_size: int):
        self.sampler, self.batch_size = sampler, batch_size

    def __len__(self) -> int:
        return len(self.sampler) // self.batch_size  # incomplete batches dropped

    def __iter__(self):
        order = list(self.sampler)
        for step in range(len(self)):
            yield BatchKey(self.sampler.epoch, step, order[step * self.batch_size:(step + 1) * self.batch_size])

    def set_epoch(self, epoch: int) -> None:
        self.sampler.set_epoch(epoch)


class Images(torch.utils.data.Dataset):
    """uint8 (3, H, W) images of a dataset directory at ``indices``, read a batch at a time from the memory-mapped
    chunks. Fetching a :class:`BatchKey` gives ``(batch, epoch, step, plain)``: uint8 images, or with ``pipeline``
    the augmented, mixed float batch (the CPU path: made in the DataLoader workers); ``plain`` marks the batch's
    rows that ``plain_rows`` (a boolean per dataset row, see :func:`boundary_rows`) keeps unaugmented, or is None."""

    def __init__(self, data: Dataset, indices: np.ndarray, pipeline: Pipeline | None = None,
                 plain_rows: torch.Tensor | None = None):
        self.data, self.indices, self.pipeline = data, np.asarray(indices, dtype=np.int64), pipeline
        self.offsets = np.cumsum([0] + [len(data.chunk_images(k)) for k in range(data.num_chunks)])
        self.plain_rows = plain_rows

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, i: int) -> torch.Tensor:
        return self.read([i])[0][0]

    def __getitems__(self, key: BatchKey) -> tuple[torch.Tensor, int, int, torch.Tensor | None]:
        images, plain = self.read(key.positions)
        if self.pipeline is not None:
            images, plain = self.pipeline(images.contiguous(), key.epoch, key.step, plain), None
        if torch.utils.data.get_worker_info() is not None:
            # Into shared memory here, where a failure (e.g. no room for the file) reaches the training process as
            # this batch's error; left to the queue's sending thread, it is printed there and the batch never comes.
            images.share_memory_()
        return images, key.epoch, key.step, plain

    def read(self, positions: list[int]) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The images at ``positions`` as uint8 (N, 3, H, W) (a view of (N, H, W, 3) memory), and which of them are
        to be left unaugmented (None: all are augmented)."""
        wanted = self.indices[np.asarray(positions, dtype=np.int64)]
        chunk = np.searchsorted(self.offsets, wanted, side="right") - 1
        size = self.data.image_size
        out = np.empty((len(wanted), size, size, 3), np.uint8)
        for k in np.unique(chunk):
            here = chunk == k
            out[here] = self.data.chunk_images(int(k))[wanted[here] - self.offsets[k]]
        plain = self.plain_rows[torch.from_numpy(wanted)] if self.plain_rows is not None else None
        return torch.from_numpy(out).permute(0, 3, 1, 2), plain


def boundary_rows(data: Dataset) -> torch.Tensor | None:
    """Which rows of ``data`` are the prober's boundary pairs (``kind`` other than ``balanced``), or None if none
    are: augmentation would move them off the teacher's decision boundary, so they are trained as made."""
    rows = data.column_array("kind", str, "balanced") != "balanced"
    return torch.from_numpy(rows) if rows.any() else None


def _as_batch(batch: tuple[torch.Tensor, int, int, torch.Tensor | None]) -> tuple[torch.Tensor, int, int,
                                                                                   torch.Tensor | None]:
    return batch


def make_loader(data: Dataset, train_idx: np.ndarray, cfg: DistillSettings, dist: Dist,
                pipeline: Pipeline | None) -> torch.utils.data.DataLoader:
    """Batches in a seeded random order per epoch, each process taking every K-th image of every global batch
    (DistributedSampler), incomplete batches dropped (mixup and per-process splits need full ones). With
    ``pipeline`` (training on the CPU) the workers augment and mix; otherwise they only read."""
    if cfg.batch_size % dist.world:
        raise DistillError(f"--batch-size {cfg.batch_size} does not split evenly over {dist.world} processes")
    images = Images(data, train_idx, pipeline, None if cfg.augment_pairs else boundary_rows(data))
    if len(images) < cfg.batch_size:
        raise DistillError(f"{len(images)} training images are fewer than one batch (--batch-size {cfg.batch_size})")
    sampler = torch.utils.data.DistributedSampler(images, num_replicas=dist.world, rank=dist.rank, shuffle=True,
                                                  seed=cfg.seed, drop_last=True)
    return torch.utils.data.DataLoader(
        images, batch_sampler=Batches(sampler, cfg.batch_size // dist.world), num_workers=cfg.workers,
        collate_fn=_as_batch, pin_memory=pipeline is None and torch.cuda.is_available(),
        persistent_workers=cfg.workers > 0, prefetch_factor=2 if cfg.workers > 0 else None,
        timeout=LOADER_TIMEOUT if cfg.workers > 0 else 0)


def loader_batches(loader: Any) -> Any:
    """Iterate ``loader``; a DataLoader worker that fails, dies or stops answering (``LOADER_TIMEOUT``) ends the run
    with one line (:class:`Fault`) instead of a traceback or a wait that never ends."""
    if not isinstance(loader, torch.utils.data.DataLoader) or loader.num_workers == 0:
        yield from loader
        return
    batches = iter(loader)
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except Exception as exc:  # the worker's own error, re-raised here with its traceback in the message
            lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()] or [type(exc).__name__]
            raise Fault(f"a DataLoader worker failed: {lines[-1][:300]}; fix the cause and run the same command with "
                        "--resume to continue from the last finished epoch") from None
        yield batch

