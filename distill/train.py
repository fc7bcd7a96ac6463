"""Distil a teacher into a freshly initialised student (``distill``'s training loop).

One function per concern, top-down: :func:`distill` checks everything that can be wrong before training
(numbers, data, models, evaluation folder: :func:`prepare`), then runs epochs of :func:`train_one_epoch` (a
:class:`~synthkd.distill.data.Pipeline` augments and mixes each batch, one :func:`~synthkd.distill.kd.kd_step` per
batch, the learning rate set by the :class:`~synthkd.distill.schedule.Schedule`), evaluates the student
(``synthkd.distill.checks``) and saves a checkpoint (``synthkd.distill.checkpoint``) after each, until the
schedule ends: after ``--epochs``, at the ``--minutes`` deadline, or at a replayed step count. The run directory:

    checkpoint.pt    everything needed to continue after a kill (``--resume``)
    metrics.jsonl    one JSON object per finished epoch (also to ``tensorboard/`` when tensorboard is installed)
    schedule.json    what the schedule did: steps, and where the learning rate moved (``--replay`` takes it)
    student.pt       the trained student: ``state_dict`` of the raw network, plus spec, classes, normalisation
    summary.json     the run's figures, also printed as one JSON line

Under ``torchrun`` each process trains on its share of every global batch with DistributedDataParallel, and a
timed schedule goes by the slowest process's clock, so that every process stops at the same step.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
import torch.distributed as torch_dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

from synthkd.core.classes import relative_entropy
from synthkd.core.dataset import Dataset
from synthkd.core.files import atomic_write, guard_out, lock_folder, unlock_folder, write_json
from synthkd.core.models import Classifier, ModelError, load_model, num_classes_of, weights_sha256
from synthkd.core.resources import check_fits, image_bytes
from synthkd.core.runtime import CpuShare, Dist, init_distributed, pick_device, progress
from synthkd.core.settings import Fault
from synthkd.core.tensors import to_uint8
from synthkd.distill.checkpoint import CHECKPOINT, read_checkpoint, save_checkpoint, set_rng_states
from synthkd.distill.checks import evaluate, load_checks
from synthkd.distill.data import Images, loader_batches, make_loader, open_data, split_holdout
from synthkd.distill.kd import kd_step
from synthkd.distill.logs import log_metrics, open_tensorboard
from synthkd.distill.pipeline import Pipeline
from synthkd.distill.schedule import Clock, Schedule, read_schedule
from synthkd.distill.settings import DEFAULT_HOLDOUT, DistillError, DistillSettings, amp_dtype
from synthkd.distill.stream import StreamLoader, held_out, source_chunks

STUDENT, SUMMARY, SCHEDULE = "student.pt", "summary.json", "schedule.json"


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
    scaler: torch.amp.GradScaler
    loader: torch.utils.data.DataLoader | StreamLoader
    pipeline: Pipeline
    schedule: Schedule
    checks: dict[str, Any]  # evaluation images with the teacher's predictions (see load_checks)
    settings: dict[str, Any]
    history: list[dict[str, Any]]
    step: int = 0  # optimiser steps done
    tensorboard: Any = None
    cpu_share: CpuShare | None = None  # thread count kept to the free cores (CPU runs)
    memory_format: torch.memory_format = torch.channels_last  # of the batches and the models: faster with oneDNN
    average: AveragedModel | None = None  # the student's weights averaged over steps (--ema)

    @property
    def plain_student(self) -> Classifier:
        return self.student.module if isinstance(self.student, DistributedDataParallel) else self.student

    @property
    def result(self) -> Classifier:
        """The student that is evaluated and saved: the weight average with ``--ema``, else the trained one."""
        return self.average.module if self.average is not None else self.plain_student


def distill(cfg: DistillSettings, stop_after: int | None = None,
            clock: Clock = time.monotonic) -> dict[str, Any] | None:
    """Train (or with ``cfg.resume`` continue) the run in ``cfg.out`` and return its summary.

    ``stop_after``: return None once that many epochs are done, as if the run were killed there (for tests);
    ``clock``: what a ``--minutes`` schedule reads (tests slow it down or speed it up)."""
    begun = clock() if cfg.minutes is not None else None  # a timed run's minutes count its loading too
    device = pick_device(cfg.device)
    dist = init_distributed(device)
    run, threads = None, torch.get_num_threads()
    try:
        guard(cfg, dist)
        run = prepare(cfg, dist, device, clock)
        run.schedule.start(begun)
        while not run.schedule.over(run.step):
            epoch = len(run.history)
            figures = train_one_epoch(run, epoch)
            run.schedule.end_epoch()
            run.history.append({"epoch": epoch + 1, **figures,
                                **(evaluate(run.result, run.checks, device) if dist.main else {})})
            save_checkpoint(cfg.out, dist, checkpoint_state(run))
            if dist.main:
                run.tensorboard = log_metrics(cfg.out, run.history, run.tensorboard)
            run.schedule.close_epoch()
            if stop_after is not None and epoch + 1 >= stop_after and not run.schedule.finished:
                return None
        return finish(run)
    except RuntimeError as exc:  # torch reports a dead worker wherever the training process happens to be
        if "DataLoader worker" not in str(exc):
            raise
        raise Fault(f"a DataLoader worker died ({' '.join(str(exc).split())[:200]}); run the same command with "
                    "--resume to continue from the last finished epoch") from None
    finally:
        if run is not None and isinstance(run.loader, StreamLoader):
            run.loader.close()
        torch.set_num_threads(threads)
        if dist.world > 1 and torch_dist.is_initialized():
            torch_dist.destroy_process_group()
        unlock_folder(cfg.out)


def guard(cfg: DistillSettings, dist: Dist) -> None:
    """Refuse an ``--out`` that is not this run, before any work: a file, a folder of other files, or a run's
    folder without ``--resume``; then lock it (main process), so that a second process is refused."""
    if guard_out(Path(cfg.out), CHECKPOINT, "a distill run") and not cfg.resume:
        raise DistillError(f"{cfg.out} already holds a run ({CHECKPOINT}); pass --resume to continue it, or "
                           "choose another --out")
    if dist.main:
        lock_folder(cfg.out)
        for stale in Path(cfg.out).glob(".*.tmp"):  # a killed run's half-written files (see atomic_write)
            stale.unlink(missing_ok=True)


def prepare(cfg: DistillSettings, dist: Dist, device: torch.device, clock: Clock = time.monotonic) -> Run:
    """Check and load everything (data, models, evaluation images, a replayed schedule), then start the run or
    resume it."""
    amp = amp_dtype(cfg.amp, device, cfg.sync_bn)
    replay = read_schedule(cfg.replay) if cfg.replay is not None else None
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
        candidates = math.ceil(cfg.stream.window * cfg.stream.overshoot)
        check_fits(f"--stream-window {cfg.stream.window} at --stream-size {cfg.stream.size}",
                   memory=(6 * candidates + 2 * cfg.stream.window * cfg.stream.reuse) * image_bytes(size))
        make_chunk, chosen = source_chunks(cfg.stream, cfg.seed, cfg.teacher)  # steering fitted once, here
        count = max(1, round(cfg.stream.window * holdout)) if holdout > 0 else 0
        held_images = to_uint8(held_out(make_chunk, cfg.stream, count)) if count else None
        loader = StreamLoader(cfg.stream, cfg.teacher, chosen, classes, cfg.seed, cfg.aug, cfg.mixup_alpha,
                              cfg.augment_pairs, cfg.batch_size // dist.world, epoch_cap(cfg), dist.rank, dist.world)
    checks = load_checks(cfg.eval_dir, size, held_images, classes, teacher, device) if dist.main else {}
    if dist.world > 1:
        if cfg.sync_bn:
            student = nn.SyncBatchNorm.convert_sync_batchnorm(student)
        student = DistributedDataParallel(student, device_ids=[device.index] if device.type == "cuda" else None)
    optimizer = torch.optim.SGD(student.parameters(), lr=cfg.lr, momentum=cfg.momentum,
                                weight_decay=cfg.weight_decay)
    seconds = cfg.minutes * 60 if cfg.minutes is not None else None
    schedule = Schedule(epoch_cap(cfg) * len(loader), seconds, replay, clock, agree_max if dist.world > 1 else None)
    settings = settings_of(cfg, data, holdout, dist.world, classes)
    run = Run(cfg, dist, device, amp, teacher, student, optimizer,
              torch.amp.GradScaler(device.type, enabled=amp == torch.float16), loader, pipeline, schedule, checks,
              settings, [], average=average_of(student, cfg.ema))
    state = read_checkpoint(cfg.out, settings)
    if state is not None:
        resume(run, state)
    if device.type == "cpu":
        # The stream's process keeps a core busy; a DataLoader worker only reads and augments in bursts.
        run.cpu_share = CpuShare(cfg.threads, reserve=1 if isinstance(loader, StreamLoader) else 0)
    if dist.main and run.history:  # a new run opens it after its first epoch (see log_metrics)
        run.tensorboard = open_tensorboard(cfg.out, len(run.history))
    return run


def average_of(student: nn.Module, decay: float) -> AveragedModel | None:
    """An exponential moving average of ``student``'s weights and batch-norm buffers (torch's AveragedModel), or
    None when ``decay`` is 0."""
    if not decay:
        return None
    plain = student.module if isinstance(student, DistributedDataParallel) else student
    return AveragedModel(plain, multi_avg_fn=get_ema_multi_avg_fn(decay), use_buffers=True)


def epoch_cap(cfg: DistillSettings) -> int:
    """The most epochs the run may take: ``--epochs``, or without it 400, or with ``--minutes``/``--replay`` as
    many as the time or the recorded steps allow."""
    if cfg.epochs is not None:
        return cfg.epochs
    return 1 << 20 if cfg.minutes is not None or cfg.replay is not None else 400


def agree_max(value: float) -> float:
    """The largest ``value`` over the torchrun processes (a timed schedule goes by the slowest clock)."""
    t = torch.tensor([value], dtype=torch.float64)
    torch_dist.all_reduce(t, op=torch_dist.ReduceOp.MAX)
    return float(t)


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


def settings_of(cfg: DistillSettings, data: Dataset | None, holdout: float, world: int, classes: int) -> dict[str, Any]:
    """What defines this run's result (compared on --resume): settings, data (by what it is, not where it lies,
    so that a moved run directory resumes) or stream, teacher weights, process count."""
    out = cfg.identity()
    out.update(holdout=holdout, num_classes=classes, processes=world,
               weights=weights_sha256(cfg.teacher.weights) or cfg.teacher.weights)
    if data is not None:
        out.update(data_identity={**{k: data.header.get(k) for k in ("generator", "seed", "total")},
                                  "images": len(data), "fingerprint": data.fingerprint})
    else:
        out.update(stream=asdict(cfg.stream))
    if cfg.replay is not None:
        out["replay"] = read_schedule(cfg.replay)  # the schedule itself, wherever its file lies
    return json.loads(json.dumps(out))  # plain JSON values, as they come back from a checkpoint


def checkpoint_state(run: Run) -> dict[str, Any]:
    """Everything a checkpoint holds but the random generators (see ``synthkd.distill.checkpoint``)."""
    return {"settings": run.settings, "history": run.history, "student": run.plain_student.state_dict(),
            "optimizer": run.optimizer.state_dict(), "scaler": run.scaler.state_dict(),
            "schedule": run.schedule.state_dict(run.step),
            **({"average": run.average.state_dict()} if run.average is not None else {})}


def resume(run: Run, state: dict[str, Any]) -> None:
    """Continue from a checkpoint (:func:`~synthkd.distill.checkpoint.read_checkpoint`): only with ``--resume``."""
    run.plain_student.load_state_dict(state["student"])
    run.optimizer.load_state_dict(state["optimizer"])
    run.scaler.load_state_dict(state["scaler"])
    if run.average is not None:
        run.average.load_state_dict(state["average"])
    run.step = run.schedule.load_state_dict(state["schedule"])
    set_rng_states(state["rng"][run.dist.rank])
    run.history = list(state["history"])


def train_one_epoch(run: Run, epoch: int) -> dict[str, Any]:
    """One pass over this process's share of the data (or until the schedule ends): load, augment, mix, step;
    returns the epoch's figures."""
    cfg, dist = run.cfg, run.dist
    run.student.train()
    (run.loader if isinstance(run.loader, StreamLoader) else run.loader.batch_sampler).set_epoch(epoch)
    steps = len(run.loader)
    total = torch.zeros((), device=run.device)
    seen = torch.zeros(run.settings["num_classes"], dtype=torch.long, device=run.device)
    start, done, lr = time.perf_counter(), 0, cfg.lr
    with progress(steps * cfg.batch_size, f"epoch {epoch + 1}", quiet=cfg.quiet or not dist.main) as bar:
        for batch, batch_epoch, step, plain in loader_batches(run.loader):
            x = batch.to(run.device, non_blocking=True)
            if x.dtype == torch.uint8:  # not made by the workers: augment and mix on the device
                x = run.pipeline(x, batch_epoch, step, None if plain is None else plain.to(run.device))
            lr = cfg.lr * run.schedule.factor(run.step)
            for group in run.optimizer.param_groups:
                group["lr"] = lr
            loss, teacher_classes = kd_step(run.teacher, run.student, run.optimizer, run.scaler,
                                            x.contiguous(memory_format=run.memory_format), cfg.temperature,
                                            cfg.hard_weight, run.amp)
            total += loss
            seen += torch.bincount(teacher_classes, minlength=len(seen))
            run.step, done = run.step + 1, done + 1
            if run.average is not None:
                run.average.update_parameters(run.plain_student)
            if run.cpu_share is not None:
                run.cpu_share.update()
            bar.update(cfg.batch_size)
            if done % 10 == 0 or done == steps:
                bar.set_postfix(loss=f"{float(total) / done:.4f}", refresh=False)
            if run.schedule.done(run.step):
                break
    if dist.world > 1:
        torch_dist.all_reduce(total)
        torch_dist.all_reduce(seen)
        total /= dist.world
    seconds = time.perf_counter() - start
    return {"loss": float(total) / max(done, 1), "lr": lr, "steps": run.step, "seconds": round(seconds, 3),
            "images_per_s": round(done * cfg.batch_size / seconds, 1),
            "progress": run.schedule.last_progress,
            "effective_relative_entropy": round(relative_entropy(seen.cpu().numpy()), 4),
            "effective_histogram": seen.tolist(),
            **({"window": run.loader.window_counts.get(epoch, {})} if isinstance(run.loader, StreamLoader) else {})}


def finish(run: Run) -> dict[str, Any]:
    """Write the trained student, the schedule it followed and the summary (main process); return the summary."""
    cfg = run.cfg
    stream = isinstance(run.loader, StreamLoader)
    schedule = run.schedule.record(run.step)
    summary = {
        "out": str(cfg.out), "teacher": cfg.teacher.name, "student": cfg.student,
        "data": f"stream:{cfg.stream.source}" if stream else str(cfg.data), "classes": run.settings["num_classes"],
        "train_images": len(run.history) * cfg.stream.window if stream else len(run.loader.dataset),
        "epochs": len(run.history), "steps": run.step, "presentations": run.step * cfg.batch_size,
        "processes": run.dist.world, "device": str(run.device),
        "seconds": round(sum(m["seconds"] for m in run.history), 1),
        "images_per_s": round(run.step * cfg.batch_size / max(sum(m["seconds"] for m in run.history), 1e-9), 1),
        **{k: v for k, v in run.history[-1].items() if k not in ("epoch", "seconds", "images_per_s", "steps")},
        "schedule": {k: schedule[k] for k in ("steps", "seconds", "allotted_seconds")},
        "student_weights": str(cfg.out / STUDENT),
    }
    if run.dist.main:
        net = run.result
        weights = {"state_dict": net.net.state_dict(), "spec": cfg.student, "num_classes": summary["classes"],
                   "mean": net.mean.flatten().tolist(), "std": net.std.flatten().tolist(),
                   "input_size": net.input_size}
        atomic_write(cfg.out / STUDENT, lambda f: torch.save(weights, f))
        write_json(cfg.out / SCHEDULE, schedule)
        write_json(cfg.out / SUMMARY, summary)
        if run.tensorboard is not None:
            run.tensorboard.close()
    return summary

