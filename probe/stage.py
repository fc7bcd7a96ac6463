"""What ``probe`` does, as one function a test or a script can call: D_S + teacher -> D_K (+ boundary pairs).

1. The teacher labels every D_S image (argmax, max softmax, entropy), chunk by chunk; each finished chunk's
   predictions are saved in ``OUT/predictions`` so that a killed run does not redo them. Under torchrun the
   ranks split this work and exchange the results.
2. The balancer picks D_K (:func:`probe.balance.select`); the choice is recorded in ``dataset.json``.
3. D_K is written in chunks. Each chunk holds its balanced examples (copied from D_S, with the teacher's
   label), and, with ``--attack boundary``, the adversarial examples made from the first of them: for each
   valid pair the pre, post, pre-deeper and post-deeper images. Adversarial images are stored as 8-bit
   pixels, so each is run through the teacher again as stored; one whose class moved (or, pre/post, whose
   confidence reached the threshold) is dropped and counted.
4. A histogram plot, a per-class sheet, a pair sheet and a one-line JSON report are written.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.distributed as dist

from synthkd.core.cli import finish, progress, write_chunks
from synthkd.core.dataset import Dataset, DatasetWriter, Shard, atomic_write
from synthkd.core.models import num_classes_of, weights_sha256
from synthkd.probe.attack import BoundaryAttack, choose_targets
from synthkd.probe.balance import (
    Predictions,
    histogram,
    join,
    predict_chunks,
    relative_entropy,
    select,
    soft_stats,
    to_batch,
)
from synthkd.probe.plots import save_class_sheet, save_histograms, save_pair_sheet

ATTACKS = ("boundary", "none")
KINDS = ("pre", "post", "pre-deeper", "post-deeper")


@dataclass(frozen=True)
class ProbeSettings:
    """Everything that defines a probe output besides D_S and the teacher (the CLI's options)."""

    per_class: int | None = None
    total: int | None = None
    strategy: str = "balanced"
    seed: int = 0
    batch: int = 256
    chunk_size: int = 1000
    attack: str = "boundary"
    probe_fraction: float | None = None
    pairs: int | None = None
    target: str = "balanced"
    norm: str = "Linf"
    eps: float | None = None  # None: the attack's default for the norm
    step: float | None = None
    max_steps: int = 50
    threshold: float = 0.9
    grow: float = 1.1
    shrink: float = 0.5

    def make_attack(self, teacher: torch.nn.Module, num_classes: int) -> BoundaryAttack | None:
        if self.attack == "none":
            return None
        return BoundaryAttack(teacher, eps=self.eps, step=self.step, max_steps=self.max_steps, norm=self.norm,
                              threshold=self.threshold, grow=self.grow, shrink=self.shrink, num_classes=num_classes)


def probe(data: Dataset, teacher: torch.nn.Module, teacher_record: dict[str, Any], out: Path,
          settings: ProbeSettings, device: torch.device | str = "cpu", shard: Shard | None = None,
          quiet: bool = False) -> Path:
    """Build D_K (and its boundary pairs) from ``data`` with ``teacher`` into ``out``; returns ``out``."""
    started = time.perf_counter()
    device = torch.device(device)
    num_classes = num_classes_of(teacher, data.image_size)
    attack = settings.make_attack(teacher, num_classes)  # checks the attack options before any work
    total = settings.total or num_classes * (settings.per_class or max(1, len(data) // num_classes))
    writer = DatasetWriter(out, _identity(data, teacher_record, settings, num_classes, total), shard,
                           variable=attack is not None)
    teacher = teacher.to(device).eval()
    if writer.derived is None:
        pred = _predict_all(data, teacher, writer.out / "predictions", settings.batch, device, quiet)
        writer.set_derived(_balance(pred, num_classes, total, settings), {"teacher_seconds": round(pred.seconds, 2)})
    chosen = writer.derived
    probed = _probed_counts(writer, settings)
    record = write_chunks(writer, lambda c, n: _make_chunk(data, teacher, attack, chosen, settings, probed, c, n,
                                                           device),
                          f"D_K {'+ boundary pairs ' if attack else ''}-> {writer.out.name}", quiet)
    finish(writer, started, record, _report(chosen), lambda ds: _figures(ds, chosen, num_classes, settings))
    return writer.out


def _identity(data: Dataset, teacher: dict[str, Any], settings: ProbeSettings, num_classes: int,
              total: int) -> dict[str, Any]:
    source = {k: data.header.get(k) for k in ("generator", "total", "image_size", "seed", "settings", "derived")}
    weights = teacher.get("weights")
    digest = weights_sha256(weights) or weights
    return {"generator": "probe", "total": total, "image_size": data.image_size, "seed": settings.seed,
            "chunk_size": settings.chunk_size,
            "settings": {**asdict(settings), "num_classes": num_classes,
                         "teacher": {**teacher, "weights_sha256": digest},
                         "data": hashlib.sha256(json.dumps(source, sort_keys=True).encode()).hexdigest()[:16]}}


def _predict_all(data: Dataset, teacher: torch.nn.Module, cache: Path, batch: int, device: torch.device,
                 quiet: bool) -> Predictions:
    """The teacher's predictions for every D_S image; finished chunks are kept in ``cache``."""
    cache.mkdir(exist_ok=True)
    rank, world = (dist.get_rank(), dist.get_world_size()) if dist.is_initialized() else (0, 1)
    mine = list(Shard(rank, world).chunks(data.num_chunks))
    done = {k: _load_predictions(cache / f"c{k:06d}.npz") for k in mine if (cache / f"c{k:06d}.npz").is_file()}
    todo = [k for k in mine if k not in done]
    with progress(sum(data.chunk_sizes[k] for k in mine), "teacher on D_S", quiet=quiet) as bar:
        bar.update(sum(len(p) for p in done.values()))
        for k, pred in predict_chunks(data, teacher, todo, batch, device, amp=device.type == "cuda", bar=bar):
            atomic_write(cache / f"c{k:06d}.npz", lambda f, p=pred: np.savez(f, **_arrays(p)))
            done[k] = pred
    if world > 1:
        gathered: list[dict[int, Predictions]] = [{} for _ in range(world)]
        dist.all_gather_object(gathered, done)
        done = {k: p for part in gathered for k, p in part.items()}
    return join([done[k] for k in range(data.num_chunks)])


def _arrays(p: Predictions) -> dict[str, np.ndarray]:
    return {"labels": p.labels, "confidence": p.confidence, "entropy": p.entropy, "seconds": np.array(p.seconds)}


def _load_predictions(path: Path) -> Predictions:
    with np.load(path) as z:
        return Predictions(z["labels"], z["confidence"], z["entropy"], float(z["seconds"]))


def _balance(pred: Predictions, num_classes: int, total: int, settings: ProbeSettings) -> dict[str, Any]:
    """The selection and its statistics, as recorded in ``dataset.json`` (``derived``)."""
    sel = select(pred, num_classes, total, settings.strategy, settings.seed)
    before, after = histogram(pred.labels, num_classes), histogram(pred.labels[sel.indices], num_classes)
    return {"num_classes": num_classes, "indices": sel.indices.tolist(),
            "labels": pred.labels[sel.indices].tolist(),
            "confidence": np.round(pred.confidence[sel.indices].astype(np.float64), 6).tolist(),
            "histogram_ds": before.tolist(), "histogram_dk": after.tolist(),
            "relative_entropy_ds": round(relative_entropy(before), 4),
            "relative_entropy_dk": round(relative_entropy(after), 4), **sel.info()}


def _probed_counts(writer: DatasetWriter, settings: ProbeSettings) -> list[int]:
    """How many of each chunk's first examples are probed: ``--probe-fraction`` of each chunk, or ``--pairs``
    spread over the chunks in proportion to their sizes (the same numbers in every shard)."""
    sizes = writer.sizes
    if settings.attack == "none":
        return [0] * len(sizes)
    if settings.pairs is None:
        fraction = 1.0 if settings.probe_fraction is None else settings.probe_fraction
        return [int(round(fraction * s)) for s in sizes]
    bounds = np.round(np.cumsum([0, *sizes]) * min(settings.pairs, sum(sizes)) / sum(sizes)).astype(int)
    return np.diff(bounds).tolist()


def _make_chunk(data: Dataset, teacher: torch.nn.Module, attack: BoundaryAttack | None, chosen: dict,
                settings: ProbeSettings, probed: list[int], c: int, count: int, device: torch.device):
    start = c * settings.chunk_size
    rows = np.asarray(chosen["indices"][start:start + count])
    labels = chosen["labels"][start:start + count]
    images = data.take(rows)
    columns: dict[str, list] = {"kind": ["balanced"] * count, "label": list(labels),
                                "confidence": chosen["confidence"][start:start + count],
                                "source_index": rows.tolist(), "target": [None] * count, "steps": [None] * count,
                                "step_size": [None] * count, "linf": [None] * count, "l2": [None] * count}
    counts = {"balanced": count}
    if attack is None or probed[c] == 0:
        return images, columns, counts
    extra, rows_meta, pair_counts = _boundary_examples(teacher, attack, images[:probed[c]], rows[:probed[c]],
                                                       labels[:probed[c]], settings, c, device)
    for key, values in rows_meta.items():
        columns[key] += values
    return np.concatenate([images, extra]), columns, {**counts, **pair_counts}


def _boundary_examples(teacher: torch.nn.Module, attack: BoundaryAttack, images: np.ndarray, rows: np.ndarray,
                       labels: list[int], settings: ProbeSettings, c: int, device: torch.device):
    """Attack ``images`` (batch by batch) and return the stored adversarial images, their metadata columns
    and the chunk's counts (pairs tried / valid, examples dropped after 8-bit rounding)."""
    kept: list[np.ndarray] = []
    columns: dict[str, list] = {k: [] for k in ("kind", "label", "confidence", "source_index", "target", "steps",
                                                "step_size", "linf", "l2")}
    counts = {"pairs_tried": 0, "pairs_valid": 0, **{f"dropped_rounding_{k}": 0 for k in KINDS}}
    for lo in range(0, len(images), settings.batch):
        x = to_batch(images[lo:lo + settings.batch], device)
        y = torch.tensor(labels[lo:lo + settings.batch], device=device)
        with torch.no_grad():
            logits = teacher(x)
        seed = settings.seed * 1_000_003 + c * 1_009 + lo
        targets = choose_targets(y, logits, logits.shape[1], settings.target, seed)
        res = attack.probe(x, y, targets)
        valid = res.valid
        counts["pairs_tried"] += len(x)
        counts["pairs_valid"] += int(valid.sum())
        for j, (kind, adv) in enumerate(zip(KINDS, (res.pre, res.post, res.pre_deeper, res.post_deeper),
                                            strict=True)):
            expect = res.pred[:, j]
            stored = (adv[valid] * 255).round().clamp(0, 255).to(torch.uint8)
            with torch.no_grad():
                got, conf, _ = soft_stats(teacher(stored.float() / 255))
            ok = got == expect[valid]
            if kind in ("pre", "post"):
                ok &= conf < settings.threshold
            counts[f"dropped_rounding_{kind}"] += int((~ok).sum())
            delta = (stored.float() / 255 - x[valid])[ok].flatten(1)
            kept.append(stored[ok].permute(0, 2, 3, 1).cpu().numpy())
            n = int(ok.sum())
            columns["kind"] += [kind] * n
            columns["label"] += got[ok].tolist()
            columns["confidence"] += [round(v, 6) for v in conf[ok].tolist()]
            columns["source_index"] += rows[lo:lo + settings.batch][valid.cpu().numpy()][ok.cpu().numpy()].tolist()
            columns["target"] += targets[valid][ok].tolist()
            columns["steps"] += res.steps[valid][ok].tolist()
            columns["step_size"] += [round(v, 8) for v in res.step_size[valid][ok].tolist()]
            columns["linf"] += [round(v, 6) for v in delta.abs().amax(1).tolist()] if n else []
            columns["l2"] += [round(v, 6) for v in delta.norm(dim=1).tolist()] if n else []
    size = images.shape[1]
    extra = np.concatenate(kept) if kept else np.zeros((0, size, size, 3), np.uint8)
    return extra, columns, counts


def _report(chosen: dict) -> dict[str, Any]:
    return {k: chosen[k] for k in ("num_classes", "relative_entropy_ds", "relative_entropy_dk", "skipped_classes",
                                   "replicated_classes")}


def _figures(ds: Dataset, chosen: dict, num_classes: int, settings: ProbeSettings) -> dict[str, Any]:
    """The run's figures (class histogram after probing, attack statistics) and its pictures."""
    labels = np.asarray(ds.column("label"))
    kinds = np.asarray(ds.column("kind"))
    after = histogram(labels, num_classes)
    figures: dict[str, Any] = {"relative_entropy_after_probing": round(relative_entropy(after), 4),
                               "histogram_after_probing": after.tolist()}
    save_histograms(ds.roots[0] / "histogram.png",
                    {"D_S (teacher argmax)": chosen["histogram_ds"], "D_K (balanced)": chosen["histogram_dk"],
                     "D_K + boundary pairs": after.tolist()})
    save_class_sheet(ds.roots[0] / "classes.png", ds, labels, kinds == "balanced", num_classes)
    if settings.attack != "none":
        figures["attack"] = attack_statistics(ds)
        save_pair_sheet(ds.roots[0] / "pairs.png", ds)
    return figures


def attack_statistics(ds: Dataset) -> dict[str, Any]:
    """Success rate, steps to cross, distances and confidence of the stored adversarial examples."""
    counts = ds.summary()["counts"]
    kinds = np.asarray(ds.column("kind"))
    conf = np.asarray(ds.column("confidence"), dtype=np.float64)
    post = kinds == "post"
    steps = np.asarray([s for s, k in zip(ds.column("steps"), kinds, strict=True) if k == "post"], dtype=np.float64)

    def stats(values: np.ndarray) -> dict[str, float]:
        if not len(values):
            return {}
        q = np.quantile(values, [0.0, 0.25, 0.5, 0.75, 1.0])
        return {"mean": round(float(values.mean()), 5), **{k: round(float(v), 5)
                                                           for k, v in zip(("min", "q25", "median", "q75", "max"), q,
                                                                           strict=True)}}

    linf = np.asarray([v for v, k in zip(ds.column("linf"), kinds, strict=True) if k == "post"], dtype=np.float64)
    l2 = np.asarray([v for v, k in zip(ds.column("l2"), kinds, strict=True) if k == "post"], dtype=np.float64)
    tried = counts.get("pairs_tried", 0)
    return {"pairs_tried": tried, "pairs_valid": counts.get("pairs_valid", 0),
            "success_rate": round(counts.get("pairs_valid", 0) / tried, 4) if tried else None,
            "stored": {k: int((kinds == k).sum()) for k in KINDS},
            "dropped_after_rounding": {k: counts.get(f"dropped_rounding_{k}", 0) for k in KINDS},
            "steps_to_cross": stats(steps), "linf_post": stats(linf), "l2_post": stats(l2),
            "confidence_pre": stats(conf[kinds == "pre"]), "confidence_post": stats(conf[post])}


def init_distributed() -> None:
    """Join torchrun's process group (gloo on CPU, nccl with CUDA) when launched by torchrun."""
    if int(os.environ.get("WORLD_SIZE", "1")) > 1 and not dist.is_initialized():
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")

