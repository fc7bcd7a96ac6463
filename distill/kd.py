"""The distillation objective and mixup (Hinton et al.'s KD as the paper uses it, section 3.4).

The loss is KL(p_T || p_S) between temperature-scaled softmax outputs, times tau^2 so that its gradients keep
the same size whatever tau is. As tau -> 0 the tau^2-scaled term vanishes (it is about tau times the student's
logit gap to the teacher's top class), so the temperature must be positive; to train on the teacher's argmax
instead, give the hard-label term weight 1.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


def kd_loss(student_logits: torch.Tensor, teacher_logits: torch.Tensor, temperature: float,
            hard_weight: float = 0.0) -> torch.Tensor:
    """Mean over the batch of ``tau^2 KL(softmax(t / tau) || softmax(s / tau))``, mixed with
    ``hard_weight`` times the cross-entropy of the student on the teacher's argmax. Computed in float32."""
    log_p_s = F.log_softmax(student_logits.float() / temperature, dim=-1)
    log_p_t = F.log_softmax(teacher_logits.float() / temperature, dim=-1)
    kl = (log_p_t.exp() * (log_p_t - log_p_s)).sum(-1).mean() * temperature**2
    if not hard_weight:
        return kl
    hard = F.cross_entropy(student_logits.float(), teacher_logits.argmax(-1))
    return (1 - hard_weight) * kl + hard_weight * hard


def mixup_lambda(rng: np.random.Generator, alpha: float) -> float:
    """lambda ~ Beta(alpha, alpha) (alpha = 1: uniform on [0, 1]); alpha = 0 turns mixup off (lambda = 1)."""
    return float(rng.beta(alpha, alpha)) if alpha > 0 else 1.0


def mixup(images: torch.Tensor, lam: float) -> torch.Tensor:
    """``lam * x + (1 - lam) * partner``, the partner of each image being the one half a batch further on.

    Pairing by a fixed offset needs no random numbers, and half a batch is the same pairing whether a global
    batch is taken whole or split over torchrun processes (a DistributedSampler deals every K-th image to each
    of K processes, so images half a global batch apart are half a local batch apart on the same process).
    """
    if lam == 1.0:
        return images
    return lam * images + (1 - lam) * images.roll(len(images) // 2, dims=0)


def kd_step(teacher: nn.Module, student: nn.Module, optimizer: torch.optim.Optimizer, scaler: torch.amp.GradScaler,
            x: torch.Tensor, temperature: float, hard_weight: float,
            amp: torch.dtype | None) -> tuple[torch.Tensor, torch.Tensor]:
    """One distillation step on the batch ``x``: teacher and student on the same images, the KD loss, one
    optimiser step. Returns the (detached) loss and the teacher's class of each image (the batch's effective
    labels)."""
    with torch.autocast(x.device.type, dtype=amp or torch.float32, enabled=amp is not None):
        with torch.no_grad():
            teacher_logits = teacher(x)
        student_logits = student(x)
    loss = kd_loss(student_logits, teacher_logits, temperature, hard_weight)
    optimizer.zero_grad(set_to_none=True)
    scaler.scale(loss).backward()
    scaler.step(optimizer)
    scaler.update()
    return loss.detach(), teacher_logits.argmax(1)
