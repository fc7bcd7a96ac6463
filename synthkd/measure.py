"""How fast this machine runs the pieces of a ``synthkd run``, for its plan: each rate is timed once warm (the first
calls of a TorchScript, exported or compiled teacher optimise it): the training step's images/s for this teacher
and a fresh student, rendered and labelled images/s, the boundary prober's images/s (when the run may probe), and
the teacher's relative entropy on plain renders, which decides steering and probing, and how many of its answers
on them survive graying and which gray grid covers its classes better, which decide the grid (``synthkd.budget``)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import torch

from synthkd.budget import (
    CHUNK,
    DARK_CHECK_SHARE,
    READS_COLOUR_BELOW,
    SMALL_CHUNK,
    auto_steers,
    probes,
    run_lever,
)
from synthkd.core.classes import histogram, relative_entropy
from synthkd.core.models import load_model, num_classes_of
from synthkd.core.networks import NATIVE_SIZE
from synthkd.core.runtime import measure_rate
from synthkd.core.steer import GRAY_GRIDS, GRIDS, dark_gain, gray_agreement, groups_for, pilot_floor
from synthkd.core.tensors import predict, to_float
from synthkd.distill.pipeline import Pipeline
from synthkd.distill.rate import step_rate
from synthkd.distill.settings import amp_dtype
from synthkd.distill.sources import source_of, source_settings
from synthkd.probe.attack import BoundaryPairAttack, choose_targets
from synthkd.recipe import RECIPE

if TYPE_CHECKING:
    from synthkd.run import RunSettings

LABEL_SAMPLE, ATTACK_SAMPLE = 256, 32  # images the labelling and the prober's rates are timed on, at 32 px
GRAY_SAMPLE = 256  # plain renders grayed to see whether the teacher reads colour (at every size: it is a share)


def measure_machine(s: RunSettings, teacher: torch.nn.Module, student: str, device: torch.device) -> dict[str, float]:
    """This machine's rates for the run, each timed once warm: training images/s (teacher and a fresh student),
    rendered and labelled images/s, and the teacher's relative entropy on plain renders (with ``plain_groups``,
    the blocks of classes it was counted over, where the chunk is too small for every class); with ``--steer
    auto`` where it steers, ``gray_agreement``: the share of its answers on plain renders that graying keeps, and
    for a teacher that does not read colour ``dark_gain``: how much better dim, sparse gray blobs and streaks
    cover its classes."""
    classes = num_classes_of(teacher, s.size)
    make_chunk = source_of(s.source)[0].chunks(source_settings(s.source, s.source_options, n=CHUNK, size=s.size,
                                                               seed=s.seed, chunk_size=CHUNK, quiet=True), None)[0]
    images = make_chunk(0, CHUNK)[0]
    chunks = iter(range(1, 1 << 30))
    render = measure_rate(lambda: len(make_chunk(next(chunks), SMALL_CHUNK)[0]), warmup=1)
    label = measure_rate(lambda: len(predict(teacher, images[:sample(LABEL_SAMPLE, s.size, device)], device)))
    logits = predict(teacher, images, device)
    groups = groups_for(classes, len(images))  # many classes: pooled, as steering's pilot pools them
    rates = {"train_images_per_s": train_images_per_s(s, teacher, student, classes, device),
             "render_images_per_s": render, "label_images_per_s": label,
             "plain_relative_entropy": relative_entropy(histogram(logits.argmax(1).numpy() * groups // classes,
                                                                  groups)),
             **({"plain_groups": groups} if groups < classes else {})}
    if auto_steers(s.steer, rates):  # it steers: with which grid?
        affordable = DARK_CHECK_SHARE * s.minutes * 60 * rates["label_images_per_s"]  # teacher passes
        rates.update(grid_measures(teacher, images, logits, s.size, s.seed, device, affordable))
    if probes(s.probe, rates, run_lever(s.steer, rates)):  # not for a run --probe auto leaves unprobed
        few = sample(ATTACK_SAMPLE, s.size, device)
        rates["attack_images_per_s"] = attack_images_per_s(teacher, images[:few], logits[:few], device)
    return rates


def grid_measures(teacher: torch.nn.Module, images: np.ndarray, logits: torch.Tensor, size: int, seed: int,
                  device: torch.device, affordable: float = math.inf) -> dict[str, float]:
    """What ``--steer auto`` picks its grid by (``synthkd.budget.auto_lever``), on plain ``images`` with the
    teacher's ``logits``: the share of its answers that graying keeps, and for a teacher that keeps many (it does not
    read colour) how much better the dark grid covers its classes than ``variants``, where that check takes no more
    than ``affordable`` teacher passes (a large teacher on a CPU in a short run keeps ``variants`` unchecked)."""
    measured = {"gray_agreement": gray_agreement(teacher, images[:GRAY_SAMPLE], logits[:GRAY_SAMPLE], device)}
    classes = logits.shape[1]
    few = dark_sample(classes, size, device)
    passes = few * sum(len(GRIDS[grid]()) for grid in GRAY_GRIDS)
    if measured["gray_agreement"] >= READS_COLOUR_BELOW and passes <= affordable:
        measured["dark_gain"] = dark_gain(teacher, images[:few], classes, seed, device)
    return measured


def dark_sample(classes: int, size: int, device: torch.device) -> int:
    """How many plain renders the dark check fits both gray grids on (a teacher pass for each variant of each):
    ``GRAY_SAMPLE`` at 32 px, fewer for larger images on a CPU, never fewer than steering's pilot is fitted on."""
    return max(pilot_floor(classes), sample(GRAY_SAMPLE, size, device))


def sample(images_at_32: int, size: int, device: torch.device) -> int:
    """How many images a rate is timed on: ``images_at_32``, and on a CPU fewer for larger images (as many pixels,
    at least 4), so that timing a 224 px teacher there takes about as long as timing a 32 px one (a GPU needs
    full batches to show its speed)."""
    if device.type != "cpu":
        return images_at_32
    return max(4, min(images_at_32, images_at_32 * NATIVE_SIZE * NATIVE_SIZE // (size * size)))


def attack_images_per_s(teacher: torch.nn.Module, images: np.ndarray, logits: torch.Tensor,
                        device: torch.device) -> float:
    """Images/s the boundary prober attacks with its defaults (targets spread over the classes, as the probe stage
    picks them), timed once warm: how fast depends on how far this teacher's boundaries are."""
    attack = BoundaryPairAttack(teacher, num_classes=logits.shape[1])
    x, y = to_float(images, device), logits.argmax(1)
    targets = choose_targets(y, logits, logits.shape[1]).to(device)
    return measure_rate(lambda: len(attack.probe(x, y.to(device), targets).valid), warmup=1)


def train_images_per_s(s: RunSettings, teacher: torch.nn.Module, student: str, classes: int,
                       device: torch.device) -> float:
    """The training step's images/s for this teacher and a fresh ``student`` on this machine, now."""
    throwaway = load_model(student, num_classes=classes, need_weights=False, check_size=s.size)
    # On the CPU the DataLoader worker augments and mixes beside the step; elsewhere the step does it.
    pipeline = Pipeline(RECIPE.aug, RECIPE.mixup_alpha, s.seed) if device.type != "cpu" else None
    return step_rate(teacher, throwaway.to(device).to(memory_format=torch.channels_last), RECIPE.batch_size, s.size,
                     amp_dtype(RECIPE.amp, device), pipeline)
