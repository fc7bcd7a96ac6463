"""Class histograms of a teacher's predictions, and how balanced they are.

How balanced a set is, is the relative entropy H(p) / log C of the teacher's argmax histogram p over C classes:
1 when every class is predicted equally often, 0 when one class gets everything (Frank & Davis, section 3.2).
"""

from __future__ import annotations

import math

import numpy as np


def histogram(labels: np.ndarray, num_classes: int) -> np.ndarray:
    return np.bincount(np.asarray(labels, dtype=np.int64), minlength=num_classes)[:num_classes]


def relative_entropy(counts: np.ndarray) -> float:
    """H(p) / log(C) of a class histogram: 1 when all C classes are equally frequent, 0 when one class has all."""
    counts = np.asarray(counts, dtype=np.float64)
    if counts.sum() == 0 or len(counts) < 2:
        return 0.0
    p = counts[counts > 0] / counts.sum()
    return max(0.0, float(-(p * np.log(p)).sum() / math.log(len(counts))))  # max: no "-0.0" for one class
