"""A ``torch.utils.data.Dataset`` over a synthkd dataset directory, for training with your own code.

>>> from synthkd.core.torchdata import ImageDataset
>>> ds = ImageDataset("data/dk")            # a probe output (D_K): images with the teacher's labels
>>> image, label = ds[0]                    # float tensor (3, H, W) in [0, 1], int label

Datasets without labels (D_S straight from a generator) give label -1.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from synthkd.core.dataset import Dataset, open_dataset

UNLABELED = -1


class ImageDataset(torch.utils.data.Dataset):
    """(image, label) pairs of a dataset directory; ``uint8=True`` keeps images as uint8 (3, H, W) tensors
    (cheaper to move between DataLoader workers), ``transform`` is applied to each image tensor."""

    def __init__(self, data: str | Path | Dataset, uint8: bool = False,
                 transform: Callable[[torch.Tensor], torch.Tensor] | None = None):
        self.data = data if isinstance(data, Dataset) else open_dataset(data)
        self.uint8 = uint8
        self.transform = transform
        self.labels = labels_of(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        image, _ = self.data[i]
        x = torch.from_numpy(image).permute(2, 0, 1).contiguous()
        if not self.uint8:
            x = x.float().div_(255.0)
        if self.transform is not None:
            x = self.transform(x)
        return x, int(self.labels[i])


def labels_of(ds: Dataset) -> np.ndarray:
    """Every image's ``label`` column (the teacher's class), or -1 where a dataset records none."""
    return ds.column_array("label", np.int64, UNLABELED)
