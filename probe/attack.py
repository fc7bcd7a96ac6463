"""Adversarial boundary probing (Frank & Davis, section 4, "Adding Teacher Exploitation").

For an image x that the teacher labels y and a target t != y, a targeted iterative attack walks x towards t and
keeps the two iterates that straddle the teacher's boundary: "pre", the last one not classified t, and "post",
the first one classified t, both with max softmax below a threshold so they sit near the border. Each pair is
then copied and pushed one step deeper into its own class ("deeper" examples), which samples the regions on both
sides of the boundary. The step size of each example follows the Bold Driver rule.

:class:`BoundaryPairAttack` is a ``torchattacks.Attack``: ``atk(images, labels)`` returns the post-boundary images
under torchattacks' conventions; :meth:`BoundaryPairAttack.probe` returns everything (:class:`BoundaryResult`);
:func:`choose_targets` picks t. :class:`AttackSettings` holds the options, with their defaults, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torchattacks.attack import Attack

from synthkd.core.settings import opt, positive_int, require

POLICIES = ("balanced", "random", "second", "least")
RETRIES = ("nearest", "none")
KINDS = ("pre", "post", "pre-deeper", "post-deeper")  # as stored; column order of BoundaryResult.pred/confidence/...
DEEPER_RETRIES = 4  # shrinks allowed to a deeper step that overshoots
WIDEN = 2.0  # the last try of an example without a pair: an eps ball this many times as wide
DEFAULTS = {"Linf": (64 / 255, 2 / 255), "L2": (3.0, 0.2)}  # norm -> (eps, initial step size)


@dataclass(frozen=True, kw_only=True)
class AttackSettings:
    """The boundary prober's options; invalid values raise UsageError. See :class:`BoundaryPairAttack`."""

    target: str = opt("balanced", "target class: spread evenly over classes, random, second-most-likely, "
                      "least-likely", "--target", choices=POLICIES)
    norm: str = opt("Linf", "the attack's norm", "--norm", choices=tuple(DEFAULTS))
    eps: float | None = opt(None, "perturbation budget (default: " + ", ".join(
        f"{norm} {eps:.4g}" for norm, (eps, _) in DEFAULTS.items()) + ")", "--eps", type=float)
    step: float | None = opt(None, "initial step size, in [0, 1] pixel units (default: " + ", ".join(
        f"{norm} {step:.4g}" for norm, (_, step) in DEFAULTS.items()) + ")", "--step", type=float)
    max_steps: int = opt(50, "attack steps per example and try, undone ones included", "--max-steps",
                         type=positive_int)
    retry: str = opt("nearest", "an example that finds no pair towards its target tries again: towards the "
                     "nearest other class the probed images hold, then towards its target in an eps ball "
                     f"{WIDEN:g} x as wide ('nearest'), or not ('none')", "--retry", choices=RETRIES)
    threshold: float = opt(0.9, "pre and post must have max softmax below this; in (1/classes, 1]", "--threshold",
                           type=float)
    grow: float = opt(1.1, "Bold Driver: step factor while not yet crossed", "--grow", type=float)
    shrink: float = opt(0.5, "Bold Driver: step factor after an overshoot past the threshold or a step that raised "
                        "the loss towards the target (either step is undone)", "--shrink", type=float)

    def __post_init__(self) -> None:
        require(self.target in POLICIES, f"unknown target policy {self.target!r}: use one of {', '.join(POLICIES)}")
        require(self.norm in DEFAULTS, f"unknown norm {self.norm!r}: use one of {', '.join(DEFAULTS)}")
        require(self.retry in RETRIES, f"unknown retry {self.retry!r}: use one of {', '.join(RETRIES)}")
        for name, value in (("eps", self.eps), ("step", self.step)):
            require(value is None or value > 0, f"{name} must be > 0, got {value}")
        require(self.grow >= 1, f"grow must be >= 1, got {self.grow}")
        require(0 < self.shrink < 1, f"shrink must lie in (0, 1), got {self.shrink}")
        require(self.max_steps >= 1, f"max_steps must be >= 1, got {self.max_steps}")
        require(0 < self.threshold <= 1, f"threshold must lie in (1/C, 1], got {self.threshold}")

    @property
    def eps_value(self) -> float:
        return DEFAULTS[self.norm][0] if self.eps is None else self.eps

    @property
    def step_value(self) -> float:
        return DEFAULTS[self.norm][1] if self.step is None else self.step


def choose_targets(labels: Tensor, logits: Tensor | None, num_classes: int, policy: str = "balanced",
                   seed: int = 0, classes: Tensor | None = None) -> Tensor:
    """A target class t != y for every label y, among ``classes`` (default: all; the labels' own classes are
    always among them), by ``policy``:

    - ``balanced``: every class is the target about equally often, so the post-boundary examples cover all
      classes (greedy over a seeded random order: the least-used class != y, ties at random; then single moves
      from the most- to the least-used class until the counts differ by at most 1, where labels allow it);
    - ``random``: uniform over the classes != y;
    - ``second`` / ``least``: the most / least likely class != y under ``logits`` (the second-most-likely class
      when the teacher agrees with y).

    The probe stage passes the classes its images hold: a class the teacher gives none of them is seldom within
    reach of a small perturbation, so targeting it wastes the attack (steering the generator covers it instead).
    """
    if policy not in POLICIES:
        raise ValueError(f"unknown target policy {policy!r}: use one of {', '.join(POLICIES)}")
    if num_classes < 2:
        raise ValueError(f"targets need at least 2 classes, got num_classes={num_classes}")
    y = labels.detach().long().cpu()
    if len(y) and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(f"labels must lie in [0, {num_classes}), got [{int(y.min())}, {int(y.max())}]")
    if classes is not None:
        allowed = torch.unique(torch.cat([torch.as_tensor(classes).long().cpu(), y]))
        if 2 <= len(allowed) < num_classes:
            index = torch.full((num_classes,), -1, dtype=torch.long)
            index[allowed] = torch.arange(len(allowed))
            inner = choose_targets(index[y], None if logits is None else logits.detach().cpu()[:, allowed],
                                   len(allowed), policy, seed)
            return allowed[inner].to(labels.device)
    rng = np.random.default_rng(seed)
    if policy in ("second", "least"):
        if logits is None or logits.shape != (len(y), num_classes):
            raise ValueError(f"policy {policy!r} needs (N, {num_classes}) teacher logits")
        scores = logits.detach().float().cpu() * (1 if policy == "second" else -1)
        t = scores.scatter(1, y[:, None], float("-inf")).argmax(1)
    elif policy == "random":
        t = (y + torch.from_numpy(rng.integers(1, num_classes, len(y)))) % num_classes
    else:
        t = torch.from_numpy(_balanced(y.numpy(), num_classes, rng))
    return t.to(labels.device)


def _balanced(y: np.ndarray, c: int, rng: np.random.Generator) -> np.ndarray:
    counts, t = np.zeros(c, np.int64), np.empty(len(y), np.int64)
    for i in rng.permutation(len(y)):
        key = counts + rng.random(c)  # the random fraction breaks ties and never outweighs a count difference
        key[y[i]] = np.inf
        t[i] = key.argmin()
        counts[t[i]] += 1
    cap = len(y) - np.bincount(y, minlength=c)  # class k can only be the target of examples not labelled k
    while len(open_ := np.flatnonzero(counts < cap)):
        lo, hi = open_[counts[open_].argmin()], counts.argmax()
        movable = np.flatnonzero((t == hi) & (y != lo))
        if counts[hi] - counts[lo] <= 1 or not len(movable):
            break
        t[movable[rng.integers(len(movable))]] = lo
        counts[hi], counts[lo] = counts[hi] - 1, counts[lo] + 1
    return t


@dataclass
class BoundaryResult:
    """What :meth:`BoundaryPairAttack.probe` found, per example (first dimension N everywhere).

    Where ``valid`` is False the example gave no pair within the step budget (or the teacher already put the
    source in t): ``pre``, ``post`` and their deeper copies then all hold the last iterate not classified t.
    """

    source_label: Tensor  # (N,) teacher argmax on the source image
    targets: Tensor  # (N,) the target class t (of the retry, where the example was tried again)
    valid: Tensor  # (N,) bool: a straddling pair below the threshold was found
    steps: Tensor  # (N,) attack steps taken (undone ones included, both tries) until the pair, or the budget
    step_size: Tensor  # (N,) Bold Driver step size of the last step (used for the deeper step)
    pre: Tensor  # (N, 3, H, W) last iterate not classified t
    post: Tensor  # (N, 3, H, W) first iterate classified t
    pre_deeper: Tensor  # (N, 3, H, W) pre, one step further into its own class
    post_deeper: Tensor  # (N, 3, H, W) post, one step further into t
    pred: Tensor  # (N, 4) teacher argmax of the KINDS columns: pre, post, pre_deeper, post_deeper
    confidence: Tensor  # (N, 4) their max softmax
    linf: Tensor  # (N, 4) their L-inf distance from the source
    l2: Tensor  # (N, 4) their L2 distance from the source

    def images(self, kind: str) -> Tensor:
        """The (N, 3, H, W) images of one of ``KINDS`` (pre, post, pre-deeper, post-deeper)."""
        return getattr(self, kind.replace("-", "_"))

    @classmethod
    def cat(cls, parts: list[BoundaryResult]) -> BoundaryResult:
        """The results of consecutive parts of a batch, as one (each example is attacked on its own)."""
        if len(parts) == 1:
            return parts[0]
        return cls(*(torch.cat([getattr(p, f.name) for p in parts]) for f in fields(cls)))


class BoundaryPairAttack(Attack):
    """Targeted boundary-pair attack in [0, 1] pixel space with a per-example Bold Driver step size.

    Each step moves towards the target t (sign of the gradient of the cross-entropy to t for ``norm="Linf"``,
    the unit gradient for ``"L2"``), projected onto the ``eps`` ball around the source and onto [0, 1]. Then:

    - the step reaches t with both ends (pre, post) below ``threshold`` max softmax: the pair is found;
    - it reaches t with either end at or above the threshold (too deep), or it does not reach t and raises the
      cross-entropy to t (no progress, as in the original Bold Driver): it is undone, step size x ``shrink``;
    - otherwise it is kept and the step size grows, x ``grow`` (capped at ``eps``).

    Every step counts against ``max_steps``, undone ones included. The loss rule keeps growing steps from
    bouncing around the eps ball. An example that finds no pair tries again (``retry="nearest"``): towards the
    most likely other class (a target far from the source's class may be out of reach of any small step), then
    towards its target in a ball ``WIDEN`` times as wide (a source the teacher is sure of may lie further from
    every boundary). Defaults: L-inf eps 64/255 with the retries, so that nearly every probed image of every
    panel teacher, digits and photographs, plain or steered, gets a valid pair
    (``experiments/pairs-results.md``; eps bounds how far a pair may lie from
    its source, the threshold keeps it at the border); first step 2/255 (the authors' "few /255"; Bold Driver
    grows it); 50 steps a try; L2 eps 3, first step 0.2 (32 px images: scale both by sqrt(pixels / 1024) for
    larger ones).

    ``BoundaryPairAttack(model, settings, **changes)``: the options are an :class:`AttackSettings` (defaults
    when none is given), with keyword ``changes`` to single fields, e.g. ``BoundaryPairAttack(model, eps=0.1)``.
    Runs batched on the model's device; only the examples still searching are evaluated each step.
    ``atk(images, labels)`` follows torchattacks' ``Attack.__call__``: the model is in eval mode meanwhile (see
    ``set_model_training_mode``), images go to the attack's device, and it returns the post images (float, on
    that device). In torchattacks' default mode targets are picked with ``settings.target`` (see
    :func:`choose_targets`); the targeted modes (``set_mode_targeted_by_function`` etc.) pick them as usual.
    """

    def __init__(self, model: nn.Module, settings: AttackSettings | None = None, num_classes: int | None = None,
                 seed: int = 0, **changes: Any):
        super().__init__("BoundaryPairAttack", model)
        self.settings = replace(settings or AttackSettings(), **changes)
        s = self.settings
        self.norm, self.eps, self.step, self.max_steps = s.norm, float(s.eps_value), float(s.step_value), s.max_steps
        self.threshold, self.grow, self.shrink = float(s.threshold), float(s.grow), float(s.shrink)
        self.seed, self.num_classes = seed, num_classes
        self._check_threshold(num_classes)
        self.supported_mode = ["default", "targeted"]

    def _check_threshold(self, num_classes: int | None) -> None:
        """A pair needs max softmax < threshold, and no distribution over C classes has its max below 1/C."""
        low = 0.0 if num_classes is None else 1 / num_classes
        if not low < self.threshold <= 1:
            raise ValueError(f"threshold must lie in (1/C, 1] = ({low:.4g}, 1] for C={num_classes or '?'} classes, "
                             f"got {self.threshold}")

    def forward(self, images: Tensor, labels: Tensor | None = None) -> Tensor:
        """torchattacks entry point: the post-boundary images (the last iterate not in t where none was found)."""
        images = images.clone().detach().to(self.device)
        if self.targeted:
            targets = self.get_target_label(images, labels)
        else:
            logits = self.get_output_with_eval_nograd(images)
            y = logits.argmax(1) if labels is None else labels.to(self.device)
            targets = choose_targets(y, logits, logits.shape[1], self.settings.target, self.seed)
            return self._attack(images, targets.to(self.device)).post
        return self._run(images, targets.to(self.device), self.eps).post  # the caller's targets, as they are

    def probe(self, images: Tensor, labels: Tensor, targets: Tensor, classes: Tensor | None = None) -> BoundaryResult:
        """The full attack on [0, 1] ``images`` towards explicit ``targets`` (``labels``, the teacher's, only
        checked against them), under the conventions of ``atk(images, labels)`` (model mode, device). A retry
        goes to the nearest class among ``classes`` (default: all)."""
        if self._normalization_applied:
            raise ValueError("probe() works on [0, 1] images; let the model normalise inside instead of "
                             "set_normalization_used()")
        if targets.shape != labels.shape or len(targets) != len(images):
            raise ValueError(f"need one label and one target per image, got {len(images)} images, "
                             f"{tuple(labels.shape)} labels, {tuple(targets.shape)} targets")
        if bool((targets.cpu() == labels.cpu()).any()):
            raise ValueError("a target equals its label: targets must differ from the teacher's labels")
        given_training = self.model.training
        self._change_model_mode(given_training)
        try:
            return self._attack(images.clone().detach().to(self.device), targets.to(self.device).long(), classes)
        finally:
            self._recover_model_mode(given_training)

    def _attack(self, x0: Tensor, targets: Tensor, classes: Tensor | None = None) -> BoundaryResult:
        """:meth:`_run`; then, with ``retry="nearest"``, the examples that found no pair try again: towards the
        most likely class (among ``classes``) other than their own and their first target, and those still
        without a pair once more towards their target within an eps ball ``WIDEN`` times as wide (a confident
        source can lie further from the boundary than the default ball reaches). Their results are the last
        try's, with the steps of all."""
        result = self._run(x0, targets.clone(), self.eps)
        if self.settings.retry == "none":
            return result
        self._try_again(result, x0, self._nearest(x0, result, classes), self.eps)
        self._try_again(result, x0, result.targets.clone(), self.eps * WIDEN)
        return result

    def _nearest(self, x0: Tensor, result: BoundaryResult, classes: Tensor | None) -> Tensor:
        """Per example without a pair, the most likely class at its source (among ``classes``) other than its own
        and its target so far; -1 where there is none, and for the examples with a pair."""
        nearest = torch.full_like(result.targets, -1)
        open_ = (~result.valid).nonzero().squeeze(1)
        if not len(open_):
            return nearest
        with torch.no_grad():
            scores = self.get_logits(x0[open_]).float()
        if classes is not None:
            outside = torch.ones(scores.shape[1], dtype=torch.bool, device=scores.device)
            outside[torch.as_tensor(classes, device=scores.device).long()] = False
            scores[:, outside] = float("-inf")
        scores.scatter_(1, result.source_label[open_, None], float("-inf"))
        scores.scatter_(1, result.targets[open_, None], float("-inf"))
        best = scores.max(1)
        nearest[open_] = torch.where(torch.isfinite(best.values), best.indices, -1)
        return nearest

    def _try_again(self, result: BoundaryResult, x0: Tensor, targets: Tensor, eps: float) -> None:
        """Attack the examples of ``result`` without a pair again, towards ``targets`` (-1: not) within ``eps``;
        ``result`` takes the new try's outcome for them, with the steps of both."""
        again = (~result.valid & (result.source_label != result.targets) & (targets >= 0)).nonzero().squeeze(1)
        if not len(again):
            return
        second = self._run(x0[again], targets[again], eps)
        steps = result.steps[again] + second.steps
        for f in fields(BoundaryResult):
            getattr(result, f.name)[again] = getattr(second, f.name)
        result.steps[again] = steps

    def _run(self, x0: Tensor, targets: Tensor, eps: float) -> BoundaryResult:
        if x0.ndim != 4 or (x0.numel() and not (x0.min() >= 0 and x0.max() <= 1)):
            raise ValueError(f"images must be (N, C, H, W) in [0, 1], got shape {tuple(x0.shape)}")
        logits, grad = self._logits_and_grad(x0, targets)
        classes = logits.shape[1]
        if self.num_classes is not None and classes != self.num_classes:
            raise ValueError(f"the model gives {classes} classes, num_classes says {self.num_classes}")
        self._check_threshold(classes)
        if len(targets) and not (targets.min() >= 0 and targets.max() < classes):
            raise ValueError(f"targets must lie in [0, {classes})")
        conf, pred = logits.softmax(1).max(1)
        source_label = pred.clone()
        base, base_grad, base_conf, base_pred = x0.clone(), grad, conf, pred  # last iterate not classified t
        base_loss = F.cross_entropy(logits, targets, reduction="none")
        post, post_conf, post_pred = x0.clone(), conf.clone(), pred.clone()
        alpha = torch.full_like(conf, self.step)
        steps = torch.zeros_like(pred)
        valid = torch.zeros_like(pred, dtype=torch.bool)
        done = pred == targets  # already in t: no pair can straddle
        cand = self._step(base, base_grad, alpha, x0, eps)
        for _ in range(self.max_steps):
            idx = (~done).nonzero().squeeze(1)
            if not len(idx):
                break
            logits, grad = self._logits_and_grad(cand[idx], targets[idx])
            conf, pred = logits.softmax(1).max(1)
            steps[idx] += 1
            crossed = pred == targets[idx]
            ok = crossed & (conf < self.threshold) & (base_conf[idx] < self.threshold)
            loss = F.cross_entropy(logits, targets[idx], reduction="none")
            undo = (crossed & ~ok) | (~crossed & (loss > base_loss[idx]))  # too deep, or no progress towards t
            keep = ~crossed & ~undo
            kept, found = idx[keep], idx[ok]
            base[kept], base_grad[kept], base_conf[kept], base_pred[kept], base_loss[kept] = (
                cand[kept], grad[keep], conf[keep], pred[keep], loss[keep])
            post[found], post_conf[found], post_pred[found] = cand[found], conf[ok], pred[ok]
            valid[found] = True
            factor = torch.where(undo, self.shrink, torch.where(ok, 1.0, self.grow))
            alpha[idx] = (alpha[idx] * factor).clamp(max=eps)  # a step beyond the eps ball means nothing
            done[idx] = ok | (steps[idx] >= self.max_steps)
            cand[idx] = self._step(base[idx], base_grad[idx], alpha[idx], x0[idx], eps)
        post = torch.where(valid[:, None, None, None], post, base)
        post_conf, post_pred = torch.where(valid, post_conf, base_conf), torch.where(valid, post_pred, base_pred)
        pre_deeper, post_deeper = base.clone(), post.clone()
        deep_conf, deep_pred = torch.stack([base_conf, post_conf], 1), torch.stack([base_pred, post_pred], 1)
        v = valid.nonzero().squeeze(1)
        if len(v):
            pair, own = torch.cat([base[v], post[v]]), torch.cat([base_pred[v], post_pred[v]])
            deeper, pred, conf = self._deeper(pair, own, torch.cat([base_conf[v], post_conf[v]]), alpha[v].repeat(2),
                                              x0[v].repeat(2, 1, 1, 1), eps)
            pre_deeper[v], post_deeper[v] = deeper.chunk(2)
            deep_conf[v], deep_pred[v] = conf.view(2, -1).T, pred.view(2, -1).T
        images = torch.stack([base, post, pre_deeper, post_deeper], 1) - x0[:, None]
        return BoundaryResult(
            source_label, targets, valid, steps, alpha, base, post, pre_deeper, post_deeper,
            torch.cat([base_pred[:, None], post_pred[:, None], deep_pred], 1),
            torch.cat([base_conf[:, None], post_conf[:, None], deep_conf], 1),
            images.flatten(2).abs().amax(2), images.flatten(2).norm(dim=2))

    def _deeper(self, x: Tensor, own: Tensor, conf0: Tensor, alpha: Tensor, x0: Tensor,
                eps: float) -> tuple[Tensor, ...]:
        """One step from x towards its own class; a copy that leaves the class or loses confidence is retaken
        along the same direction with the step shrunk (Bold Driver's undo), at most DEEPER_RETRIES times."""
        grad = self._logits_and_grad(x, own)[1]
        deeper = self._step(x, grad, alpha, x0, eps)
        with torch.no_grad():
            conf, pred = self.get_logits(deeper).softmax(1).max(1)
            for _ in range(DEEPER_RETRIES):
                bad = ((pred != own) | (conf <= conf0)).nonzero().squeeze(1)
                if not len(bad):
                    break
                alpha[bad] *= self.shrink
                deeper[bad] = self._step(x[bad], grad[bad], alpha[bad], x0[bad], eps)
                conf[bad], pred[bad] = self.get_logits(deeper[bad]).softmax(1).max(1)
        return deeper, pred, conf

    def _logits_and_grad(self, x: Tensor, classes: Tensor) -> tuple[Tensor, Tensor]:
        """Teacher logits at x and the gradient of the summed cross-entropy towards ``classes`` (per example)."""
        x = x.detach().requires_grad_(True)
        with torch.enable_grad():
            logits = self.get_logits(x)
            grad = torch.autograd.grad(F.cross_entropy(logits, classes, reduction="sum"), x)[0]
        return logits.detach(), grad

    def _step(self, x: Tensor, grad: Tensor, alpha: Tensor, x0: Tensor, eps: float) -> Tensor:
        """One descent step of size ``alpha`` (per example) on the cross-entropy, projected to the ``eps`` ball."""
        if self.norm == "Linf":
            x = x - alpha[:, None, None, None] * grad.sign()
            return (x0 + (x - x0).clamp(-eps, eps)).clamp(0, 1)
        unit = grad / grad.flatten(1).norm(dim=1).clamp_min(1e-12)[:, None, None, None]
        delta = x - alpha[:, None, None, None] * unit - x0
        scale = (eps / delta.flatten(1).norm(dim=1).clamp_min(1e-12)).clamp(max=1)
        return (x0 + delta * scale[:, None, None, None]).clamp(0, 1)


def summary(result: BoundaryResult) -> dict[str, float]:
    """Plain numbers for a report: counts, success rate, steps, step size, and over valid pairs the distances
    and max-softmax of each kind plus the share of deeper copies that stayed in their class more confidently."""
    v = result.valid
    n, ok = len(v), int(v.sum())
    already = int((result.source_label == result.targets).sum())
    out: dict[str, float] = {"examples": n, "valid": ok, "invalid": n - ok, "source_is_target": already,
                             "budget_exhausted": n - ok - already, "success_rate": ok / n if n else float("nan")}

    def stats(name: str, x: Tensor) -> None:
        x = x.double().cpu()
        empty = not len(x)
        out[f"{name}_mean"] = float("nan") if empty else float(x.mean())
        out[f"{name}_median"] = float("nan") if empty else float(x.median())
        out[f"{name}_max"] = float("nan") if empty else float(x.max())

    stats("steps", result.steps[v])
    stats("step_size", result.step_size[v])
    for j, kind in enumerate(k.replace("-", "_") for k in KINDS):
        stats(f"{kind}_linf", result.linf[v, j])
        stats(f"{kind}_l2", result.l2[v, j])
        stats(f"{kind}_confidence", result.confidence[v, j])
    pred, conf = result.pred[v], result.confidence[v]
    deeper = (pred[:, 2:] == pred[:, :2]) & (conf[:, 2:] > conf[:, :2])
    out["deeper_ok_rate"] = float(deeper.double().mean()) if ok else float("nan")
    return out
