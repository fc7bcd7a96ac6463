"""What both networks see of a batch: its images augmented and mixed, with random numbers that depend only on
(seed, epoch, step)."""

from __future__ import annotations

import numpy as np
import torch

from synthkd.distill.augment import Augment, Draws
from synthkd.distill.kd import mixup, mixup_lambda


class Pipeline:
    """Augmentation and mixup of one batch, with random numbers that depend only on (seed, epoch, step): the
    same wherever and in whichever order batches are made (GPU, or CPU DataLoader workers)."""

    def __init__(self, aug: str, mixup_alpha: float, seed: int, rank: int = 0, world: int = 1):
        self.augment, self.mixup_alpha, self.seed, self.rank, self.world = Augment(aug), mixup_alpha, seed, rank, world

    def __call__(self, images: torch.Tensor, epoch: int, step: int, plain: torch.Tensor | None = None) -> torch.Tensor:
        """uint8 (N, 3, H, W) images of this process -> the float batch both networks see. Augmentation draws are
        made for the global batch (this process keeps every K-th row, as the DistributedSampler deals them).
        Rows where the boolean ``plain`` is true are left unaugmented (the draws are made all the same)."""
        seeds = np.random.SeedSequence([self.seed, epoch, step]).generate_state(2, np.uint64)
        generator = torch.Generator(images.device).manual_seed(int(seeds[0]))
        x = self.augment(images, Draws(generator, len(images) * self.world, slice(self.rank, None, self.world)))
        if plain is not None:
            x = torch.where(plain.view(-1, 1, 1, 1), images.float().div_(255), x)
        return mixup(x, mixup_lambda(np.random.default_rng(int(seeds[1])), self.mixup_alpha))
