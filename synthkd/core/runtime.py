"""Where a stage runs: the device, the torchrun process group, and the progress bar every long loop shows."""

from __future__ import annotations

import os
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


def progress(total: int, desc: str, unit: str = "img", quiet: bool = False) -> tqdm:
    """The progress bar of a long loop (on stderr; ``quiet`` hides it)."""
    return tqdm(total=total, desc=desc, unit=unit, unit_scale=False, dynamic_ncols=True, disable=quiet,
                smoothing=0.1)
