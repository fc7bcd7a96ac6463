"""The prober as class filler: make images of the classes D_S lacks by pushing other images across the teacher's
boundary into them.

The balancer can only choose among the images the teacher already puts in a class; a class it rarely predicts is
replicated up to its quota (the same few images many times) or skipped. Filling spends attacks there instead:

1. Each class's *deficit* is its even share of D_K minus the distinct D_S images the teacher puts in it.
2. A round draws targets among the starved classes in proportion to what each still lacks, and sources among the
   images of other classes: D_S, and the fill images of earlier rounds (an accepted image sits in a class that was
   hard to reach, and often lies nearer the next one). The boundary attack walks each source into its target; an
   accepted image is a valid pair's post image that the teacher, run again on its 8-bit pixels, still puts in the
   target class.
3. When fewer than half of a round's attacks give a valid pair, the next round doubles eps and the steps (up to a
   ceiling) and the record says so.
4. Rounds stop when every class has its quota or the attack budget is spent.

The fill images join D_S's predictions before balancing, so the balancer takes them like any other image of their
class, in place of replicas.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import torch

from synthkd.core.classes import histogram
from synthkd.core.dataset import Dataset
from synthkd.core.runtime import progress
from synthkd.core.tensors import memory_batch, soft_stats, to_float
from synthkd.probe.attack import AttackSettings, BoundaryPairAttack
from synthkd.probe.balance import Predictions

FILL = ("auto", "on", "off")
BUDGET_PER_MISSING = 4  # default attacks per missing image
MAX_EPS = {"Linf": 64 / 255, "L2": 12.0}  # how far widening may go
MAX_STEPS = 400


@dataclass
class Filled:
    """Images made for starved classes, with where each came from, and the per-class record of the rounds."""

    images: np.ndarray  # uint8 (N, H, W, 3)
    labels: np.ndarray  # int64 (N,): the teacher's class (the target)
    confidence: np.ndarray  # float32 (N,)
    entropy: np.ndarray  # float32 (N,)
    sources: np.ndarray  # int64 (N,): a D_S index, or len(D_S) + k for the k-th fill image
    rounds: np.ndarray  # int64 (N,): the round that made it (1, 2, ...)
    report: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.labels)

    def arrays(self) -> dict[str, np.ndarray]:
        return {k: getattr(self, k) for k in ("images", "labels", "confidence", "entropy", "sources", "rounds")}


def deficits(labels: np.ndarray, num_classes: int, total: int) -> np.ndarray:
    """Per class: its even share of ``total`` minus the images the teacher puts in it (0 when it has enough)."""
    share = np.full(num_classes, total // num_classes)
    share[: total % num_classes] += 1
    return np.maximum(share - histogram(labels, num_classes), 0)


def wanted(mode: str, labels: np.ndarray, num_classes: int, total: int) -> bool:
    """Whether to fill: ``on`` when any class is short of its share; ``auto`` when some class has under half of
    it (the balancer would replicate its images more than twice, or skip it); ``off`` never."""
    if mode == "off":
        return False
    missing = deficits(labels, num_classes, total)
    share = total // num_classes
    return bool(missing.any()) if mode == "on" else bool((missing > share / 2).any())


def fill_classes(data: Dataset, pred: Predictions, teacher: torch.nn.Module, num_classes: int, total: int,
                 settings: AttackSettings, budget: int | None = None, batch_size: int = 256, seed: int = 0,
                 device: torch.device | str = "cpu", quiet: bool = False) -> Filled:
    """Fill images for the classes short of their share of ``total`` (see the module docstring), spending at most
    ``budget`` attacks (default: BUDGET_PER_MISSING per missing image)."""
    device = torch.device(device)
    missing = deficits(pred.labels, num_classes, total)
    budget = BUDGET_PER_MISSING * int(missing.sum()) if budget is None else budget
    rng = np.random.default_rng([seed, 17])
    size = data.image_size
    images = np.zeros((0, size, size, 3), np.uint8)
    labels, confidence, entropy, sources, rounds = (np.zeros(0, np.int64), np.zeros(0, np.float32),
                                                    np.zeros(0, np.float32), np.zeros(0, np.int64),
                                                    np.zeros(0, np.int64))
    tried, valid = np.zeros(num_classes, np.int64), np.zeros(num_classes, np.int64)
    widened: list[dict[str, Any]] = []
    spent, round_no = 0, 0
    with progress(budget, "filling starved classes", quiet=quiet) as bar:
        while spent < budget and (still := missing - histogram(labels, num_classes)).any():
            round_no += 1
            n = min(budget - spent, max(batch_size, 2 * int(still.sum())))
            targets = rng.choice(num_classes, size=n, p=still / still.sum())
            rows = _sources(pred.labels, labels, targets, rng, len(data))
            x = np.concatenate([data.take(rows[rows < len(data)]), images[rows[rows >= len(data)] - len(data)]])
            order = np.concatenate([np.flatnonzero(rows < len(data)), np.flatnonzero(rows >= len(data))])
            rows, targets = rows[order], targets[order]
            attack = BoundaryPairAttack(teacher, settings, num_classes=num_classes, retry="none")  # its own targets
            got = _attack(attack, teacher, x, targets, batch_size, device)
            spent += n
            bar.update(n)
            np.add.at(tried, targets, 1)
            np.add.at(valid, targets, got["valid"].astype(np.int64))
            take = _up_to(targets, got["accepted"], still)
            images = np.concatenate([images, got["images"][take]])
            labels = np.concatenate([labels, targets[take]])
            confidence = np.concatenate([confidence, got["confidence"][take]])
            entropy = np.concatenate([entropy, got["entropy"][take]])
            sources = np.concatenate([sources, rows[take]])
            rounds = np.concatenate([rounds, np.full(len(take), round_no)])
            if got["valid"].mean() < 0.5:
                wider = _widen(settings)
                if wider != settings:
                    widened.append({"after_round": round_no, "valid_share": round(float(got["valid"].mean()), 3),
                                    "eps": round(wider.eps_value, 5), "max_steps": wider.max_steps})
                settings = wider
    made = histogram(labels, num_classes)
    report = {"missing": missing.tolist(), "filled": made.tolist(), "pairs_tried": tried.tolist(),
              "pairs_valid": valid.tolist(), "rounds": round_no, "attacks": spent, "budget": budget,
              "widened": widened,
              "rounds_by_class": [int(rounds[labels == c].max()) if made[c] else 0 for c in range(num_classes)]}
    return Filled(images, labels, confidence, entropy, sources, rounds, report)


def _sources(ds_labels: np.ndarray, fill_labels: np.ndarray, targets: np.ndarray, rng: np.random.Generator,
             n_data: int) -> np.ndarray:
    """A source for each target: an image of another class, half the time an earlier fill image when there is
    one of another class, otherwise a D_S image. Returns D_S indices, or n_data + k for fill image k."""
    out = np.empty(len(targets), np.int64)
    for t in np.unique(targets):
        rows = np.flatnonzero(targets == t)
        from_ds = np.flatnonzero(ds_labels != t)
        from_fill = np.flatnonzero(fill_labels != t) + n_data
        pick_fill = (rng.random(len(rows)) < 0.5) & (len(from_fill) > 0)
        out[rows] = rng.choice(from_ds, size=len(rows)) if len(from_ds) else rng.choice(from_fill, size=len(rows))
        if len(from_fill):
            out[rows[pick_fill]] = rng.choice(from_fill, size=int(pick_fill.sum()))
    return out


def _attack(attack: BoundaryPairAttack, teacher: torch.nn.Module, images: np.ndarray, targets: np.ndarray,
            batch_size: int, device: torch.device) -> dict[str, np.ndarray]:
    """Attack ``images`` towards ``targets``; the post images as 8-bit pixels, whether each pair was valid, and
    whether the stored image is still in its target class (accepted), with the teacher's confidence and entropy."""
    parts: dict[str, list] = {k: [] for k in ("images", "valid", "accepted", "confidence", "entropy")}
    step = memory_batch(batch_size, images.shape[1], device)
    for lo in range(0, len(images), step):
        x = to_float(images[lo:lo + step], device)
        t = torch.as_tensor(targets[lo:lo + step], device=device)
        with torch.no_grad():
            y = teacher(x).argmax(1)
        res = attack.probe(x, y, t)
        stored = (res.images("post") * 255).round().clamp(0, 255).to(torch.uint8)
        with torch.no_grad():
            got, conf, ent = soft_stats(teacher(stored.float() / 255))
        parts["images"].append(stored.permute(0, 2, 3, 1).cpu().numpy())
        parts["valid"].append(res.valid.cpu().numpy())
        parts["accepted"].append((res.valid & (got == t)).cpu().numpy())
        parts["confidence"].append(conf.float().cpu().numpy())
        parts["entropy"].append(ent.float().cpu().numpy())
    return {k: np.concatenate(v) for k, v in parts.items()}


def _up_to(targets: np.ndarray, accepted: np.ndarray, still: np.ndarray) -> np.ndarray:
    """Indices of accepted images, in order, at most ``still[c]`` of each class c."""
    take, count = [], np.zeros_like(still)
    for i in np.flatnonzero(accepted):
        if count[targets[i]] < still[targets[i]]:
            count[targets[i]] += 1
            take.append(i)
    return np.asarray(take, dtype=np.int64)


def _widen(s: AttackSettings) -> AttackSettings:
    """Twice the eps and the steps, up to the ceilings."""
    return replace(s, eps=min(2 * s.eps_value, MAX_EPS[s.norm]), max_steps=min(2 * s.max_steps, MAX_STEPS))


def with_fill(pred: Predictions, filled: Filled) -> Predictions:
    """D_S's predictions followed by the fill images' (fill image k is row len(D_S) + k)."""
    return Predictions(np.concatenate([pred.labels, filled.labels]),
                       np.concatenate([pred.confidence, filled.confidence]),
                       np.concatenate([pred.entropy, filled.entropy]), pred.seconds)
