"""Images between the dataset format and torch, and a model's predictions on many of them.

Convention: NumPy image arrays are the dataset layout, uint8 (N, H, W, 3); torch tensors are torch's layout,
(N, 3, H, W), uint8 or float in [0, 1]. Models (``synthkd.core.models.Classifier``) take float [0, 1] tensors.
"""

from __future__ import annotations

import numpy as np
import torch

BATCH = 256
LARGE_IMAGES = 64  # px: on a CPU, larger images go through networks in smaller batches
BATCH_PIXELS = BATCH * LARGE_IMAGES * LARGE_IMAGES  # a CPU batch's pixels at most (activations grow with them)


def memory_batch(batch: int, size: int, device: torch.device | str = "cpu") -> int:
    """``batch``, or on a CPU fewer images where they are large: at most ``BATCH_PIXELS`` pixels a batch (20
    images at 224 px), so that a network's activations stay within host memory (a GPU keeps them on the GPU)."""
    if torch.device(device).type != "cpu":
        return batch
    return max(1, min(batch, BATCH_PIXELS // (size * size)))


def to_uint8(images: np.ndarray) -> torch.Tensor:
    """uint8 (N, H, W, 3) array -> uint8 (N, 3, H, W) tensor (a view of the same memory)."""
    return torch.from_numpy(np.asarray(images)).permute(0, 3, 1, 2)


def to_float(images: np.ndarray | torch.Tensor, device: torch.device | str = "cpu") -> torch.Tensor:
    """uint8 images (an (N, H, W, 3) array or an (N, 3, H, W) tensor) -> float (N, 3, H, W) in [0, 1] on ``device``."""
    x = images if isinstance(images, torch.Tensor) else to_uint8(np.ascontiguousarray(images))
    return x.to(device, non_blocking=True).float().div_(255.0)


def soft_stats(logits: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(argmax, max softmax, softmax entropy) of a batch of logits."""
    p = logits.float().softmax(1)
    conf, labels = p.max(1)
    ent = -(p * p.clamp_min(1e-12).log()).sum(1)
    return labels, conf, ent


@torch.no_grad()
def predict(model: torch.nn.Module, images: np.ndarray | torch.Tensor, device: torch.device | str = "cpu",
            amp: torch.dtype | None = None, batch: int = BATCH) -> torch.Tensor:
    """``model``'s logits (float32, on the CPU) for uint8 ``images``, in eval mode, a batch at a time; the model's
    train/eval mode is restored afterwards."""
    device = torch.device(device)
    batch = memory_batch(batch, images.shape[-2], device)
    was_training = model.training
    model.eval()
    out = []
    try:
        for i in range(0, len(images), batch):
            x = to_float(images[i:i + batch], device)
            with torch.autocast(device.type, dtype=amp or torch.float32, enabled=amp is not None):
                out.append(model(x).float().cpu())
    finally:
        model.train(was_training)
    return torch.cat(out) if out else torch.zeros(0, 0)


def accuracy(model: torch.nn.Module, images: np.ndarray | torch.Tensor, labels: np.ndarray | torch.Tensor,
             device: torch.device | str = "cpu") -> float:
    """Top-1 accuracy of ``model`` on labelled uint8 images."""
    if len(images) == 0:
        return 0.0
    hits = predict(model, images, device).argmax(1).numpy() == np.asarray(labels)
    return float(hits.mean())
