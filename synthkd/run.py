"""``synthkd run``: the whole method for your teacher in one command, within a time budget.

    synthkd run --teacher resnet50_cifar --weights r50.pt --num-classes 10 --minutes 30 --out runs/r50 [--eval DIR]

A run has three stages, each with a deadline taken from the budget:

1. **Measure** (seconds): once each piece is warm, how fast this machine trains the student from this teacher,
   renders images and labels them; the teacher's class histogram on plain renders decides whether to steer the
   generator (``synthkd.core.steer``). The rates split the budget between data and training so that training
   makes about ``PASSES`` passes over D_K. A budget too short for that shrinks D_K and the passes down to a
   floor (``FLOOR_DK`` images, ``FLOOR_PASSES`` passes); only below the floor is the run refused, with the
   minutes that would do (``synthkd.plan``). The timing is in ``synthkd.measure``, the arithmetic of the split in
   ``synthkd.budget``.
2. **Data**: D_S is rendered chunk by chunk while the time left still lets training make the planned passes over
   the D_K it gives (rendering at the pace measured as it goes); the teacher balances it into D_K, half its size,
   and, when the run probes (``--probe``), the boundary prober adds pairs for a share of D_K.
3. **Training**, until the run's deadline: distillation with the measured recipe (``RECIPE``) under a timed
   schedule: the learning rate follows the time elapsed, so a slower or busier machine takes fewer steps, not
   longer (``synthkd.distill.schedule``).

``RUN/plan.json`` records what happened: the rates, each decision and why, the images made, D_K, the steps taken
and where the schedule moved. Running the same command again resumes a killed run, following the record;
``synthkd run --replay RUN/plan.json --out NEW`` repeats a finished run with no clock involved (bit for bit with
a fixed ``--threads``). The student's top-1 on ``--eval`` (or its agreement with the teacher on held-out
synthetic images) goes into ``RUN/summary.json``, the report page and one JSON line.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import torch

from synthkd.budget import (
    PROBE_BELOW,
    PROBE_SHARE,
    READS_COLOUR_BELOW,
    RESERVE,
    SMALL_CHUNK,
    STEER_BELOW,
    data_stop,
    dk_size,
    plan_problem,
    run_memory,
)
from synthkd.core.dataset import HEADER
from synthkd.core.errors import DatasetError, DatasetFault
from synthkd.core.files import guard_out, lock_folder, read_json, unlock_folder, write_json
from synthkd.core.models import TeacherSpec, num_classes_of
from synthkd.core.resources import CEILING, check_fits
from synthkd.core.runtime import CpuShare, pick_device
from synthkd.core.settings import (
    REQUIRED,
    UsageError,
    device_field,
    finite,
    group,
    int_at_least,
    opt,
    positive_int,
    quiet_field,
    require,
    seed_field,
)
from synthkd.core.steer import SteerSettings
from synthkd.core.tensors import LARGE_IMAGES
from synthkd.distill.checks import folder_identity, load_image_folder
from synthkd.distill.schedule import Clock
from synthkd.distill.settings import DistillSettings
from synthkd.distill.sources import SOURCES, source_of, source_settings, source_spec
from synthkd.distill.train import SCHEDULE, distill
from synthkd.measure import measure_machine
from synthkd.plan import Measure, identity, plan_run
from synthkd.probe.balance import BalanceSettings
from synthkd.probe.stage import ProbeSettings, probe
from synthkd.procgen.folder import MIN_SCALE_HELP
from synthkd.recipe import RECIPE

log = logging.getLogger(__name__)
PLAN, SUMMARY = "plan.json", "summary.json"


@dataclass(frozen=True, kw_only=True)
class RunSettings:
    """A ``synthkd run``: the teacher, the budget, and where the run goes."""

    teacher: TeacherSpec | None = field(default=None, metadata=group("teacher"))
    out: Path = opt(REQUIRED, "run directory (running the same command again resumes it)", "--out", type=Path,
                    metavar="RUN")
    minutes: float = opt(30.0, "time budget for the whole run on this machine, in minutes", "--minutes", type=float)
    source: str = opt("shaders", "what the images are: " + "; ".join(
        f"{s.name}{':' + s.metavar if s.argument else ''}: {s.about}" for s in SOURCES.values()), "--source",
                      type=source_spec, metavar="NAME")
    steer: str = opt("auto", "steer the generator towards the teacher's rare classes with a fitted mixture of image "
                     "variants: auto (when the teacher's relative entropy on plain images is below "
                     f"{STEER_BELOW}: natural for a teacher that reads colour, one whose class changes on more than "
                     f"{1 - READS_COLOUR_BELOW:.0%}% of them when they are grayed; dark where a fit of its variants "
                     "covers the teacher's classes clearly better than one of variants, as for a teacher of mostly "
                     "black images; else variants), variants (made for "
                     "ink-on-paper teachers), natural (variants that keep colour and texture), dark (dim, "
                     "sparse gray blobs and streaks, for teachers of mostly black images) or off", "--steer",
                     choices=("auto", "variants", "natural", "dark", "off"))
    refine: int = opt(0, "refine each rendered image with this many gradient steps towards the teacher's batch-norm "
                      "statistics (the DeepInversion prior, started from renders; a teacher without batch norm is "
                      "not refined; 0: none)", "--refine", type=int_at_least(0), metavar="STEPS")
    probe: str = opt("auto", f"attack {PROBE_SHARE:.0%}% of D_K with the boundary prober and train on its pairs too "
                     "(the teacher's decision boundaries, paid for with fewer rendered images): auto (when the "
                     f"teacher's relative entropy on plain renders is below {PROBE_BELOW}, the teachers it was "
                     "measured to help, unless the run steers with dark), on or off", "--probe",
                     choices=("auto", "on", "off"))
    min_scale: float | None = opt(None, "with --source images:DIR: " + MIN_SCALE_HELP, "--min-scale", type=float)
    eval_dir: Path | None = opt(None, "labelled real images, one folder per class (named 0..C-1, or sorted names "
                                "= class indices): the student's top-1 on them is the run's figure; without it, "
                                "its agreement with the teacher on held-out synthetic images", "--eval", type=Path,
                                metavar="DIR")
    student: str = opt("auto", "the student model (any --teacher name); auto: resnet8_cifar for teachers under "
                       "1 M parameters, wrn16_2 under 5 M, resnet18_cifar above (their _log forms, which read log "
                       "intensities, where the run steers with dark); for images over "
                       f"{LARGE_IMAGES} px, mobilenet_v3_small under 20 M, resnet18 above", "--student",
                       metavar="SPEC")
    size: int = opt(32, "image size of the data (the teacher resizes to its own input size)", "--size", type=int)
    seed: int = seed_field("seeds the data, the selection and the student")
    threads: int | None = opt(None, "CPU threads for training (default: every core, fewer while other programs "
                              "keep cores busy); a fixed number makes --replay bit-identical", "--threads",
                              type=positive_int)
    replay: Path | None = opt(None, "repeat the finished run recorded in PLAN (a run's plan.json) into --out: its "
                              "teacher, settings, image counts and training schedule, with no clock involved "
                              "(give only --out, and --threads as that run had for the same bits)", "--replay",
                              type=Path, metavar="PLAN")
    device: str = device_field()
    quiet: bool = quiet_field()

    def __post_init__(self) -> None:
        require(self.teacher is not None or self.replay is not None, "give --teacher SPEC (or --replay PLAN)")
        require(finite(self.minutes) and self.minutes > 0,
                f"--minutes must be a number of minutes above 0, got {self.minutes:g}")
        require(8 <= self.size <= 1024, f"--size must be in 8..1024, got {self.size}")
        check_fits(f"a run at --size {self.size}", memory=run_memory(SMALL_CHUNK, self.size),
                   ceiling=CEILING)  # its smallest chunks
        source_of(self.source, **self.source_options)  # an unknown source, a bad images:DIR, is refused now

    @property
    def source_options(self) -> dict[str, Any]:
        """What the run passes to its source beyond the common settings (the crops of ``images:DIR``)."""
        return {"min_scale": self.min_scale} if self.min_scale is not None else {}


REPLAY_KEEPS = ("out", "threads", "device", "quiet", "replay")  # what --replay takes from the command line


def run(s: RunSettings, clock: Clock = time.monotonic, measure: Measure | None = None,
        started: float | None = None) -> dict[str, Any]:
    """Plan (or follow the record of) the run in ``s.out``, run its stages, and return its summary.

    ``clock`` times the stages' deadlines and ``measure`` gives the machine's rates (default:
    :func:`measure_machine`); tests replace them. ``started``: the clock's reading the budget counts from (the
    command's start; default: now)."""
    started = clock() if started is None else started
    s, replayed = with_replay(s)
    out = Path(s.out)
    record = read_record(out, s) if guard_out(out, PLAN, "a synthkd run") else replayed or {}
    if "steps" in record.get("training", {}) and (out / SUMMARY).is_file():  # finished: nothing to do
        return result_line(read_json(out / SUMMARY), out)
    lock_folder(out)
    threads = torch.get_num_threads()
    share = CpuShare(s.threads, every=0.5)  # torch's threads follow the cores other programs leave free
    try:
        device = pick_device(s.device)
        teacher = s.teacher.load(check_size=s.size).to(device)
        classes = num_classes_of(teacher, s.size)
        checks = len(load_image_folder(Path(s.eval_dir), s.size, classes)[1]) if s.eval_dir is not None else 0
        if "measured" not in record:
            share.settle()  # rates are timed with the threads the run will have
            record = plan_run(s, teacher, classes, device, checks, measure or measure_machine, started, clock)
            save(out, record)
        log.info("plan: %s", record["why"])
        seconds = dict(record.get("seconds", {}))
        data, dk, student = out / "data", out / "dk", out / "student"
        clock_data = clock()
        if "ds_images" not in record:
            rendered = render_data(s, record, data, clock, share)
            record["ds_images"] = rendered["images"]
        else:  # finished already: checked, or made again (--replay)
            rendered = render(s, record, data, record["ds_images"])
        record.setdefault("observed", {})["render_images_per_s"] = rendered["images_per_s_this_run"]
        record.setdefault("dk_images", dk_size(record["ds_images"]))
        save(out, record)
        share.update()
        probing = record.get("probe", False)
        probed = probe(ProbeSettings(data=(data,), out=dk, teacher=s.teacher, seed=s.seed,
                                     attack="boundary" if probing else "none",
                                     probe_fraction=PROBE_SHARE if probing else None,
                                     balance=BalanceSettings(total=record["dk_images"]), device=s.device,
                                     quiet=s.quiet))
        seconds["data"] = seconds.get("data", 0.0) + clock() - clock_data
        if "training" not in record:
            spent = seconds.get("measure", 0.0) + seconds["data"]
            record["training"] = {"allotted_seconds": round(max(1.0, s.minutes * 60 - spent - RESERVE), 3)}
        record["seconds"] = seconds
        save(out, record)
        clock_train = clock()
        summary = distill(distill_settings(s, record, dk, student), clock=clock)
        schedule = read_json(student / SCHEDULE)
        record["training"].update({k: schedule[k] for k in ("steps", "points", "seconds")})
        record["observed"]["train_images_per_s"] = summary["images_per_s"]
        seconds["train"] = seconds.get("train", 0.0) + clock() - clock_train
        record["seconds"] = seconds
        save(out, record)
    finally:
        torch.set_num_threads(threads)
        unlock_folder(out)
    result = {"kind": "run", "source": s.source, "minutes": s.minutes, "teacher": s.teacher.record(),
              "student": record["student"], "plan": record,
              "row": _row(s, probed, summary, {**seconds, "total": clock() - started})}
    result["seconds"] = result["row"]["seconds"]
    write_json(out / SUMMARY, result)
    from synthkd.report import write_report

    write_report(out)
    return result_line(result, out)


def result_line(result: dict[str, Any], out: Path) -> dict[str, Any]:
    """What ``synthkd run`` prints of its summary."""
    return {**result["row"], "student": result["student"], "minutes": result["minutes"],
            "report": str(out / "report.html")}


# ------------------------------------------------------------------------------------------------ the record


def read_record(out: Path, s: RunSettings) -> dict[str, Any]:
    """The record of the run in ``out``, which must be this run (the same settings)."""
    record = read_json(out / PLAN, f"delete {out} to start the run again, or choose another --out")
    if not isinstance(record, dict) or not isinstance(record.get("settings"), dict) or "why" not in record:
        raise DatasetError(f"{out / PLAN} is not a run's plan (damaged?); delete {out} to start the run again, or "
                           "choose another --out")
    problem = plan_problem(record)
    if problem:
        raise DatasetFault(f"{out / PLAN} is damaged ({problem}); delete {out} to start the run again, or choose "
                           "another --out")
    old, now = record["settings"], identity(s)
    diff = sorted(k for k in set(old) | set(now) if old.get(k) != now.get(k))
    if diff:
        raise DatasetError(f"{out} holds another run (differs in {', '.join(diff)}); choose another --out")
    return record


def save(out: Path, record: dict[str, Any]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / PLAN, record)


def with_replay(s: RunSettings) -> tuple[RunSettings, dict[str, Any] | None]:
    """With ``--replay PLAN``: the recorded run's settings (this one's --out, --threads, --device, --quiet) and
    its record, ready to be followed step by step; else ``s`` as it is."""
    if s.replay is None:
        return s, None
    defaults = RunSettings(out=s.out, replay=s.replay)
    given = [f.metadata.get("flags", ("--teacher",))[0] for f in fields(s) if f.name not in REPLAY_KEEPS
             and getattr(s, f.name) != getattr(defaults, f.name)]
    require(not given, f"--replay repeats the recorded run's own settings: drop {', '.join(given)}")
    old = read_json(Path(s.replay), "give the plan.json of a finished synthkd run")
    training = old.get("training", {}) if isinstance(old, dict) else {}
    if not all(k in training for k in ("steps", "points")) or "dk_images" not in old or "settings" not in old:
        raise UsageError(f"--replay {s.replay} is not the plan of a finished run (no training record)")
    if problem := plan_problem(old):
        raise UsageError(f"--replay {s.replay} is damaged ({problem})")
    t, settings = old["settings"]["teacher"], old["settings"]
    teacher = TeacherSpec(name=t["spec"], weights=t.get("weights", old.get("teacher_weights")),
                          num_classes=t["num_classes"], normalization=t["normalization"], size=t["size"])
    if teacher.record()["weights_sha256"] != t["weights_sha256"]:
        raise UsageError(f"--replay: the teacher's weights at {teacher.weights} are not the recorded run's")
    eval_dir = Path(old["eval_dir"]) if old.get("eval_dir") else None
    if eval_dir is not None and (not eval_dir.is_dir() or folder_identity(eval_dir) != settings["eval"]):
        raise UsageError(f"--replay: the run was evaluated on {eval_dir}, which is not there or has changed (its "
                         "held-out share, and so the student, depends on it)")
    replayed = RunSettings(teacher=teacher, out=s.out, minutes=settings["minutes"], source=settings["source"],
                           eval_dir=eval_dir, student=settings["student"], size=settings["size"],
                           min_scale=settings.get("min_scale"),
                           seed=settings["seed"], threads=s.threads, device=s.device, quiet=s.quiet, replay=s.replay)
    kept = ("measured", "planned", "why", "student", "steer", "lever", "refine", "probe", "chunk_size", "ds_cap",
            "ds_images",
            "dk_images", "budget_seconds", "teacher_weights", "eval_dir", "checks", "recipe")
    record = {**{k: old[k] for k in kept if k in old}, "settings": identity(replayed), "replay_of": str(s.replay),
              "training": {k: training[k] for k in ("steps", "points", "allotted_seconds") if k in training}}
    return replayed, record


# --------------------------------------------------------------------------------------------- data, training


def render(s: RunSettings, record: dict[str, Any], out: Path, n: int,
           stop: Callable[[int], bool] | None = None) -> dict[str, Any]:
    """Render (or finish, or check) D_S of ``n`` images as the record says (source, chunk size, steering)."""
    steering = SteerSettings(steer=record.get("lever", "variants") if record["steer"] else None,
                             refine_steps=record.get("refine", 0))
    steering = {"teacher": s.teacher, "steering": steering} if steering.active else {}
    settings = source_settings(s.source, s.source_options, n=n, size=s.size, seed=s.seed,
                               chunk_size=record["chunk_size"], out=out, quiet=s.quiet, **steering)
    return source_of(s.source)[0].render(settings, stop=stop)


def render_data(s: RunSettings, record: dict[str, Any], out: Path, clock: Clock, share: CpuShare) -> dict[str, Any]:
    """Render D_S while the run's time still lets training make the planned passes over the D_K it gives
    (:func:`data_stop`; ``share`` adapts the thread count at each chunk); returns the render stage's record. A
    dataset a killed run finished is taken as it is."""
    header = out / HEADER
    if header.is_file():
        made = read_json(header, f"delete {out} and run the same command again")
        if made.get("complete"):
            return render(s, record, out, int(made["count"]))
    held = record["chunk_size"] * len(list((out / "chunks").glob("*.json"))) if (out / "chunks").is_dir() else 0
    rates = record["measured"]
    made_before = held * (1 / rates["render_images_per_s"] + 1 / rates["label_images_per_s"])  # by a killed run
    end = clock() + s.minutes * 60 - record["seconds"]["measure"] - made_before
    stop = data_stop(record, end, clock)

    def stop_or_adapt(held: int) -> bool:
        share.update()
        return stop(held)

    return render(s, record, out, record["ds_cap"], stop_or_adapt)


def distill_settings(s: RunSettings, record: dict[str, Any], dk: Path, student: Path) -> DistillSettings:
    """The recipe for this run: timed by the record's allotment, or replaying its recorded schedule."""
    training = record["training"]
    timing = {"minutes": training["allotted_seconds"] / 60}
    if "replay_of" in record:
        write_json(student.parent / "replay-schedule.json", {k: training[k] for k in ("steps", "points")})
        timing = {"replay": student.parent / "replay-schedule.json"}
    return replace(RECIPE, teacher=s.teacher, student=record["student"], data=dk, out=student, eval_dir=s.eval_dir,
                   seed=s.seed, device=s.device, threads=s.threads, resume=True, quiet=s.quiet, **timing)


def _row(s: RunSettings, probed: dict, summary: dict, seconds: dict) -> dict[str, Any]:
    """The run as one results row (the report's and the demo's)."""
    return {"source": s.source, "student_top1": summary.get("eval_student_top1"),
            "teacher_top1": summary.get("eval_teacher_top1"),
            "agreement": summary.get("eval_agreement", summary.get("holdout_agreement")),
            "relative_entropy_ds": probed["relative_entropy_ds"], "relative_entropy_dk": probed["relative_entropy_dk"],
            "effective_relative_entropy": summary.get("effective_relative_entropy"),
            "pairs_valid": probed.get("attack", {}).get("pairs_valid", 0),
            "pairs_tried": probed.get("attack", {}).get("pairs_tried", 0),
            "train_images": summary["train_images"], "epochs": summary["epochs"], "steps": summary["steps"],
            "seconds": {k: round(v, 1) for k, v in seconds.items()},
            "paths": {"data": "data", "dk": "dk", "student": "student"}}

