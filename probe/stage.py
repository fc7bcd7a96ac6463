"""The probe stage: D_S + teacher -> D_K (+ boundary pairs), as one function over :class:`ProbeSettings`.

1. The teacher labels every D_S image (argmax, max softmax, entropy), chunk by chunk; each finished chunk's
   predictions are saved in ``OUT/predictions`` so that a killed run does not redo them. Under torchrun the
   ranks split this work and exchange the results.
2. The balancer picks D_K (:func:`synthkd.probe.balance.select`); the choice is recorded in ``dataset.json``.
3. D_K is written in chunks. Each chunk holds its balanced examples (copied from D_S, with the teacher's
   label), and, with ``--attack boundary``, the adversarial examples made from the first of them: for each
   valid pair the pre, post, pre-deeper and post-deeper images. Adversarial images are stored as 8-bit
   pixels, so each is run through the teacher again as stored; one whose class moved (or, pre/post, whose
   confidence reached the threshold) is dropped and counted.
4. A histogram plot, a per-class sheet and a pair sheet are written; the run's record is returned.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.distributed as dist

from synthkd.core.classes import histogram, relative_entropy
from synthkd.core.dataset import HEADER, Dataset, Shard, open_dataset
from synthkd.core.errors import DatasetError, DatasetFault
from synthkd.core.files import atomic_write, read_json
from synthkd.core.generate import finish, resolve_shard, write_chunks
from synthkd.core.models import Classifier, TeacherSpec, num_classes_of
from synthkd.core.resources import CEILING, check_fits, image_bytes
from synthkd.core.runtime import init_distributed, pick_device, progress
from synthkd.core.settings import (
    REQUIRED,
    batch_size_field,
    device_field,
    group,
    int_at_least,
    opt,
    positive_int,
    quiet_field,
    require,
    seed_field,
    shard_field,
)
from synthkd.core.tensors import memory_batch, soft_stats, to_float
from synthkd.core.writer import DatasetWriter
from synthkd.probe.attack import KINDS, AttackSettings, BoundaryPairAttack, BoundaryResult, choose_targets
from synthkd.probe.balance import BalanceSettings, Predictions, join, predict_chunks, select
from synthkd.probe.figures import figures
from synthkd.probe.fill import FILL, Filled, fill_classes, wanted, with_fill

ATTACKS = ("boundary", "none")
FILL_FILE = "fill.npz"  # the fill images, made once when D_K is chosen
SELECTION = "selection.npz"  # the chosen D_S rows, made once when D_K is chosen
BYTES_PER_ROW = 64  # memory per D_K row while choosing and writing it (index, label, confidence, copies)
BYTES_PER_DS_IMAGE = 48  # memory per D_S image: the teacher's label, confidence and entropy, and copies


@dataclass(frozen=True, kw_only=True)
class ProbeSettings:
    """A probe run: D_S and the teacher in, D_K (and its boundary pairs) out (``probe``'s options)."""

    data: tuple[Path, ...] = opt(REQUIRED, "dataset directory from render-shaders/render-leaves/render-noise (or its "
                                 "shards)", "--data", type=Path, nargs="+", metavar="D_S")
    out: Path = opt(REQUIRED, "output dataset directory", "--out", type=Path, metavar="D_K")
    teacher: TeacherSpec = field(metadata=group("teacher"))
    device: str = device_field()
    batch_size: int = batch_size_field()
    seed: int = seed_field("seeds the selection within classes and the attack targets")
    chunk_size: int = opt(1000, "D_K examples per chunk file", "--chunk-size", type=positive_int)
    balance: BalanceSettings = field(default_factory=BalanceSettings,
                                     metadata=group("balancing (Frank & Davis, section 3.2)"))
    attack: str = opt("boundary", "'none' stops after balancing; 'boundary' adds pre/post/deeper adversarial pairs "
                      "(section 4)", "--attack", choices=ATTACKS)
    probe_fraction: float | None = opt(None, "share of D_K examples to probe (default 1.0; or --pairs)",
                                       "--probe-fraction", type=float)
    pairs: int | None = opt(None, "number of D_K examples to probe (instead of --probe-fraction)", "--pairs",
                            type=int_at_least(0))
    boundary: AttackSettings = field(default_factory=AttackSettings, metadata=group("boundary probing"))
    fill: str = opt("off", "make images for the classes D_S lacks by attacking other images into them, in place of "
                    "replicas: 'auto' when a class has under half its share of D_K (the balancer would replicate "
                    "it more than twice or skip it), 'on' when any class is short, 'off' never (the default: "
                    "steering the generator, render-* --steer, gives students more)", "--fill", choices=FILL)
    fill_budget: int | None = opt(None, "--fill: attacks to spend at most (default 4 per missing image); at least "
                                  "one per class", "--fill-budget", type=positive_int)
    shard: str | None = shard_field()
    quiet: bool = quiet_field()

    def __post_init__(self) -> None:
        object.__setattr__(self, "data", tuple(Path(p) for p in self.data))
        require(bool(self.data), "--data needs at least one dataset directory")
        require(self.probe_fraction is None or 0 < self.probe_fraction <= 1,
                f"--probe-fraction must be in (0, 1], got {self.probe_fraction}")
        require(self.probe_fraction is None or self.pairs is None, "give --probe-fraction or --pairs, not both")

    def make_attack(self, teacher: torch.nn.Module, num_classes: int) -> BoundaryPairAttack | None:
        if self.attack == "none":
            return None
        return BoundaryPairAttack(teacher, self.boundary, num_classes=num_classes)

    def identity(self) -> dict[str, Any]:
        """What defines the output besides D_S and the teacher (the dataset header's settings)."""
        fill = {} if self.fill == "off" else {"fill": self.fill, "fill_budget": self.fill_budget}
        return {"balance": asdict(self.balance), "attack": self.attack, "boundary": asdict(self.boundary),
                "probe_fraction": self.probe_fraction, "pairs": self.pairs, "batch_size": self.batch_size, **fill}


def probe(s: ProbeSettings) -> dict[str, Any]:
    """Build D_K (and its boundary pairs) as ``s`` describes; returns the run's record (what ``probe`` prints)."""
    data = open_dataset(s.data[0] if len(s.data) == 1 else list(s.data))
    require(len(data) > 0, f"{s.data[0]} holds no images")
    device = pick_device(s.device)
    init_distributed(device)
    teacher = s.teacher.load(data.image_size)
    shard, out = resolve_shard(s.shard, s.out)
    return build_dk(data, teacher, s.teacher.record(), out, s, device, shard)


def build_dk(data: Dataset, teacher: Classifier, teacher_record: dict[str, Any], out: Path, s: ProbeSettings,
             device: torch.device | str = "cpu", shard: Shard | None = None) -> dict[str, Any]:
    """D_K (and its boundary pairs) from ``data`` with a loaded ``teacher`` into ``out``; returns the record."""
    started = time.perf_counter()
    device = torch.device(device)
    teacher = teacher.to(device).eval()  # before the attack is made: it runs where the model is
    num_classes = num_classes_of(teacher, data.image_size)
    attack = s.make_attack(teacher, num_classes)  # checks the attack options before any work
    total = s.balance.total or num_classes * (s.balance.per_class or max(1, len(data) // num_classes))
    require(s.fill == "off" or s.fill_budget is None or s.fill_budget >= num_classes,
            f"--fill-budget {s.fill_budget} is too small to fill any class: give at least one attack per class "
            f"({num_classes}), or --fill off")
    _refuse_changed_data(out, data)
    probed_share = 0.0 if attack is None else \
        (s.probe_fraction or 1.0) if s.pairs is None else min(1.0, s.pairs / total)
    rows = total * (1 + len(KINDS) * probed_share)  # balanced rows, and up to four images per probed one
    check_fits(f"probe --total {total}" if s.balance.total else f"a D_K of {total} images",
               memory=total * BYTES_PER_ROW + len(data) * BYTES_PER_DS_IMAGE
               + 8 * s.chunk_size * image_bytes(data.image_size), disk=rows * image_bytes(data.image_size), out=out,
               ceiling=CEILING)
    writer = DatasetWriter(out, _identity(data, teacher_record, s, num_classes, total), shard,
                           variable=attack is not None)
    if writer.derived is None:
        pred = _predict_all(data, teacher, writer.out / "predictions", memory_batch(s.batch_size, data.image_size,
                                                                                     device), device, s.quiet)
        info = {"teacher_seconds": round(pred.seconds, 2)}
        filled = None
        if wanted(s.fill, pred.labels, num_classes, total):
            clock = time.perf_counter()
            filled = fill_classes(data, pred, teacher, num_classes, total, s.boundary, s.fill_budget, s.batch_size,
                                  s.seed, device, s.quiet)
            atomic_write(writer.out / FILL_FILE, lambda f: np.savez(f, **filled.arrays()))
            pred, info["fill_seconds"] = with_fill(pred, filled), round(time.perf_counter() - clock, 2)
        derived, selection = _balance(pred, num_classes, total, s, filled)
        atomic_write(writer.out / SELECTION, lambda f: np.savez(f, **selection))  # before the header names it
        writer.set_derived(derived, info)
    chosen = {**writer.derived, **_selection(writer)}
    pool = _Pool(data, writer.out / FILL_FILE if "fill" in chosen else None)
    probed = _probed_counts(writer, s)
    record = write_chunks(writer, lambda c, n: _make_chunk(pool, teacher, attack, chosen, s, probed, c, n, device),
                          f"D_K {'+ boundary pairs ' if attack else ''}-> {writer.out.name}", s.quiet)
    return finish(writer, started, record, _report(chosen),
                  lambda ds: figures(ds, chosen, num_classes, attacked=s.attack != "none"))


def _identity(data: Dataset, teacher: dict[str, Any], s: ProbeSettings, num_classes: int,
              total: int) -> dict[str, Any]:
    source = {k: data.header.get(k) for k in ("generator", "total", "image_size", "seed", "settings", "derived")}
    fingerprint = data.fingerprint  # None for D_S written before checksums: then only its header is compared
    return {"generator": "probe", "total": total, "image_size": data.image_size, "seed": s.seed,
            "chunk_size": s.chunk_size,
            "settings": {**s.identity(), "num_classes": num_classes, "teacher": teacher,
                         "data": hashlib.sha256(json.dumps(source, sort_keys=True).encode()).hexdigest()[:16],
                         **({"data_fingerprint": fingerprint} if fingerprint else {})}}


def _refuse_changed_data(out: Path, data: Dataset) -> None:
    """Refuse to resume the D_K in ``out`` from D_S images that are not the ones it was started from (the D_S
    fingerprint it recorded differs), saying what changed."""
    if not (out / HEADER).is_file():
        return
    old = read_json(out / HEADER, "restore it, or choose another --out")
    before = old.get("settings", {}).get("data_fingerprint") if isinstance(old, dict) else None
    now = data.fingerprint
    if before and before != now:
        raise DatasetError(f"{out} was started from other D_S images than {', '.join(map(str, data.roots))} holds "
                           f"now (D_S fingerprint {before} then, {now} now); give the D_S it was started from, or "
                           "choose another --out")


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


def _balance(pred: Predictions, num_classes: int, total: int, settings: ProbeSettings,
             filled: Filled | None = None) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The selection's statistics, as recorded in ``dataset.json`` (``derived``; with fill images, what filling
    did and how many distinct images each class has in D_K), and the selection itself (``selection.npz``: row
    arrays, which a JSON header would hold as lists many times their size)."""
    sel = select(pred, num_classes, total, settings.balance.strategy, settings.seed)
    n_ds = len(pred) - (len(filled) if filled else 0)
    before = histogram(pred.labels[:n_ds], num_classes)
    after = histogram(pred.labels[sel.indices], num_classes)
    distinct = histogram(pred.labels[np.unique(sel.indices)], num_classes)
    fill = {} if filled is None else {"fill": filled.report, "fill_images": len(filled),
                                      "histogram_filled": histogram(pred.labels, num_classes).tolist()}
    derived = {**fill, "distinct_dk": distinct.tolist(), "num_classes": num_classes,
               "histogram_ds": before.tolist(), "histogram_dk": after.tolist(),
               "relative_entropy_ds": round(relative_entropy(before), 4),
               "relative_entropy_dk": round(relative_entropy(after), 4), **sel.info()}
    selection = {"indices": sel.indices.astype(np.int64), "labels": pred.labels[sel.indices].astype(np.int64),
                 "confidence": np.round(pred.confidence[sel.indices].astype(np.float64), 6)}
    return derived, selection


def _selection(writer: DatasetWriter) -> dict[str, np.ndarray]:
    """The chosen D_S rows, their labels and confidences (``selection.npz``; D_K written before it kept them in
    its header), checked against the header's total."""
    if "indices" in writer.derived:
        return {k: np.asarray(writer.derived[k]) for k in ("indices", "labels", "confidence")}
    path = writer.out / SELECTION
    try:
        with np.load(path) as z:
            arrays = {k: z[k] for k in ("indices", "labels", "confidence")}
    except (OSError, ValueError, KeyError) as exc:
        raise DatasetFault(f"{path} is missing or damaged ({exc}); delete {writer.out} and run probe again") from None
    if any(len(a) != writer.header["total"] for a in arrays.values()):
        raise DatasetFault(f"{path} does not hold the {writer.header['total']} rows of {writer.out}; delete "
                           f"{writer.out} and run probe again")
    return arrays


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


class _Pool:
    """D_S followed by the fill images (fill image k is row len(D_S) + k), read by row."""

    def __init__(self, data: Dataset, fill: Path | None):
        self.data = data
        self.fill = np.load(fill)["images"] if fill is not None else None

    def take(self, rows: np.ndarray) -> np.ndarray:
        if self.fill is None:
            return self.data.take(rows)
        ours = rows < len(self.data)
        out = np.empty((len(rows), *self.fill.shape[1:]), np.uint8)
        out[ours] = self.data.take(rows[ours])
        out[~ours] = self.fill[rows[~ours] - len(self.data)]
        return out


def _make_chunk(pool: _Pool, teacher: torch.nn.Module, attack: BoundaryPairAttack | None, chosen: dict,
                settings: ProbeSettings, probed: list[int], c: int, count: int, device: torch.device):
    start = c * settings.chunk_size
    rows = np.asarray(chosen["indices"][start:start + count])
    labels = np.asarray(chosen["labels"][start:start + count]).tolist()
    images = pool.take(rows)
    columns: dict[str, list] = {"kind": ["balanced"] * count, "label": list(labels),
                                "confidence": np.asarray(chosen["confidence"][start:start + count]).tolist(),
                                "source_index": rows.tolist(), "target": [None] * count, "steps": [None] * count,
                                "step_size": [None] * count, "linf": [None] * count, "l2": [None] * count}
    counts = {"balanced": count}
    if "fill" in chosen:
        columns["filled"] = (rows >= len(pool.data)).tolist()
        counts["filled"] = int(sum(columns["filled"]))
    if attack is None or probed[c] == 0:
        return images, columns, counts
    extra, rows_meta, pair_counts = boundary_examples(teacher, attack, images[:probed[c]], rows[:probed[c]],
                                                      labels[:probed[c]], settings.batch_size,
                                                      settings.seed * 1_000_003 + c * 1_009, device,
                                                      classes=np.unique(chosen["labels"]))
    for key, values in rows_meta.items():
        columns[key] += values
    return np.concatenate([images, extra]), columns, {**counts, **pair_counts}


def boundary_examples(teacher: torch.nn.Module, attack: BoundaryPairAttack, images: np.ndarray, rows: np.ndarray,
                      labels: list[int], batch_size: int, seed: int, device: torch.device | str = "cpu",
                      classes: np.ndarray | None = None):
    """Attack ``images`` (batch by batch; targets by the attack's policy among ``classes``, the classes of the
    dataset they come from, seeded with ``seed`` + the batch's first row) and return the stored adversarial
    images, their metadata columns and the counts (pairs tried / valid, examples dropped after 8-bit rounding).
    Every stored image is run through the teacher again as stored. The teacher and the attack see slices of
    :func:`~synthkd.core.tensors.memory_batch` images (on a CPU, fewer where they are large); the targets are
    drawn per batch, so they do not depend on the device."""
    kept: list[np.ndarray] = []
    columns: dict[str, list] = {k: [] for k in ("kind", "label", "confidence", "source_index", "target", "steps",
                                                "step_size", "linf", "l2")}
    counts = {"pairs_tried": 0, "pairs_valid": 0, **{f"dropped_rounding_{k}": 0 for k in KINDS}}
    for lo in range(0, len(images), batch_size):
        x = to_float(images[lo:lo + batch_size], device)
        y = torch.tensor(labels[lo:lo + batch_size], device=device)
        step = memory_batch(len(x), x.shape[-1], device)
        logits = _logits(teacher, x, step)
        allowed = None if classes is None else torch.as_tensor(classes)
        targets = choose_targets(y, logits, logits.shape[1], attack.settings.target, seed + lo, allowed)
        res = BoundaryResult.cat([attack.probe(x[i:i + step], y[i:i + step], targets[i:i + step], allowed)
                                  for i in range(0, len(x), step)])
        valid = res.valid
        counts["pairs_tried"] += len(x)
        counts["pairs_valid"] += int(valid.sum())
        for j, kind in enumerate(KINDS):
            adv = res.images(kind)
            expect = res.pred[:, j]
            stored = (adv[valid] * 255).round().clamp(0, 255).to(torch.uint8)
            got, conf, _ = soft_stats(_logits(teacher, stored.float() / 255, step))
            ok = got == expect[valid]
            if kind in ("pre", "post"):
                ok &= conf < attack.threshold
            counts[f"dropped_rounding_{kind}"] += int((~ok).sum())
            delta = (stored.float() / 255 - x[valid])[ok].flatten(1)
            kept.append(stored[ok].permute(0, 2, 3, 1).cpu().numpy())
            n = int(ok.sum())
            columns["kind"] += [kind] * n
            columns["label"] += got[ok].tolist()
            columns["confidence"] += [round(v, 6) for v in conf[ok].tolist()]
            columns["source_index"] += rows[lo:lo + batch_size][valid.cpu().numpy()][ok.cpu().numpy()].tolist()
            columns["target"] += res.targets[valid][ok].tolist()
            columns["steps"] += res.steps[valid][ok].tolist()
            columns["step_size"] += [round(v, 8) for v in res.step_size[valid][ok].tolist()]
            columns["linf"] += [round(v, 6) for v in delta.abs().amax(1).tolist()] if n else []
            columns["l2"] += [round(v, 6) for v in delta.norm(dim=1).tolist()] if n else []
    size = images.shape[1]
    extra = np.concatenate(kept) if kept else np.zeros((0, size, size, 3), np.uint8)
    return extra, columns, counts


def _logits(teacher: torch.nn.Module, x: torch.Tensor, step: int) -> torch.Tensor:
    """The teacher's logits for the float batch ``x``, ``step`` images at a time (bounded activations)."""
    with torch.no_grad():
        return torch.cat([teacher(x[i:i + step]) for i in range(0, max(len(x), 1), step)])


def _report(chosen: dict) -> dict[str, Any]:
    keys = ("num_classes", "relative_entropy_ds", "relative_entropy_dk", "skipped_classes", "replicated_classes",
            "distinct_dk", "fill")
    return {k: chosen[k] for k in keys if k in chosen}
