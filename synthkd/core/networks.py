"""synthkd's own networks, by name: CIFAR-size models for 32-64 px inputs (3x3 stem, no max-pool).

Every entry is a function ``name(num_classes=10) -> nn.Module`` with a one-line docstring, registered under its
own name (as timm and torchvision do): a network of its own with ``@register``, a variant of a family in one line
(``_wide_resnet("wrn40_2", 40, 2, ...)``), so ``grep`` finds every name and ``synthkd models`` lists them.
``synthkd.core.models`` turns a ``--teacher``/``--student`` name into one of these, a torchvision or timm model,
or a saved program.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F
import torchvision
from torch import nn

REGISTRY: dict[str, Callable[..., nn.Module]] = {}
NATIVE_SIZE = 32  # the input size the registry's networks are made for (they take 32-64 px without resizing)


def register(fn: Callable[..., nn.Module]) -> Callable[..., nn.Module]:
    """Add a network function to the registry under its own name."""
    REGISTRY[fn.__name__] = fn
    return fn


def _cifar_stem(model: torchvision.models.ResNet) -> torchvision.models.ResNet:
    """torchvision's ImageNet ResNet with the CIFAR stem: 3x3 stride-1 first conv, no max-pool."""
    model.conv1 = nn.Conv2d(3, 64, 3, stride=1, padding=1, bias=False)
    model.maxpool = nn.Identity()
    return model


def _cifar_resnet(name: str, resnet: Callable[..., torchvision.models.ResNet], about: str) -> None:
    """Register torchvision's ``resnet`` with the CIFAR stem under ``name``."""

    def build(num_classes: int = 10) -> nn.Module:
        return _cifar_stem(resnet(num_classes=num_classes))

    register(_named(build, name, about))


def _named(fn: Callable[..., nn.Module], name: str, about: str) -> Callable[..., nn.Module]:
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = about
    return fn


_cifar_resnet("resnet18_cifar", torchvision.models.resnet18, "ResNet-18, CIFAR stem: the paper's CIFAR student.")
_cifar_resnet("resnet34_cifar", torchvision.models.resnet34, "ResNet-34, CIFAR stem.")
_cifar_resnet("resnet50_cifar", torchvision.models.resnet50, "ResNet-50, CIFAR stem: the paper's CIFAR teacher.")


class _Block(nn.Module):
    """Pre-activation basic block (BN-ReLU-conv twice) used by the wide ResNets and the small CIFAR ResNets."""

    def __init__(self, c_in: int, c_out: int, stride: int):
        super().__init__()
        self.bn1, self.conv1 = nn.BatchNorm2d(c_in), nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn2, self.conv2 = nn.BatchNorm2d(c_out), nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.shortcut = None if c_in == c_out and stride == 1 else nn.Conv2d(c_in, c_out, 1, stride, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(x))
        skip = x if self.shortcut is None else self.shortcut(out)
        out = self.conv1(out)
        return skip + self.conv2(F.relu(self.bn2(out)))


class WideResNet(nn.Module):
    """WRN-depth-k (Zagoruyko & Komodakis) for 32 px inputs: three stages of (depth-4)/6 blocks each,
    widths 16k, 32k, 64k; ``WideResNet(40, 2)`` is the paper's WRN-40-2 student, ``(10, 1)`` a tiny one."""

    def __init__(self, depth: int, widen: int, num_classes: int):
        super().__init__()
        if (depth - 4) % 6:
            raise ValueError(f"WRN depth must be 6n+4, got {depth}")
        n, widths = (depth - 4) // 6, (16, 16 * widen, 32 * widen, 64 * widen)
        self.conv = nn.Conv2d(3, widths[0], 3, 1, 1, bias=False)
        blocks = []
        for stage in range(3):
            for i in range(n):
                blocks.append(_Block(widths[stage] if i == 0 else widths[stage + 1], widths[stage + 1],
                                     2 if stage and i == 0 else 1))
        self.blocks = nn.Sequential(*blocks)
        self.bn = nn.BatchNorm2d(widths[3])
        self.fc = nn.Linear(widths[3], num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.bn(self.blocks(self.conv(x))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def _wide_resnet(name: str, depth: int, widen: int, about: str) -> None:
    """Register WRN-``depth``-``widen`` under ``name``."""

    def build(num_classes: int = 10) -> nn.Module:
        return WideResNet(depth, widen, num_classes)

    register(_named(build, name, about))


_wide_resnet("wrn40_2", 40, 2, "WRN-40-2: the paper's small CIFAR student.")
_wide_resnet("wrn40_1", 40, 1, "WRN-40-1.")
_wide_resnet("wrn16_2", 16, 2, "WRN-16-2.")
_wide_resnet("wrn16_1", 16, 1, "WRN-16-1: the built-in digits teacher.")
_wide_resnet("wrn28_10", 28, 10, "WRN-28-10: a large CIFAR teacher.")
_wide_resnet("resnet8_cifar", 10, 1, "WRN-10-1, an 8-layer pre-activation ResNet: the demo's student.")


class LeNet5(nn.Module):
    """LeNet-5 in the classic style, for RGB inputs: two 5x5 conv + ReLU + max-pool stages (6, 16 channels),
    then 120-84-C linear layers; no batch norm. The features are pooled to 5x5, so inputs of 32 px or more work."""

    def __init__(self, num_classes: int):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                                      nn.MaxPool2d(2), nn.AdaptiveAvgPool2d(5))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(16 * 25, 120), nn.ReLU(), nn.Linear(120, 84),
                                        nn.ReLU(), nn.Linear(84, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


@register
def lenet5(num_classes: int = 10) -> nn.Module:
    """LeNet-5 style CNN without batch norm: a digits panel teacher."""
    return LeNet5(num_classes)


def _conv_bn_relu(c_in: int, c_out: int) -> list[nn.Module]:
    return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU()]


@register
def gapcnn(num_classes: int = 10) -> nn.Module:
    """Plain conv-BN-ReLU CNN, two max-pools, global average pooling, one linear layer: a digits panel teacher."""
    return nn.Sequential(*_conv_bn_relu(3, 32), *_conv_bn_relu(32, 32), nn.MaxPool2d(2),
                         *_conv_bn_relu(32, 64), *_conv_bn_relu(64, 64), nn.MaxPool2d(2),
                         *_conv_bn_relu(64, 128), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, num_classes))


@register
def mlp(num_classes: int = 10) -> nn.Module:
    """MLP on the flattened 32 px RGB image (3072-64-64-C, ReLU; other sizes pooled): a digits panel teacher."""
    return nn.Sequential(nn.AdaptiveAvgPool2d(32), nn.Flatten(), nn.Linear(3 * 32 * 32, 64), nn.ReLU(),
                         nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, num_classes))


class LogIntensity(nn.Module):
    """Pixels in [0, 1] mapped to ``log(1 + x / floor) / log(1 + 1 / floor)``, still in [0, 1]: at ``floor`` 0.01 a
    tenth of full brightness reads as half, so images of a few faint pixels keep the contrast of bright ones."""

    def __init__(self, floor: float = 0.01) -> None:
        super().__init__()
        self.floor = floor

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.log1p(x.clamp(min=0) / self.floor) / math.log1p(1 / self.floor)


CIFAR_STUDENTS = ("resnet8_cifar", "wrn16_2", "resnet18_cifar")  # what --student auto takes, by teacher size


def _log_input(base: str) -> None:
    """Register ``base`` reading log intensities (:class:`LogIntensity` in front) under ``base_log``."""

    def build(num_classes: int = 10) -> nn.Module:
        return nn.Sequential(LogIntensity(), REGISTRY[base](num_classes))

    register(_named(build, f"{base}_log", f"{base} reading log intensities: a student for teachers of dark images."))


for _base in CIFAR_STUDENTS:
    _log_input(_base)


def log_form(name: str) -> str:
    """The registry's ``_log`` form of the network ``name`` (it reads log intensities), or ``name`` where there is
    none."""
    return f"{name}_log" if f"{name}_log" in REGISTRY else name


def reads_log_intensities(net: nn.Module) -> bool:
    """Whether ``net`` starts with :class:`LogIntensity` (it must be given [0, 1] pixels, not normalised ones)."""
    return isinstance(net, nn.Sequential) and len(net) > 0 and isinstance(net[0], LogIntensity)
