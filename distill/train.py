"""Distil a teacher into a freshly initialised student on a dataset directory (``distill``'s training loop).

One function per concern, top-down: :func:`distill` checks everything that can be wrong before training
(numbers, data, models, evaluation folder), then runs epochs of :func:`train_one_epoch` (a :class:`Pipeline`
augments and mixes each batch, one :func:`train_step` per batch), :func:`evaluate` and :func:`save_checkpoint`,
and writes the run directory:

    checkpoint.pt    everything needed to continue after a kill (``--resume``): student, optimiser, schedule,
                     every random generator's state, the settings and the metrics so far (written atomically)
    metrics.jsonl    one JSON object per finished epoch (also to ``tensorboard/`` when tensorboard is installed)
    student.pt       the trained student: ``state_dict`` of the raw network, plus spec, classes, normalisation
    summary.json     the run's figures, also printed as one JSON line

Every batch's random numbers (augmentation, mixup lambda) come from a generator seeded by (seed, epoch, step), so
they do not depend on where the batch is made: on the GPU in the training process, or on the CPU in DataLoader
workers while the training process computes the previous step (which is what keeps a CPU run fed).
Under ``torchrun`` each process trains on its share of every global batch (DistributedSampler) with
DistributedDataParallel; augmentation draws are made for the global batch and mixup pairs images half a batch
apart, so a run on K processes computes the same batches as one process (batch-norm statistics, which are per
process unless ``sync_bn`` on CUDA, and float rounding aside).
"""

from __future__ import annotations

import json
import logging
import os
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.distributed as torch_dist
import torchvision
from PIL import Image
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from synthkd.core.classes import relative_entropy
from synthkd.core.dataset import LOCK, Dataset, atomic_write, lock_folder, open_dataset, unlock_folder, write_json
from synthkd.core.models import Classifier, ModelError, TeacherSpec, load_model, num_classes_of, weights_sha256
from synthkd.core.runtime import CpuShare, Dist, init_distributed, pick_device, progress
from synthkd.core.settings import (
    REQUIRED,
    Fault,
    UsageError,
    batch_size_field,
    device_field,
    finite,
    group,
    opt,
    positive_int,
    quiet_field,
    seed_field,
)
from synthkd.core.tensors import predict, to_uint8
from synthkd.distill.augment import LEVELS, Augment, Draws
from synthkd.distill.kd import kd_loss, mixup, mixup_lambda
from synthkd.distill.stream import StreamLoader, StreamSettings, held_out, source_chunks

CHECKPOINT, METRICS, STUDENT, SUMMARY, TENSORBOARD = (
    "checkpoint.pt", "metrics.jsonl", "student.pt", "summary.json", "tensorboard")
FORMAT = "synthkd-distill/1"
log = logging.getLogger(__name__)
DEFAULT_HOLDOUT = 0.05  # share of the distillation data held out when no --eval folder is given
LOADER_TIMEOUT = 600.0  # seconds to wait for one batch from a DataLoader worker before giving up on it
AMP_MODES = ("auto", "none", "bf16", "fp16")


class DistillError(UsageError):
    """Bad settings or inputs for a distillation run, said in one line before any training."""


@dataclass(frozen=True, kw_only=True)
class DistillSettings:
    """A distillation run. Numbers default to the paper's recipe (section 4, "Distillation Training Details")."""

    teacher: TeacherSpec = field(metadata=group("teacher"))
    student: str = opt("resnet18_cifar", "the student model (freshly initialised; any name --teacher takes)",
                       "--student", metavar="SPEC")
    student_normalization: str = opt("auto", "as --teacher-normalization, for the student",
                                     "--student-normalization", metavar="PRESET|M,M,M/S,S,S")
    student_size: int | None = opt(None, "resize images to this for the student (default: train it at the "
                                   "dataset's image size)", "--student-size", type=positive_int)
    data: Path | None = opt(None, "dataset directory to distil on (D_K, or D_S: only its images are used); or "
                            "--stream", "--data", type=Path, metavar="D_K")
    stream: StreamSettings = field(default_factory=StreamSettings, metadata=group("streaming D_K (instead of --data)"))
    out: Path = opt(REQUIRED, "run directory (created, or resumed with --resume)", "--out", type=Path, metavar="RUN")
    eval_dir: Path | None = opt(None, "labelled real images, one folder per class (folders named 0..C-1, or sorted "
                                "names = class indices): student top-1, teacher top-1 and their agreement after "
                                "every epoch", "--eval", type=Path, metavar="DIR")
    holdout: float | None = opt(None, f"share of --data held out (seeded) to report student-teacher agreement on "
                                f"(default: {DEFAULT_HOLDOUT} without --eval, 0 with it)", "--holdout", type=float,
                                metavar="FRACTION")
    epochs: int = opt(400, "passes over the data", "--epochs", type=int)
    batch_size: int = batch_size_field()
    lr: float = opt(0.1, "initial learning rate (half-period cosine to 0)", "--lr", type=float)
    momentum: float = opt(0.9, "SGD momentum", "--momentum", type=float)
    weight_decay: float = opt(1e-4, "SGD weight decay", "--weight-decay", type=float)
    temperature: float = opt(20.0, "softmax temperature tau > 0: 20 for synthetic or fine-grained data, 2 for real "
                             "general-purpose images (the paper's choices)", "--temperature", type=float)
    hard_weight: float = opt(0.0, "weight w in [0, 1] of cross-entropy on the teacher's argmax: loss = (1-w) KD + "
                             "w CE", "--hard-weight", type=float)
    mixup_alpha: float = opt(1.0, "mixup on every batch with lambda ~ Beta(a, a): 1 = uniform, 0 = no mixup",
                             "--mixup-alpha", type=float)
    aug: str = opt("high", "augmentation: none; standard = RandAugment(2, 14) + flip + padded crop; high = "
                   "RandAugment(4, 14) + elastic + invert + flip + crop; extreme = high with RandAugment(8, 30) + "
                   "random erasing", "--aug", choices=tuple(LEVELS))
    augment_pairs: bool = opt(False, "augment the prober's boundary pairs too (images whose kind is not 'balanced'); "
                              "by default they are trained as the prober made them, since augmentation moves them off "
                              "the teacher's decision boundary", "--augment-pairs", action="store_true")
    seed: int = seed_field("seeds the student, data order and augmentation")
    device: str = device_field()
    amp: str = opt("auto", "mixed precision: auto = bf16 on GPUs that have it, else fp16 on CUDA; on the CPU bf16 "
                   "where it has native bf16 instructions, else none",
                   "--amp", choices=AMP_MODES)
    sync_bn: bool = opt(False, "batch-norm statistics over all torchrun processes (CUDA only)", "--sync-bn",
                        action="store_true")
    threads: int | None = opt(None, "CPU threads for training (default: every core, one fewer beside --stream's "
                              "process, and fewer while other programs keep cores busy; a fixed number keeps runs "
                              "bit-identical on a machine whatever else runs)", "--threads", type=positive_int)
    workers: int = opt(1, "DataLoader worker processes reading batches (on the CPU they also augment and mix, "
                       "beside the training step; 0: all in this process)", "--workers", type=int)
    resume: bool = opt(False, "continue the run in --out from its last checkpoint (the settings must be the same); "
                       "start it if there is none", "--resume", action="store_true")
    quiet: bool = quiet_field()

    def __post_init__(self) -> None:
        """Every numeric and named setting in range, before anything is loaded."""
        for name in ("out", "data", "eval_dir"):
            if isinstance(getattr(self, name), str):
                object.__setattr__(self, name, Path(getattr(self, name)))
        rules = [
            (self.epochs >= 1, f"--epochs must be at least 1, got {self.epochs}"),
            (self.batch_size >= 1, f"--batch-size must be at least 1, got {self.batch_size}"),
            (finite(self.lr) and self.lr > 0, f"--lr must be a number above 0, got {self.lr}"),
            (finite(self.momentum) and 0 <= self.momentum < 1, f"--momentum must be in [0, 1), got {self.momentum}"),
            (finite(self.weight_decay) and self.weight_decay >= 0,
             f"--weight-decay must be 0 or more, got {self.weight_decay}"),
            (finite(self.temperature) and self.temperature > 0,
             f"--temperature must be a number above 0 (the tau^2-scaled loss vanishes at 0; for the teacher's "
             f"argmax use --hard-weight 1), got {self.temperature}"),
            (finite(self.hard_weight) and 0 <= self.hard_weight <= 1,
             f"--hard-weight must be in [0, 1], got {self.hard_weight}"),
            (finite(self.mixup_alpha) and self.mixup_alpha >= 0,
             f"--mixup-alpha must be 0 (off) or more, got {self.mixup_alpha}"),
            (self.holdout is None or (finite(self.holdout) and 0 <= self.holdout < 1),
             f"--holdout must be in [0, 1), got {self.holdout}"),
            (self.aug in LEVELS, f"--aug must be one of {', '.join(LEVELS)}, got {self.aug!r}"),
            (self.amp in AMP_MODES, f"--amp must be one of {', '.join(AMP_MODES)}, got {self.amp!r}"),
            (self.seed >= 0, f"--seed must be 0 or more, got {self.seed}"),
            (self.workers >= 0, f"--workers must be 0 or more, got {self.workers}"),
            (self.teacher.num_classes is None or self.teacher.num_classes >= 1,
             f"--num-classes must be at least 1, got {self.teacher.num_classes}"),
            (all(s is None or s >= 1 for s in (self.teacher.size, self.student_size)),
             "image sizes must be at least 1"),
        ]
        rules.append(((self.data is None) != (self.stream.source is None),
                      "give --data DIR or --stream SOURCE (one of them)"))
        for ok, message in rules:
            if not ok:
                raise DistillError(message)

    def identity(self) -> dict[str, Any]:
        """The settings that define a run's result: --resume refuses to continue a run whose values differ."""
        t = self.teacher
        return {"teacher": t.name, "student": self.student, "num_classes": t.num_classes,
                "teacher_normalization": t.normalization, "teacher_size": t.size,
                "student_normalization": self.student_normalization, "student_size": self.student_size,
                **{k: getattr(self, k) for k in ("epochs", "batch_size", "lr", "momentum", "weight_decay",
                                                 "temperature", "hard_weight", "mixup_alpha", "aug", "augment_pairs",
                                                 "holdout", "seed", "sync_bn")}}


@dataclass
class Run:
    """What the epochs work on, built once by :func:`distill` and carried through the loop."""

    cfg: DistillSettings
    dist: Dist
    device: torch.device
    amp: torch.dtype | None
    teacher: Classifier
    student: nn.Module  # the Classifier, or DistributedDataParallel around it
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler
    scaler: torch.amp.GradScaler
    loader: torch.utils.data.DataLoader | StreamLoader
    pipeline: Pipeline
    checks: dict[str, Any]  # evaluation images with the teacher's predictions (see load_checks)
    settings: dict[str, Any]
    history: list[dict[str, Any]]
    tensorboard: Any = None
    cpu_share: CpuShare | None = None  # thread count kept to the free cores (CPU runs)
    memory_format: torch.memory_format = torch.channels_last  # of the batches and the models: faster with oneDNN

    @property
    def plain_student(self) -> Classifier:
        return self.student.module if isinstance(self.student, DistributedDataParallel) else self.student


# ----------------------------------------------------------------------------------------------------- the run


def distill(cfg: DistillSettings, stop_after: int | None = None) -> dict[str, Any] | None:
    """Train (or with ``cfg.resume`` continue) the run in ``cfg.out`` and return its summary.

    ``stop_after``: return None once that many epochs are done, as if the run were killed there (for tests)."""
    device = pick_device(cfg.device)
    dist = init_distributed(device)
    run, threads = None, torch.get_num_threads()
    try:
        guard_out(cfg, dist)
        run = prepare(cfg, dist, device)
        for epoch in range(len(run.history), cfg.epochs):
            metrics = {"epoch": epoch + 1, **train_one_epoch(run, epoch), **evaluate(run)}
            run.history.append(metrics)
            save_checkpoint(run)
            log_metrics(run, metrics)
            if stop_after is not None and epoch + 1 >= stop_after and epoch + 1 < cfg.epochs:
                return None
        return finish(run)
    finally:
        if run is not None and isinstance(run.loader, StreamLoader):
            run.loader.close()
        torch.set_num_threads(threads)
        if dist.world > 1 and torch_dist.is_initialized():
            torch_dist.destroy_process_group()
        unlock_folder(cfg.out)


def guard_out(cfg: DistillSettings, dist: Dist) -> None:
    """Refuse an ``--out`` that is not this run, before any work: a file, a folder of other files (no checkpoint),
    or a run's folder without ``--resume``; then lock it (main process), so that a second process is refused."""
    out = Path(cfg.out)
    if out.exists() and not out.is_dir():
        raise DistillError(f"--out {out} is a file, not a directory")
    if (out / CHECKPOINT).is_file():
        if not cfg.resume:
            raise DistillError(f"{out} already holds a run ({CHECKPOINT}); pass --resume to continue it, "
                               "or choose another --out")
    elif out.is_dir():
        other = sorted(p.name for p in out.iterdir()
                       if p.name != LOCK and not (p.name.startswith(".") and p.name.endswith(".tmp")))
        if other:
            raise DistillError(f"{out} is not empty ({', '.join(other[:3])}{', ...' if len(other) > 3 else ''}) and "
                               f"holds no {CHECKPOINT}: not a distill run; refusing to write into it, choose another "
                               "--out")
    if dist.main:
        lock_folder(out)


def prepare(cfg: DistillSettings, dist: Dist, device: torch.device) -> Run:
    """Check and load everything (data, models, evaluation images), then start the run or resume it."""
    amp = amp_dtype(cfg, device)
    data = open_data(cfg.data) if cfg.data is not None else None
    size = data.image_size if data is not None else cfg.stream.size
    teacher, classes = prepare_teacher(cfg, size, device)
    student = build_student(cfg, classes, size, device)
    holdout = cfg.holdout if cfg.holdout is not None else (0.0 if cfg.eval_dir else DEFAULT_HOLDOUT)
    pipeline = Pipeline(cfg.aug, cfg.mixup_alpha, cfg.seed, dist.rank, dist.world)
    if data is not None:
        train_idx, held = split_holdout(len(data), holdout, cfg.seed)
        held_images = Images(data, held).read(list(range(len(held))))[0]
        loader = make_loader(data, train_idx, cfg, dist, pipeline if device.type == "cpu" else None)
    else:
        make_chunk, chosen = source_chunks(cfg.stream, cfg.seed, cfg.teacher)  # steering fitted once, here
        count = max(1, round(cfg.stream.window * holdout)) if holdout > 0 else 0
        held_images = to_uint8(held_out(make_chunk, cfg.stream, count)) if count else None
        loader = StreamLoader(cfg.stream, cfg.teacher, chosen, classes, cfg.seed, cfg.aug, cfg.mixup_alpha,
                              cfg.augment_pairs, cfg.batch_size // dist.world, cfg.epochs, dist.rank, dist.world)
    checks = load_checks(cfg, size, held_images, classes, teacher, device) if dist.main else {}
    if dist.world > 1:
        if cfg.sync_bn:
            student = nn.SyncBatchNorm.convert_sync_batchnorm(student)
        student = DistributedDataParallel(student, device_ids=[device.index] if device.type == "cuda" else None)
    optimizer = torch.optim.SGD(student.parameters(), lr=cfg.lr, momentum=cfg.momentum,
                                weight_decay=cfg.weight_decay)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=cfg.epochs * len(loader))
    settings = settings_of(cfg, data, holdout, dist.world, classes)
    run = Run(cfg, dist, device, amp, teacher, student, optimizer, scheduler,
              torch.amp.GradScaler(device.type, enabled=amp == torch.float16), loader, pipeline, checks, settings, [])
    start_or_resume(run)
    if device.type == "cpu":
        # The stream's process keeps a core busy; a DataLoader worker only reads and augments in bursts.
        run.cpu_share = CpuShare(cfg.threads, reserve=1 if isinstance(loader, StreamLoader) else 0)
    if dist.main and run.history:  # a new run opens it after its first checkpoint (see guard_out)
        run.tensorboard = open_tensorboard(cfg.out, len(run.history))
    return run


def amp_dtype(cfg: DistillSettings, device: torch.device) -> torch.dtype | None:
    """The autocast dtype for ``--amp`` on ``device`` (``auto``: bf16 on GPUs that have it, else fp16; on the CPU
    bf16 where it has native bf16 instructions, else none), after checking that the device can do what was asked."""
    if cfg.sync_bn and device.type != "cuda":
        raise DistillError("--sync-bn needs CUDA (torch's SyncBatchNorm does not run on the CPU)")
    amp = cfg.amp
    if amp == "auto":
        if device.type == "cuda":
            amp = "bf16" if torch.cuda.is_bf16_supported() else "fp16"
        else:
            amp = "bf16" if torch.ops.mkldnn._is_mkldnn_bf16_supported() else "none"
    if amp == "fp16" and device.type != "cuda":
        raise DistillError("--amp fp16 needs CUDA; use bf16 or none on the CPU")
    return {"none": None, "bf16": torch.bfloat16, "fp16": torch.float16}[amp]


def open_data(path: Path) -> Dataset:
    """The distillation dataset (D_K or D_S: only its images are used); it must hold images."""
    data = open_dataset(path)
    if len(data) == 0:
        raise DistillError(f"dataset {path} holds no images")
    return data


def prepare_teacher(cfg: DistillSettings, size: int, device: torch.device) -> tuple[Classifier, int]:
    """The teacher with its weights, frozen, on ``device``, and its number of classes."""
    teacher = cfg.teacher.load(check_size=size)
    classes = num_classes_of(teacher, size)
    teacher = teacher.to(device).eval().requires_grad_(False)
    return teacher.to(memory_format=torch.channels_last), classes


def build_student(cfg: DistillSettings, classes: int, size: int, device: torch.device) -> Classifier:
    """A freshly initialised student for the teacher's classes (the seed fixes its initial weights)."""
    torch.manual_seed(cfg.seed)
    try:
        student = load_model(cfg.student, num_classes=classes, normalization=cfg.student_normalization,
                             input_size=cfg.student_size, need_weights=False, check_size=size)
    except ModelError as exc:
        raise ModelError(f"student {cfg.student} for the teacher's {classes} classes: {exc}") from None
    student = student.to(device).train()
    return student.to(memory_format=torch.channels_last)


def split_holdout(n: int, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(training, held-out) image indices: a seeded random ``fraction`` held out (at least one image if any)."""
    order = np.random.default_rng([seed, 2]).permutation(n)
    held = min(n - 1, max(1, round(n * fraction))) if fraction > 0 else 0
    return np.sort(order[held:]), np.sort(order[:held])


def settings_of(cfg: DistillSettings, data: Dataset | None, holdout: float, world: int, classes: int) -> dict[str, Any]:
    """What defines this run's result (compared on --resume): settings, data (or stream), teacher weights,
    process count."""
    out = cfg.identity()
    out.update(holdout=holdout, num_classes=classes, processes=world,
               weights=weights_sha256(cfg.teacher.weights) or cfg.teacher.weights)
    if data is not None:
        out.update(data=str(Path(cfg.data).resolve()), data_images=len(data),
                   data_identity={k: data.header.get(k) for k in ("generator", "seed", "total")})
        if data.fingerprint is not None:  # None for data written before checksums
            out.update(data_fingerprint=data.fingerprint)
    else:
        out.update(stream=asdict(cfg.stream))
    return json.loads(json.dumps(out))  # plain JSON values, as they come back from a checkpoint


# ------------------------------------------------------------------------------------------------------- data


class Pipeline:
    """Augmentation and mixup of one batch, with random numbers that depend only on (seed, epoch, step): the
    same wherever and in whichever order batches are made (GPU, or CPU DataLoader workers)."""

    def __init__(self, aug: str, mixup_alpha: float, seed: int, rank: int = 0, world: int = 1):
        self.augment, self.mixup_alpha, self.seed, self.rank, self.world = Augment(aug), mixup_alpha, seed, rank, world

    def __call__(self, images: torch.Tensor, epoch: int, step: int, plain: torch.Tensor | None = None) -> torch.Tensor:
        """uint8 (N, 3, H, W) images of this process -> the float batch both networks see. Augmentation draws are
        made for the global batch (this process keeps every K-th row, as the DistributedSampler deals them).
        Rows where the boolean ``plain`` is true are left unaugmented (the draws are made all the same)."""
        seeds = np.random.SeedSequence([self.seed, epoch, step]).generate_state(2, np.uint64)
        generator = torch.Generator(images.device).manual_seed(int(seeds[0]))
        x = self.augment(images, Draws(generator, len(images) * self.world, slice(self.rank, None, self.world)))
        if plain is not None:
            x = torch.where(plain.view(-1, 1, 1, 1), images.float().div_(255), x)
        return mixup(x, mixup_lambda(np.random.default_rng(int(seeds[1])), self.mixup_alpha))


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
    rows = np.asarray(data.column("kind", "balanced")) != "balanced"
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


def load_checks(cfg: DistillSettings, size: int, held: torch.Tensor | None, classes: int, teacher: Classifier,
                device: torch.device) -> dict[str, Any]:
    """Images the student is checked on after every epoch, with the teacher's predictions (computed once, in
    float32 like every check): the labelled ``--eval`` folder, and/or the held-out synthetic images ``held``."""
    checks: dict[str, Any] = {}
    if cfg.eval_dir is not None:
        images, labels = load_image_folder(Path(cfg.eval_dir), size, classes)
        checks["eval"] = (images, labels, predict(teacher, images, device).argmax(1))
    if held is not None and len(held):
        checks["holdout"] = (held, None, predict(teacher, held, device).argmax(1))
    return checks


class ClassFolders(torchvision.datasets.ImageFolder):
    """torchvision's ImageFolder, except that folders named by whole numbers (``0``..``C-1``, any subset) are those
    class indices; other names are indexed in sorted order, as ImageFolder does."""

    def find_classes(self, directory: str) -> tuple[list[str], dict[str, int]]:
        names = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir())
        if not names:
            raise FileNotFoundError("no class folders (one sub-folder of images per class)")
        numbered = all(n.isdigit() for n in names)
        return names, {n: int(n) if numbered else i for i, n in enumerate(names)}


def load_image_folder(root: Path, size: int, classes: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A labelled image folder (:class:`ClassFolders`) as uint8 (N, 3, size, size) images and their labels; with
    folder names that are not numbers there must be one folder per teacher class."""
    if not root.is_dir():
        raise DistillError(f"--eval {root} is not a directory")
    try:
        folder = ClassFolders(str(root), allow_empty=True)
    except FileNotFoundError as exc:
        raise DistillError(f"--eval {root}: {exc}") from None
    numbered = all(n.isdigit() for n in folder.classes)
    top = max(folder.class_to_idx.values())
    if numbered and top >= classes:
        raise DistillError(f"--eval {root} has class folder {top}, the teacher has only {classes} classes "
                           f"(0..{classes - 1})")
    if not numbered and len(folder.classes) != classes:
        raise DistillError(f"--eval {root} has {len(folder.classes)} class folders, the teacher has {classes} classes")
    if not folder.samples:
        raise DistillError(f"--eval {root} holds no images ({', '.join(torchvision.datasets.folder.IMG_EXTENSIONS)})")
    out = np.empty((len(folder.samples), size, size, 3), np.uint8)
    for i, (path, _) in enumerate(folder.samples):
        try:
            image = folder.loader(path)
        except OSError as exc:
            raise DistillError(f"--eval: cannot read {path}: {exc}") from None
        out[i] = np.asarray(image if image.size == (size, size) else image.resize((size, size), Image.BILINEAR))
    return to_uint8(out).contiguous(), torch.tensor(folder.targets)


# --------------------------------------------------------------------------------------------------- training


def train_one_epoch(run: Run, epoch: int) -> dict[str, Any]:
    """One pass over this process's share of the data: load, augment, mix, step; returns the epoch's figures."""
    cfg, dist = run.cfg, run.dist
    run.student.train()
    (run.loader if isinstance(run.loader, StreamLoader) else run.loader.batch_sampler).set_epoch(epoch)
    steps = len(run.loader)
    total = torch.zeros((), device=run.device)
    seen = torch.zeros(run.settings["num_classes"], dtype=torch.long, device=run.device)
    start = time.perf_counter()
    with progress(steps * cfg.batch_size, f"epoch {epoch + 1}/{cfg.epochs}", quiet=cfg.quiet or not dist.main) as bar:
        for i, (batch, batch_epoch, step, plain) in enumerate(loader_batches(run.loader)):
            x = batch.to(run.device, non_blocking=True)
            if x.dtype == torch.uint8:  # not made by the workers: augment and mix on the device
                x = run.pipeline(x, batch_epoch, step, None if plain is None else plain.to(run.device))
            loss, teacher_classes = train_step(run, x.contiguous(memory_format=run.memory_format))
            total += loss
            seen += torch.bincount(teacher_classes, minlength=len(seen))
            run.scheduler.step()
            if run.cpu_share is not None:
                run.cpu_share.update()
            bar.update(cfg.batch_size)
            if i % 10 == 9 or i == steps - 1:
                bar.set_postfix(loss=f"{float(total) / (i + 1):.4f}", refresh=False)
    if dist.world > 1:
        torch_dist.all_reduce(total)
        torch_dist.all_reduce(seen)
        total /= dist.world
    seconds = time.perf_counter() - start
    return {"loss": float(total) / steps, "lr": run.optimizer.param_groups[0]["lr"], "seconds": round(seconds, 3),
            "images_per_s": round(steps * cfg.batch_size / seconds, 1),
            "effective_relative_entropy": round(relative_entropy(seen.cpu().numpy()), 4),
            "effective_histogram": seen.tolist(),
            **({"window": run.loader.window_counts.get(epoch, {})} if isinstance(run.loader, StreamLoader) else {})}


def train_step(run: Run, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Teacher and student on the same batch, KD loss, one SGD step; returns the (detached) loss and the teacher's
    class of each image (the batch's effective labels)."""
    return kd_step(run.teacher, run.student, run.optimizer, run.scaler, x, run.cfg.temperature, run.cfg.hard_weight,
                   run.amp)


def kd_step(teacher: nn.Module, student: nn.Module, optimizer: torch.optim.Optimizer, scaler: torch.amp.GradScaler,
            x: torch.Tensor, temperature: float, hard_weight: float,
            amp: torch.dtype | None) -> tuple[torch.Tensor, torch.Tensor]:
    """One distillation step on the batch ``x``: see :func:`train_step`."""
    with torch.autocast(x.device.type, dtype=amp or torch.float32, enabled=amp is not None):
        with torch.no_grad():
            teacher_logits = teacher(x)
        student_logits = student(x)
    loss = kd_loss(student_logits, teacher_logits, temperature, hard_weight)
    optimizer.zero_grad(set_to_none=True)
    scaler.scale(loss).backward()
    scaler.step(optimizer)
    scaler.update()
    return loss.detach(), teacher_logits.argmax(1)


def step_rate(teacher: nn.Module, student: nn.Module, batch: int, size: int, amp: torch.dtype | None,
              pipeline: Pipeline | None = None, steps: int = 15) -> float:
    """Images/s of the training step for this teacher and student (``student`` is trained on noise, so pass a
    throwaway copy) on a batch already in memory: what a run can train at on this machine, now. With
    ``pipeline`` each step also augments and mixes the batch first, as training does on a GPU (on the CPU the
    DataLoader workers do that beside the step)."""
    device = next(teacher.parameters()).device
    images = torch.randint(0, 256, (batch, 3, size, size), dtype=torch.uint8, device=device)

    def step(i: int) -> None:
        x = pipeline(images, 0, i) if pipeline is not None else images.float().div(255)
        kd_step(teacher, student, optimizer, scaler, x.contiguous(memory_format=torch.channels_last), 4.0, 0.0, amp)

    optimizer = torch.optim.SGD(student.parameters(), lr=0.01, momentum=0.9)
    scaler = torch.amp.GradScaler(device.type, enabled=amp == torch.float16)
    student.train()
    for i in range(3):
        step(i)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    start = time.perf_counter()
    for i in range(steps):
        step(i)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return steps * batch / (time.perf_counter() - start)


def evaluate(run: Run) -> dict[str, float]:
    """The student against the teacher (and the labels) on the check images; on the main process only."""
    out: dict[str, float] = {}
    if "eval" in run.checks:
        images, labels, teacher = run.checks["eval"]
        student = predict(run.plain_student, images, run.device).argmax(1)
        out.update(eval_student_top1=_mean(student == labels), eval_teacher_top1=_mean(teacher == labels),
                   eval_agreement=_mean(student == teacher))
    if "holdout" in run.checks:
        images, _, teacher = run.checks["holdout"]
        out["holdout_agreement"] = _mean(predict(run.plain_student, images, run.device).argmax(1) == teacher)
    return out


def _mean(hits: torch.Tensor) -> float:
    return round(float(hits.float().mean()), 5)


# ------------------------------------------------------------------------------------------ checkpoints, logs


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


def save_checkpoint(run: Run) -> None:
    """Everything to continue after this epoch, written to a temporary file and renamed (rank 0 writes; every
    process's global generator states are gathered into it; batches need none: they are seeded by epoch and step)."""
    states = rng_states()
    if run.dist.world > 1:
        gathered: list[Any] = [None] * run.dist.world
        torch_dist.all_gather_object(gathered, states)
    else:
        gathered = [states]
    if run.dist.main:
        state = {
            "format": FORMAT, "settings": run.settings, "history": run.history,
            "student": run.plain_student.state_dict(), "optimizer": run.optimizer.state_dict(),
            "scheduler": run.scheduler.state_dict(), "scaler": run.scaler.state_dict(),
            "rng": gathered,
        }
        run.cfg.out.mkdir(parents=True, exist_ok=True)
        atomic_write(run.cfg.out / CHECKPOINT, lambda f: torch.save(state, f))
    if run.dist.world > 1:
        torch_dist.barrier()


def start_or_resume(run: Run) -> None:
    """Continue from the checkpoint in ``out`` (``--resume``, same settings only) or start a new run there."""
    cfg = run.cfg
    path = Path(cfg.out) / CHECKPOINT
    if not path.is_file():
        if cfg.out.exists() and not cfg.out.is_dir():
            raise DistillError(f"--out {cfg.out} is a file, not a directory")
        return
    if not cfg.resume:
        raise DistillError(f"{cfg.out} already holds a run ({CHECKPOINT}); pass --resume to continue it, "
                           "or choose another --out")
    try:
        state = torch.load(path, map_location="cpu", weights_only=False)
        then = dict(state["settings"])
    except Exception as exc:  # truncated, overwritten, not a checkpoint: torch and pickle raise many kinds
        reason = next(iter(str(exc).strip().splitlines()), type(exc).__name__).split(". ")[0][:200]
        raise Fault(f"cannot resume from {path}: it is damaged ({reason}); delete {cfg.out} to start the run again, "
                    "or choose another --out") from None
    changed = data_changes(then, run.settings)
    if changed:
        raise DistillError(f"cannot resume {cfg.out}: the data at {cfg.data} changed since the run started "
                           f"({'; '.join(changed)}); give the data it started with, or choose another --out")
    diff = [f"{k}: {then.get(k)!r} there, {v!r} now" for k, v in run.settings.items()
            if then.get(k) != v and (k in then or k != "data_fingerprint")]  # runs from before fingerprints resume
    if state.get("format") != FORMAT or diff:
        raise DistillError(f"cannot resume {cfg.out}: it was run with other settings ({'; '.join(diff[:4])}); "
                           "use the same settings or another --out")
    run.plain_student.load_state_dict(state["student"])
    run.optimizer.load_state_dict(state["optimizer"])
    run.scheduler.load_state_dict(state["scheduler"])
    run.scaler.load_state_dict(state["scaler"])
    set_rng_states(state["rng"][run.dist.rank])
    run.history = list(state["history"])


def data_changes(then: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """What differs between the data a run started on and the data now at the same path (``settings_of``):
    generator, seed, total, image count, fingerprint (what the checkpoint did not record is not compared)."""
    if then.get("data") is None or then.get("data") != now.get("data"):
        return []

    def facts(s: dict[str, Any]) -> dict[str, Any]:
        return {**(s.get("data_identity") or {}), "images": s.get("data_images"),
                "fingerprint": s.get("data_fingerprint")}

    a, b = facts(then), facts(now)
    return [f"{k} {a[k]} -> {b.get(k)}" for k in a if a[k] is not None and a[k] != b.get(k)]


def open_tensorboard(out: Path, epoch: int) -> Any:
    """A TensorBoard writer in ``out/tensorboard`` when tensorboard is installed (it is optional), else None."""
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:
        return None
    return SummaryWriter(str(out / TENSORBOARD), purge_step=epoch + 1)


def log_metrics(run: Run, metrics: dict[str, Any]) -> None:
    """All epochs so far to ``metrics.jsonl`` (rewritten whole: it always matches the checkpoint) and TensorBoard."""
    if not run.dist.main:
        return
    lines = "".join(json.dumps(m) + "\n" for m in run.history)
    atomic_write(run.cfg.out / METRICS, lambda f: f.write(lines.encode()))
    if run.tensorboard is None and len(run.history) == 1:
        run.tensorboard = open_tensorboard(run.cfg.out, 0)
    if run.tensorboard is not None:
        for key, value in metrics.items():
            if key != "epoch" and isinstance(value, (int, float)):
                run.tensorboard.add_scalar(key, value, metrics["epoch"])
        run.tensorboard.flush()
    shown = ", ".join(f"{k} {v:.4g}" for k, v in metrics.items()
                      if k not in ("epoch", "seconds") and isinstance(v, (int, float)))
    log.info("epoch %d/%d: %s", metrics["epoch"], run.cfg.epochs, shown)


def finish(run: Run) -> dict[str, Any]:
    """Write the trained student and the summary (main process) and return the summary."""
    cfg = run.cfg
    stream = isinstance(run.loader, StreamLoader)
    summary = {
        "out": str(cfg.out), "teacher": cfg.teacher.name, "student": cfg.student,
        "data": f"stream:{cfg.stream.source}" if stream else str(cfg.data), "classes": run.settings["num_classes"],
        "train_images": cfg.epochs * cfg.stream.window if stream else len(run.loader.dataset),
        "epochs": len(run.history), "processes": run.dist.world, "device": str(run.device),
        "seconds": round(sum(m["seconds"] for m in run.history), 1),
        "images_per_s": round(sum(m["images_per_s"] for m in run.history) / len(run.history), 1),
        **{k: v for k, v in run.history[-1].items() if k not in ("epoch", "seconds", "images_per_s")},
        "student_weights": str(cfg.out / STUDENT),
    }
    if run.dist.main:
        net = run.plain_student
        weights = {"state_dict": net.net.state_dict(), "spec": cfg.student, "num_classes": summary["classes"],
                   "mean": net.mean.flatten().tolist(), "std": net.std.flatten().tolist(),
                   "input_size": net.input_size}
        atomic_write(cfg.out / STUDENT, lambda f: torch.save(weights, f))
        write_json(cfg.out / SUMMARY, summary)
        if run.tensorboard is not None:
            run.tensorboard.close()
    return summary

