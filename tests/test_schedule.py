"""Timed training: the schedule ends at its deadline whether the machine slows down or speeds up, the learning rate
reaches its end, and a recorded schedule replays the same student bit for bit with no clock."""

from __future__ import annotations

import json

import pytest

from synthkd.distill.schedule import LEVELS, Schedule
from synthkd.distill.settings import DistillError
from synthkd.distill.train import distill
from tests.helpers import FakeClock, history, run_cli, same_run, tiny_args, tiny_config
from tests.test_distill import one_thread  # noqa: F401  (autouse fixture)

PATTERNS = {  # seconds per clock reading: two readings per step
    "steady": lambda n: 0.05,
    "slow-down": lambda n: 0.05 if n < 100 else 0.2,  # the machine gets four times slower halfway
    "speed-up": lambda n: 0.2 if n < 25 else 0.05,  # a load goes away
}


def loop(schedule: Schedule) -> tuple[int, list[float]]:
    """What the training loop does with a schedule: a learning-rate factor per step until it says done."""
    schedule.start()
    step, factors = 0, []
    while not schedule.done(step):
        factors.append(schedule.factor(step))
        step += 1
    return step, factors


@pytest.mark.parametrize("pattern", list(PATTERNS))
def test_a_timed_schedule_ends_at_its_deadline(pattern):
    clock = FakeClock(PATTERNS[pattern])
    schedule = Schedule(total=10**9, seconds=10.0, clock=clock)
    steps, factors = loop(schedule)
    assert 10.0 <= schedule.elapsed < 10.0 + 2 * 0.2  # the first reading at or past the deadline ends it
    assert factors[0] == pytest.approx(1.0, abs=0.01) and factors[-1] < 0.01  # a whole half cosine
    assert all(a >= b for a, b in zip(factors, factors[1:], strict=False))  # the rate only goes down
    progress = [p for _, p in schedule.points]
    assert progress == sorted(progress) and len(progress) <= LEVELS + 1
    assert steps == {"steady": 100, "slow-down": 62, "speed-up": 64}[pattern]  # the speed sets the steps, not the end


def test_a_timed_schedule_leaves_the_last_checks_time_within_its_own():
    """Epochs of 8 steps (1 s) each followed by 2 s of checks and checkpoint: training stops early enough that the
    last epoch's checks also end within the 30 s, and the learning rate still reaches its end."""
    now = [0.0]
    schedule = Schedule(total=10**9, seconds=30.0, clock=lambda: now[0])
    schedule.start()
    step, factors = 0, []
    while not schedule.over(step):
        for _ in range(8):
            factors.append(schedule.factor(step))
            now[0] += 0.125
            step += 1
            if schedule.done(step):
                break
        schedule.end_epoch()
        now[0] += 2.0
        schedule.close_epoch()
    assert now[0] == 30.0 and schedule.tail == 2.0  # without the tail: 32 s, the last checks past the time
    assert step == 80 and factors[-1] < 0.01
    assert all(a >= b for a, b in zip(factors, factors[1:], strict=False))


def test_steps_and_time_whichever_comes_first():
    steps, factors = loop(Schedule(total=30, seconds=10.0, clock=FakeClock(0.05)))
    assert steps == 30 and factors[-1] < 0.02  # the step cap came first: progress by steps
    assert loop(Schedule(total=30))[0] == 30  # untimed: steps only, no clock read


def test_a_replayed_schedule_is_the_recorded_one():
    timed = Schedule(total=10**9, seconds=10.0, clock=FakeClock(PATTERNS["slow-down"]))
    steps, factors = loop(timed)
    replayed = Schedule(total=10**9, replay=timed.record(steps), clock=lambda: pytest.fail("replay reads a clock"))
    assert loop(replayed) == (steps, factors)


def test_distill_for_minutes_stops_at_its_deadline_and_replays_bit_for_bit(tiny, tmp_path):
    """A real run of the tiny student (3 steps an epoch) for 10 fake seconds that slow down halfway; then its
    schedule replayed with no clock: the same student, bit for bit."""
    timed = tmp_path / "timed"
    clock = FakeClock(PATTERNS["slow-down"])
    summary = distill(tiny_config(tiny, timed, epochs=None, minutes=10 / 60), clock=clock)
    schedule = json.loads((timed / "schedule.json").read_text())
    # Training stops a tail (the last epoch's checks: one reading, 0.2 s) before the 10 s, so that the run, those
    # checks included, ends within them: the clock's last reading is the end of the last checks.
    assert 10.0 - 0.2 <= schedule["seconds"] < 10.0 and schedule["allotted_seconds"] == 10.0
    assert 10.0 <= clock.now - (1000.0 + 0.05) < 10.0 + 2 * 0.2
    assert summary["steps"] == schedule["steps"] == history(timed)[-1]["steps"] < 70  # 100 at the first speed
    assert history(timed)[-1]["progress"] > 0.99 and summary["schedule"]["steps"] == summary["steps"]
    replayed = tmp_path / "replayed"
    again = distill(tiny_config(tiny, replayed, epochs=None, replay=timed / "schedule.json"),
                    clock=lambda: pytest.fail("a replay reads no clock"))
    assert again["steps"] == summary["steps"]
    same_run(timed, replayed)


def test_a_timed_run_resumes_where_it_was_stopped(tiny, tmp_path):
    """Stopped after its first epoch and resumed: it trains on for the time left, counting the time trained."""
    cut = tmp_path / "cut"
    assert distill(tiny_config(tiny, cut, epochs=None, minutes=4 / 60), stop_after=1, clock=FakeClock(0.1)) is None
    assert len(history(cut)) == 1
    summary = distill(tiny_config(tiny, cut, epochs=None, minutes=4 / 60, resume=True), clock=FakeClock(0.1))
    schedule = json.loads((cut / "schedule.json").read_text())
    # 0.2 s a step and 0.2 s an epoch (the readings around its checks), whichever process took them; the last
    # epoch stops a tail (0.1 s) early
    assert 3.9 <= schedule["seconds"] <= 4.0 and summary["steps"] == 16


@pytest.mark.parametrize("case, message", [
    (["--minutes", "0"], "--minutes must be a number above 0"),
    (["--minutes", "inf"], "--minutes must be a number above 0"),
    (["--minutes", "1", "--replay", "x.json"], "give --minutes or --replay, not both"),
    (["--replay", "missing.json"], "missing.json is missing"),
])
def test_bad_timing_options_are_one_line(tiny, tmp_path, capsys, case, message):
    from synthkd.distill.cli import main

    assert run_cli(main, *tiny_args(tiny, tmp_path / "run"), *case) in (1, 2)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err


def test_a_damaged_schedule_is_refused(tmp_path):
    from synthkd.distill.schedule import read_schedule

    (tmp_path / "s.json").write_text(json.dumps({"steps": 5, "points": [[3, 0.5], [1, 0.2]]}))
    with pytest.raises(DistillError, match="out of range"):
        read_schedule(tmp_path / "s.json")
