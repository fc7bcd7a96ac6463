"""Render, then refine: a few gradient steps that make a batch of renders look like the teacher's own data to it.

A network with batch norm keeps, in every BN layer, the running mean and variance of that layer's input over its
training data. Moving a batch of images so that its per-layer statistics match those (and so that the teacher is
sure of each image's class) makes images the teacher sees as it saw its data: the DeepInversion prior. From noise
that takes thousands of steps; started from renders, which already carry shapes, colour and texture, a few steps
move them. Each step is one forward and backward pass of the teacher, so the cost per image is about
``3 x steps`` teacher forwards.

A teacher without batch norm (or a saved program whose layers cannot be hooked) has no statistics to match:
:func:`bn_layers` finds none and the caller says so in one line and goes on without refining.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from synthkd.core.tensors import to_float

LR = 0.05  # Adam's step on [0, 1] pixels
CLASS_WEIGHT = 0.05  # the teacher's cross-entropy against its own class of each render
TV_WEIGHT = 1e-4  # total variation: keeps the steps from adding pixel noise


def bn_layers(teacher: torch.nn.Module) -> list[torch.nn.modules.batchnorm._BatchNorm]:
    """The teacher's batch-norm layers that hold running statistics (none for a saved program or a BN-free net)."""
    return [m for m in teacher.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)
            and m.running_mean is not None and m.running_var is not None]


def refine(images: np.ndarray, teacher: torch.nn.Module, steps: int) -> np.ndarray:
    """uint8 (N, H, W, 3) renders after ``steps`` Adam steps on the BN-statistics loss (plus the teacher's class of
    each render, and total variation); the same images when the teacher has no batch norm or ``steps`` is 0."""
    layers = bn_layers(teacher)
    if not layers or steps <= 0 or len(images) < 2:
        return images
    stats: list[torch.Tensor] = []

    def match(layer: torch.nn.Module, inputs: tuple[torch.Tensor, ...], _: torch.Tensor) -> None:
        x = inputs[0].transpose(0, 1).flatten(1)  # channels first
        stats.append(torch.linalg.vector_norm(x.mean(1) - layer.running_mean) +
                     torch.linalg.vector_norm(x.var(1, unbiased=False) - layer.running_var))

    was_training = teacher.training
    teacher.eval()
    hooks = [layer.register_forward_hook(match) for layer in layers]
    try:
        x = to_float(images).requires_grad_(True)
        with torch.no_grad():
            target = teacher(x).argmax(1)
        opt = torch.optim.Adam([x], lr=LR)
        for _ in range(steps):
            stats.clear()
            logits = teacher(x)
            tv = (x[..., 1:, :] - x[..., :-1, :]).abs().mean() + (x[..., :, 1:] - x[..., :, :-1]).abs().mean()
            loss = torch.stack(stats).sum() + CLASS_WEIGHT * F.cross_entropy(logits, target) + TV_WEIGHT * tv
            opt.zero_grad(set_to_none=True)
            loss.backward(inputs=[x])  # the images' gradient only: the teacher's weights stay as they are
            opt.step()
            with torch.no_grad():
                x.clamp_(0, 1)
    finally:
        for h in hooks:
            h.remove()
        teacher.train(was_training)
    out = (x.detach() * 255).round().clamp(0, 255).to(torch.uint8).permute(0, 2, 3, 1)
    return np.ascontiguousarray(out.numpy())
