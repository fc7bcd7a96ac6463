"""How fast this machine trains a student from a teacher, now: what a run plans its data and epochs with."""

from __future__ import annotations

import torch
from torch import nn

from synthkd.core.runtime import measure_rate
from synthkd.distill.kd import kd_step
from synthkd.distill.pipeline import Pipeline


def step_rate(teacher: nn.Module, student: nn.Module, batch: int, size: int, amp: torch.dtype | None,
              pipeline: Pipeline | None = None) -> float:
    """Images/s of the training step for this teacher and student (``student`` is trained on noise, so pass a
    throwaway copy) on a batch already in memory, timed once warm (:func:`synthkd.core.runtime.measure_rate`).
    With ``pipeline`` each step also augments and mixes the batch first, as training does on a GPU (on the CPU
    the DataLoader workers do that beside the step)."""
    device = next(teacher.parameters()).device
    images = torch.randint(0, 256, (batch, 3, size, size), dtype=torch.uint8, device=device)
    optimizer = torch.optim.SGD(student.parameters(), lr=0.01, momentum=0.9)
    scaler = torch.amp.GradScaler(device.type, enabled=amp == torch.float16)
    student.train()
    steps = iter(range(1 << 30))

    def step() -> int:
        i = next(steps)
        x = pipeline(images, 0, i) if pipeline is not None else images.float().div(255)
        kd_step(teacher, student, optimizer, scaler, x.contiguous(memory_format=torch.channels_last), 4.0, 0.0, amp)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        return batch

    return measure_rate(step, warmup=3)
