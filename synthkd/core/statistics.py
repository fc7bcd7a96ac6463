"""Per-channel mean and standard deviation of common image datasets, in [0, 1] pixel units.

One table for both uses: the noise generator draws pixels around them (``render-noise --stats``), and a model
wrapper normalises its inputs with them (``--teacher-normalization``).
"""

from __future__ import annotations

STATISTICS: dict[str, tuple[tuple[float, float, float], tuple[float, float, float]]] = {
    "cifar10": ((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)),
    "cifar100": ((0.5071, 0.4865, 0.4409), (0.2673, 0.2564, 0.2762)),
    "imagenet": ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
    "tiny-imagenet": ((0.4802, 0.4481, 0.3975), (0.2302, 0.2265, 0.2262)),
    "mnist": ((0.1307,) * 3, (0.3081,) * 3),
}
