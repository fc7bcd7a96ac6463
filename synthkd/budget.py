"""How a ``synthkd run`` splits its budget: the sizes of D_S and D_K for the rates measured, the floor below which
a budget is refused, when the data stage stops rendering, and the checks of a run's record (``plan.json``).

Everything here is arithmetic over rates (images per second) and seconds: no model, no file, no clock of its own,
so that a test can give it any machine it likes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from synthkd.core.resources import CEILING, image_bytes
from synthkd.core.settings import finite, whole
from synthkd.core.steer import GRIDS, PILOT_PER_CLASS
from synthkd.distill.schedule import Clock, schedule_problem
from synthkd.probe.attack import KINDS

PASSES = 25  # D_K is sized so that training makes about this many passes over it ...
MAX_DK = 50_000  # ... with at most this many images
FLOOR_DK, FLOOR_PASSES = 512, 5  # the smallest run: below this the budget is refused
KNEE = FLOOR_DK * PASSES // FLOOR_PASSES  # below this D_K a run makes fewer passes too, down to the floor
OVERSHOOT = 2  # D_S images rendered per D_K image (the balancer's choice)
CHUNK, SMALL_CHUNK = 1024, 256  # D_S chunk sizes; small ones for short runs (steering fits on the first chunk)
RUN_WORKING = 16  # a run's peak memory in D_S chunks of images (a steered chunk's variants, labels and writes)
RESERVE = 5.0  # seconds kept for writing the student, the summary and the report
SECONDS_PER_EPOCH = 0.1  # the checkpoint and the metrics after every epoch (the checks are counted apart)
PROBE_SHARE = 0.25  # share of D_K the boundary prober attacks when a run probes; each valid pair adds len(KINDS)
STEER_BELOW = 0.95  # --steer auto: steer when the teacher's relative entropy on plain renders is below this
PROBE_BELOW = STEER_BELOW  # --probe auto: probe the teachers that are steered, where pairs were measured to help
READS_COLOUR_BELOW = 0.4  # --steer auto: the natural grid for a teacher that keeps its class on fewer grayed renders
DARK_ABOVE = 0.1  # --steer auto: the dark grid for a gray teacher whose classes it covers this much better (dark_gain)
DARK_CHECK_SHARE = 0.05  # --steer auto: the most of the budget the dark check may take (else it keeps variants)


def auto_lever(rates: dict[str, float]) -> str:
    """The grid ``--steer auto`` steers with: ``natural`` (variants that keep colour and texture) for a teacher that
    reads colour (graying plain renders changes most of its answers); for the others ``dark`` (dim, sparse gray
    blobs) where it covers the teacher's classes clearly better than ``variants`` (a teacher of mostly black
    images), else ``variants`` (gray, sparse, inverted: made for ink-on-paper teachers)."""
    if rates["gray_agreement"] < READS_COLOUR_BELOW:
        return "natural"
    return "dark" if rates.get("dark_gain", 0.0) > DARK_ABOVE else "variants"


def auto_steers(choice: str, rates: dict[str, float]) -> bool:
    """Whether ``--steer auto`` steers: the teacher's relative entropy on plain renders is below ``STEER_BELOW``."""
    return choice == "auto" and rates["plain_relative_entropy"] < STEER_BELOW


def run_lever(choice: str, rates: dict[str, float]) -> str | None:
    """The grid a run steers with, or None where it does not steer: the one ``--steer`` names, or for ``auto``
    :func:`auto_lever`'s where :func:`auto_steers`. The measure stage (whether to time the prober) and the plan ask
    it alike."""
    if choice in GRIDS:
        return choice
    return auto_lever(rates) if auto_steers(choice, rates) else None


def probes(choice: str, rates: dict[str, float], lever: str | None = None) -> bool:
    """Whether a run probes: ``--probe on``, or ``auto`` where the prober was measured to pay for its time: teachers
    that are steered, unless with the ``dark`` grid (pairs did not help its teacher's student, and they are
    brighter still than its dim images)."""
    return choice == "on" or (choice == "auto" and rates["plain_relative_entropy"] < PROBE_BELOW and lever != "dark")


def small_chunk(classes: int) -> int:
    """The D_S chunk of a short run: ``SMALL_CHUNK``, or enough for steering's pilot to see
    ``PILOT_PER_CLASS`` images of every class, up to ``CHUNK`` (past that the pilot pools classes)."""
    return min(CHUNK, max(SMALL_CHUNK, math.ceil(PILOT_PER_CLASS * classes / SMALL_CHUNK) * SMALL_CHUNK))


def run_memory(chunk: int, size: int) -> int:
    """A run's estimated peak memory in bytes, with D_S chunks of ``chunk`` images of ``size`` px."""
    return RUN_WORKING * chunk * image_bytes(size)


def largest_chunk(size: int) -> int:
    """The largest D_S chunk (a multiple of ``SMALL_CHUNK``, at most ``CHUNK``) that keeps a run at ``size`` px
    under the memory ceiling; 0 where not even ``SMALL_CHUNK`` fits."""
    return min(CHUNK, CEILING // run_memory(1, size) // SMALL_CHUNK * SMALL_CHUNK)


def probing(rates: dict[str, float], probe: bool) -> tuple[float, float]:
    """Seconds of attack per D_K image (the probed share of it), and how many training images each D_K image
    becomes (itself and, at most, the images of its pair)."""
    if not probe:
        return 0.0, 1.0
    return PROBE_SHARE / rates["attack_images_per_s"], 1 + len(KINDS) * PROBE_SHARE


def costs(rates: dict[str, float], steer: bool, checks: int, chunk: int,
          refine: int = 0, probe: bool = False) -> tuple[float, float, float, float]:
    """Seconds: fixed (steering's fit labels every variant of the first chunk, of the largest grid), per D_S image
    (rendered and labelled; a steered image is labelled once more when it is made, each refinement step costs
    about three labellings, and the prober attacks a share of the D_K half), per training presentation of a
    D_K image (with the pairs it brings), per epoch."""
    label = rates["label_images_per_s"]
    attack, growth = probing(rates, probe)
    fixed = max(len(grid()) for grid in GRIDS.values()) * chunk / label if steer else 0.0
    per_image = 1 / rates["render_images_per_s"] + ((2 if steer else 1) + 3 * refine) / label + attack / OVERSHOOT
    return fixed, per_image, growth / rates["train_images_per_s"], SECONDS_PER_EPOCH + checks / label


def size_run(budget: float, rates: dict[str, float], steer: bool, checks: int, classes: int,
             refine: int = 0, probe: bool = False, most_chunk: int = CHUNK) -> dict[str, Any] | None:
    """D_S, D_K and the data stage's seconds for ``budget`` seconds of data and training: D_K such that training
    makes ``PASSES`` passes over it (at most ``MAX_DK``); a shorter budget cuts D_K and the passes together down
    to ``FLOOR_DK`` and ``FLOOR_PASSES``; None below that. D_S chunks hold at most ``most_chunk`` images
    (:func:`largest_chunk` for large images)."""
    top = chunk = min(CHUNK, most_chunk)
    while True:
        fixed, per_image, per_presentation, per_epoch = costs(rates, steer, checks, chunk, refine, probe)
        left = budget - fixed
        dk = (left - PASSES * per_epoch) / (OVERSHOOT * per_image + PASSES * per_presentation)
        if dk < KNEE:  # degrade: D_K and the passes shrink together (passes = dk * PASSES / KNEE)
            a, b = PASSES / KNEE * per_presentation, OVERSHOOT * per_image + PASSES / KNEE * per_epoch
            dk = (-b + math.sqrt(b * b + 4 * a * max(0.0, left))) / (2 * a)
        passes = PASSES * min(1.0, dk / KNEE)
        small = min(small_chunk(classes), top)
        if chunk == top and OVERSHOOT * dk < 8 * CHUNK and small < top:
            chunk = small
            continue
        break
    if dk < FLOOR_DK or left <= 0:
        return None
    dk = min(MAX_DK, int(dk))
    ds = OVERSHOOT * dk
    return {"ds_images": ds, "dk_images": dk, "passes": passes, "chunk_size": chunk,
            "data_seconds": fixed + ds * per_image, "ds_cap": math.ceil(OVERSHOOT * MAX_DK / chunk) * chunk}


def floor_seconds(rates: dict[str, float], steer: bool, checks: int, classes: int, refine: int = 0,
                  probe: bool = False, most_chunk: int = CHUNK) -> float:
    """Seconds of data and training the smallest run takes (what :func:`size_run` needs for ``FLOOR_DK``)."""
    chunk = min(small_chunk(classes), most_chunk)
    fixed, per_image, per_presentation, per_epoch = costs(rates, steer, checks, chunk, refine, probe)
    return fixed + FLOOR_DK * (OVERSHOOT * per_image + FLOOR_PASSES * per_presentation) + FLOOR_PASSES * per_epoch


def data_stop(record: dict[str, Any], end: float, clock: Clock) -> Callable[[int], bool]:
    """A ``stop`` for the renderer: stop before a chunk once the D_K it would give (half the images) could not be
    labelled and then trained for the planned passes by ``end`` (the run's end, less ``RESERVE``), at the pace
    of the chunks so far and the measured rates; never before the floor's images. The split between data and
    training thus follows how fast rendering actually goes (steered renders are slower than plain ones)."""
    rates, chunk, passes = record["measured"], record["chunk_size"], record["planned"]["passes"]
    per_epoch = SECONDS_PER_EPOCH + record["checks"] / rates["label_images_per_s"]
    attack, growth = probing(rates, record.get("probe", False))
    last: list[float] = []
    pace: list[float] = []  # seconds per chunk, smoothed

    def stop(held: int) -> bool:
        now = clock()
        if last:
            pace[:] = [now - last[0] if not pace else 0.5 * pace[0] + 0.5 * (now - last[0])]
        last[:] = [now]
        if held < OVERSHOOT * FLOOR_DK:
            return False
        more = held + chunk
        dk = more / OVERSHOOT
        training_left = end - RESERVE - now - (pace[0] if pace else 0.0) - more / rates["label_images_per_s"] - \
            dk * attack
        return passes * (dk * growth / rates["train_images_per_s"] + per_epoch) > training_left

    return stop


def dk_size(ds_images: int) -> int:
    """D_K for the D_S made: half of it, within the floor and ``MAX_DK``."""
    return max(FLOOR_DK, min(MAX_DK, ds_images // OVERSHOOT))


def _number(least: float = 0.0) -> Callable[[Any], bool]:
    return lambda v: finite(v) and v >= least


def _whole(lo: int, hi: int) -> Callable[[Any], bool]:
    return lambda v: whole(v, lo, hi)


def _holds(check: Callable[[Any], bool], required: tuple[str, ...] = (), **named: Callable[[Any], bool]):
    """A mapping that has the ``required`` keys, whose ``named`` keys pass their checks and all others ``check``."""
    return lambda v: isinstance(v, dict) and all(k in v for k in required) and all(
        named.get(k, check)(x) for k, x in v.items())


RATES = ("train_images_per_s", "render_images_per_s", "label_images_per_s")
# Every field of a run's record that a resumed run, --replay or the report reads: its check, and what it must be.
# (A plan is data: a damaged one must give one line, not a traceback or a run of 10^12 images.)
PLAN_FIELDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "measured": (_holds(_number(), RATES, **{k: _number(1e-9) for k in RATES}), "rates, each a number above 0"),
    "planned": (_holds(lambda v: True, ("passes",), passes=_number(1e-9)), "the sizes planned, passes above 0"),
    "why": (lambda v: isinstance(v, str), "a sentence"),
    "student": (lambda v: isinstance(v, str), "a model name"),
    "steer": (lambda v: isinstance(v, bool), "true or false"),
    "lever": (lambda v: v in GRIDS, f"one of {', '.join(GRIDS)}"),
    "refine": (_whole(1, 1000), "a whole number of steps in 1..1000"),
    "probe": (lambda v: isinstance(v, bool), "true or false"),
    "budget_seconds": (_number(1e-9), "a number of seconds above 0"),
    "chunk_size": (_whole(1, MAX_DK * OVERSHOOT), f"a whole number in 1..{MAX_DK * OVERSHOOT}"),
    "ds_cap": (_whole(1, MAX_DK * OVERSHOOT + CHUNK), f"a whole number in 1..{MAX_DK * OVERSHOOT + CHUNK}"),
    "checks": (_whole(0, 10**9), "a whole number of images"),
    "seconds": (_holds(_number(), ("measure",)), "the seconds each stage took"),
    "ds_images": (_whole(1, MAX_DK * OVERSHOOT + CHUNK), f"a whole number in 1..{MAX_DK * OVERSHOOT + CHUNK}"),
    "dk_images": (_whole(1, MAX_DK), f"a whole number in 1..{MAX_DK}"),
    "training": (_holds(lambda v: True, allotted_seconds=_number(1e-9), seconds=_number()),
                 "the training record, allotted seconds above 0"),
    "observed": (_holds(_number()), "rates, each a number"),
}
PLAN_OPTIONAL = ("ds_images", "dk_images", "training", "observed", "lever", "refine", "probe")


def plan_problem(record: dict[str, Any]) -> str | None:
    """What is wrong with a run's record (see ``PLAN_FIELDS``); None when nothing is."""
    for key, (check, what) in PLAN_FIELDS.items():
        if (key in record or key not in PLAN_OPTIONAL) and not check(record.get(key)):
            return f"{key} must be {what}"
    if record.get("probe") and not _number(1e-9)(record["measured"].get("attack_images_per_s")):
        return "measured must hold attack_images_per_s, a number above 0, for a run that probes"
    training = record.get("training", {})
    if "steps" in training or "points" in training:
        return schedule_problem(training)
    return None
