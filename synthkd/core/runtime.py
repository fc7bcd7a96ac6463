"""Where a stage runs: the device, the torchrun process group, and the progress bar every long loop shows."""

from __future__ import annotations

import math
import multiprocessing
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.distributed as torch_dist
from tqdm import tqdm

from synthkd.core.settings import UsageError


@dataclass(frozen=True)
class Dist:
    """This process's place in a torchrun job (rank 0 of 1 without torchrun)."""

    rank: int = 0
    world: int = 1
    local_rank: int = 0

    @property
    def main(self) -> bool:
        return self.rank == 0


def torchrun_place() -> Dist:
    """Rank, world size and local rank as torchrun sets them in the environment (0 of 1 without torchrun)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return Dist()
    return Dist(int(os.environ["RANK"]), world, int(os.environ.get("LOCAL_RANK", "0")))


def pick_device(name: str) -> torch.device:
    """``auto`` (this process's GPU under torchrun, else the first GPU, else the CPU), ``cpu``, ``cuda``, ``cuda:N``;
    a device that is not there is a :class:`UsageError`."""
    local = torchrun_place().local_rank
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    try:
        device = torch.device(name)
    except RuntimeError:
        raise UsageError(f"--device {name!r} is not a device (auto, cpu, cuda, cuda:N)") from None
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise UsageError(f"--device {name}: CUDA is not available on this machine")
        if device.index is None:
            device = torch.device("cuda", local % torch.cuda.device_count())
    return device


def init_distributed(device: torch.device) -> Dist:
    """Join the torchrun job described by the environment, if there is one (nccl on CUDA, gloo on the CPU)."""
    place = torchrun_place()
    if place.world > 1 and not torch_dist.is_initialized():
        if device.type == "cuda":
            torch.cuda.set_device(device)
        torch_dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return place


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, where the system says)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class CpuShare:
    """Keeps torch's CPU thread count at the cores this process can have, while other programs come and go.

    Two busy processes on two cores, each with two threads, spin against each other and each runs several
    times slower than with one thread (measured: a distillation step fell from 1,112 to 346 images/s beside
    one busy process; with one thread it kept 707). :meth:`update`, called once per step, looks every few
    seconds at how much CPU *other* programs used (``/proc/stat`` minus this process and its own children,
    such as DataLoader workers or the stream's renderer, whose share is planned for in ``base``) and sets
    ``torch.set_num_threads`` to the cores they leave, at most ``base``, at least one. On a quiet machine the
    count stays at ``base``, so runs stay bit-identical; where ``/proc`` is missing it does nothing.
    """

    def __init__(self, threads: int | None = None, reserve: int = 0, every: float = 2.0, cores: int | None = None):
        """``threads``: a fixed count, never adapted; else every core but ``reserve`` (kept for helpers of ours)."""
        self.cores = usable_cores() if cores is None else cores
        self.base = threads if threads else max(1, self.cores - reserve)
        self.every = float("inf") if threads else every
        self.tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        torch.set_num_threads(self.base)
        self.last = self._sample()
        self.changes = 0

    def _cpu_seconds(self, pid: int | str) -> float | None:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / self.tick  # utime + stime
        except (OSError, ValueError, IndexError):
            return None

    def _sample(self) -> tuple[float, float, dict[int, float]] | None:
        """(time, machine busy seconds, CPU seconds of this process and of each of its live children)."""
        try:
            with open("/proc/stat") as f:
                fields = [int(v) for v in f.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        ours = {0: self._cpu_seconds("self")}
        for child in multiprocessing.active_children():
            ours[child.pid] = self._cpu_seconds(child.pid)
        busy = sum(fields) - fields[3] - (fields[4] if len(fields) > 4 else 0)  # all but idle and iowait
        return time.monotonic(), busy / self.tick, {pid: v for pid, v in ours.items() if v is not None}

    def others(self) -> float | None:
        """Cores other programs used since the last look (None before ``every`` seconds have passed)."""
        if self.last is None or time.monotonic() - self.last[0] < self.every:
            return None
        now = self._sample()
        if now is None:
            return None
        (t0, busy0, ours0), (t1, busy1, ours1) = self.last, now
        self.last = now
        ours = sum(v - ours0.get(pid, 0.0) for pid, v in ours1.items())
        return max(0.0, ((busy1 - busy0) - ours) / (t1 - t0))

    def settle(self) -> int:
        """:meth:`update` once a look is due (waiting for it if need be): before timing anything."""
        if self.last is not None and math.isfinite(self.every):
            time.sleep(max(0.0, self.every - (time.monotonic() - self.last[0])))
        return self.update()

    def update(self) -> int:
        """Adjust the thread count if the load around this process changed; returns the count in use."""
        others = self.others()
        if others is not None:
            # A program busy for more than a quarter of a core takes a core away (its measured share is
            # depressed while we oversubscribe, so the threshold is low).
            want = max(1, min(self.base, self.cores - math.ceil(others - 0.25)))
            if want != torch.get_num_threads():
                torch.set_num_threads(want)
                self.changes += 1
        return torch.get_num_threads()


def progress(total: int, desc: str, unit: str = "img", quiet: bool = False) -> tqdm:
    """The progress bar of a long loop (on stderr; ``quiet`` hides it)."""
    return tqdm(total=total, desc=desc, unit=unit, unit_scale=False, dynamic_ncols=True, disable=quiet,
                smoothing=0.1)


def process_age() -> float:
    """Seconds since this process started (Linux ``/proc``; 0 where it cannot be read): a command's budget counts
    its start-up and imports too."""
    try:
        with open("/proc/self/stat") as f:
            started = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0
    return max(0.0, uptime - started / os.sysconf("SC_CLK_TCK"))


def measure_rate(work: Callable[[], int], warmup: int = 2, window: float = 0.5, tolerance: float = 0.15,
                 most: int = 8, clock: Callable[[], float] = time.perf_counter, limit: float = 20.0) -> float:
    """Items per second of ``work`` (a call that does some work and returns how many items it did), as it runs
    once warm: ``warmup`` calls are not timed (the first calls of a TorchScript, exported or compiled program
    optimise it, and kernels are set up), then windows of at least ``window`` seconds are timed until two in a
    row agree within ``tolerance`` (or ``most`` windows, or ``limit`` seconds of windows: a call that takes
    minutes is timed once or twice, not eight times); the faster of the last two."""
    for _ in range(warmup):
        work()
    rates: list[float] = []
    begin = clock()
    while len(rates) < most:
        start, items = clock(), 0
        while (seconds := clock() - start) < window or items == 0:
            items += work()
        rates.append(items / seconds)
        if len(rates) >= 2 and abs(rates[-1] - rates[-2]) <= tolerance * max(rates[-2:]):
            break
        if clock() - begin >= limit:
            break
    return max(rates[-2:])
