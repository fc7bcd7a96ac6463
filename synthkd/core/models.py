"""Teachers and students by name: one place that turns ``--teacher``/``--student`` text into a model.

A *spec* is one of

- a name in synthkd's registry (``synthkd.core.networks``, listed by ``synthkd models``): CIFAR-size networks
  for 32-64 px inputs (``resnet18_cifar``, ``resnet50_cifar``, ``wrn40_2``, ... with a 3x3 stem and no
  max-pool) and small ones (``resnet8_cifar``);
- a torchvision classification model name (``resnet50``, ``mobilenet_v2``, ``vit_b_16``, ...);
- a timm model name, when timm is installed (``timm:convnext_tiny`` or just the name);
- a saved program: ``model.pt2`` (``torch.export.save``) or ``model.ts`` (``torch.jit.save``);
- ``package.module:callable`` returning an ``nn.Module`` (called with ``num_classes=`` if it takes it).

Every model is wrapped in :class:`Classifier`, which takes [0, 1] RGB images of any size, resizes them to
the model's input size and normalises them inside the forward pass, so attacks and augmentations work in
pixel space. :func:`load_model` also loads weights and checks the model before any work starts; a
:class:`TeacherSpec` holds the teacher options that ``probe`` and ``distill`` share.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import importlib
import inspect
import itertools
import logging
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
import torchvision
from torch import nn

from synthkd.core.networks import NATIVE_SIZE, REGISTRY, reads_log_intensities
from synthkd.core.settings import REQUIRED, opt, positive_int
from synthkd.core.statistics import STATISTICS


class ModelError(ValueError):
    """A model name, file or checkpoint that cannot give a working classifier; said in one line."""


NORMALIZATION: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    "none": ((0.0, 0.0, 0.0), (1.0, 1.0, 1.0)), "half": ((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)), **STATISTICS}


@dataclass(frozen=True)
class Source:
    """Where a spec's network comes from, and what that implies: default input size and normalisation."""

    kind: str  # registry | torchvision | timm | export | torchscript | callable
    input_size: int | None
    normalization: str


def _torchvision_names() -> set[str]:
    return set(torchvision.models.list_models(module=torchvision.models))


def _timm():
    try:
        return importlib.import_module("timm")
    except ImportError:
        return None


def source_of(spec: str) -> Source:
    """Classify a spec without building anything (used to check names before work starts)."""
    if spec in REGISTRY:
        return Source("registry", None, "none")
    if spec.endswith(".pt2"):
        return Source("export", None, "none")
    if spec.endswith((".ts", ".torchscript")):
        return Source("torchscript", None, "none")
    if spec in _torchvision_names():
        return Source("torchvision", 224, "imagenet")
    timm = _timm()
    name = spec.removeprefix("timm:")
    if timm is not None and (spec.startswith("timm:") or name in timm.list_models()):
        return Source("timm", 224, "imagenet")
    if ":" in spec and "/" not in spec.split(":")[0]:
        return Source("callable", None, "none")
    hint = " (timm names need 'pip install timm')" if timm is None else ""
    raise ModelError(f"unknown model {spec!r}: not one of synthkd's ({', '.join(sorted(REGISTRY))}), not a "
                     f"torchvision classification model{hint}, not a .pt2/.ts file, not 'package.module:callable'")


def build_model(spec: str, num_classes: int | None = None) -> nn.Module:
    """A freshly initialised network (or a saved program, with its own weights) for ``spec``."""
    src = source_of(spec)
    if src.kind in ("export", "torchscript"):
        path = Path(spec)
        if not path.is_file():
            raise ModelError(f"model file {path} does not exist")
        try:
            with quiet_torch():  # a damaged program makes torch warn at length before it fails
                if src.kind == "export":
                    return _Exported(torch.export.load(str(path)).module())
                return torch.jit.load(str(path), map_location="cpu")
        except Exception as exc:  # any failure to read the program is the user's file, said in one line
            raise ModelError(f"cannot load {path} as a {src.kind} program: {_first_line(exc)}") from None
    classes = 10 if num_classes is None else num_classes
    if src.kind == "registry":
        return REGISTRY[spec](classes)
    if src.kind == "torchvision":
        return torchvision.models.get_model(spec, weights=None, num_classes=1000 if num_classes is None else classes)
    if src.kind == "timm":
        kwargs = {} if num_classes is None else {"num_classes": classes}
        return _timm().create_model(spec.removeprefix("timm:"), pretrained=False, **kwargs)
    module_name, _, attr = spec.partition(":")
    try:
        fn = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ModelError(f"cannot import {spec!r}: {_first_line(exc)}") from None
    try:
        takes_classes = "num_classes" in inspect.signature(fn).parameters
        model = fn(num_classes=num_classes) if takes_classes and num_classes is not None else fn()
    except Exception as exc:  # the user's code (it is run, as code: see the README) failing is said in one line
        raise ModelError(f"{spec} raised {type(exc).__name__}: {_first_line(exc)}") from None
    if not isinstance(model, nn.Module):
        raise ModelError(f"{spec} returned {type(model).__name__}, not a torch.nn.Module")
    return model


class _Exported(nn.Module):
    """An exported program's module: it was frozen in the mode it was exported in, and torch refuses
    ``train()``/``eval()`` on it, so mode switches stop here."""

    def __init__(self, program: nn.Module):
        super().__init__()
        self.program = program

    def train(self, mode: bool = True) -> _Exported:
        self.training = mode
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.program(x)


def read_checkpoint(path: str | Path) -> dict[str, torch.Tensor]:
    """A state_dict from a file holding one, or a checkpoint dict with it under ``state_dict``/``model``/
    ``model_state_dict``/``student``; ``module.`` (DDP) and ``_orig_mod.`` (torch.compile) prefixes removed."""
    path = Path(path)
    if path.is_dir():
        raise ModelError(f"--weights {path} is a directory, not a checkpoint file")
    if not path.is_file():
        raise ModelError(f"weights file {path} does not exist")
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # pickle, zip and format errors alike: the file is not a checkpoint we can read
        reason = _first_line(exc).split(". ")[0]  # torch goes on to suggest loading it as code: we do not
        raise ModelError(f"cannot read {path} as a checkpoint of tensors (synthkd loads weights as data, never as "
                         f"code): {reason}") from None
    for key in ("state_dict", "model_state_dict", "model", "student"):
        if isinstance(obj, dict) and isinstance(obj.get(key), dict):
            obj = obj[key]
            break
    if not isinstance(obj, dict) or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise ModelError(f"{path} holds no state_dict (a dict of tensors, or one under 'state_dict'/'model')")
    out = {}
    for k, v in obj.items():
        for prefix in ("module.", "_orig_mod."):
            k = k.removeprefix(prefix)
        out[k] = v
    return out


def load_state(model: nn.Module, state: dict[str, torch.Tensor], where: str) -> None:
    """``model.load_state_dict(state)``, strict, with an error that names the keys and shapes that differ."""
    own = model.state_dict()
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    shapes = [(k, tuple(state[k].shape), tuple(own[k].shape)) for k in own
              if k in state and state[k].shape != own[k].shape]
    if missing or unexpected:
        raise ModelError(f"{where} does not match the architecture: missing keys {_few(missing)}, "
                         f"unexpected keys {_few(unexpected)}")
    if shapes:
        layers = {k.rsplit(".", 1)[0] for k, _, _ in shapes}
        theirs, ours = {a[0] for _, a, _ in shapes}, {b[0] for _, _, b in shapes}
        if len(layers) == 1 and len(theirs) == 1 and len(ours) == 1:  # only the classifier layer differs
            raise ModelError(f"{where} has {theirs.pop()} classes ({shapes[0][0]} {list(shapes[0][1])}), the model "
                             f"was built for {ours.pop()}: pass --num-classes {shapes[0][1][0]}")
        raise ModelError(f"{where} does not match the architecture: shapes differ for "
                         + _few([f"{k} {list(a)} vs {list(b)}" for k, a, b in shapes]))
    model.load_state_dict(state)


class Classifier(nn.Module):
    """A network that takes [0, 1] RGB images (N, 3, H, W) of any size: resized to ``input_size`` (if set)
    and normalised inside, so that callers (attacks, augmentation, mixup) work in pixel space."""

    def __init__(self, net: nn.Module, mean: Sequence[float], std: Sequence[float], input_size: int | None = None):
        super().__init__()
        self.net = net
        self.input_size = input_size
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(1, 3, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.input_size is not None and x.shape[-1] != self.input_size:
            x = F.interpolate(x, size=(self.input_size, self.input_size), mode="bilinear", antialias=True,
                              align_corners=False)
        return self.net((x - self.mean) / self.std)


def resolve_normalization(name_or_values: str, spec: str) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """``auto`` (ImageNet statistics for torchvision/timm names, none otherwise), a preset name, or
    ``M,M,M/S,S,S`` given as numbers."""
    if name_or_values == "auto":
        return NORMALIZATION[source_of(spec).normalization]
    if name_or_values in NORMALIZATION:
        return NORMALIZATION[name_or_values]
    try:
        mean, std = (tuple(float(v) for v in part.split(",")) for part in name_or_values.split("/"))
    except ValueError:
        mean = std = ()
    if len(mean) != 3 or len(std) != 3 or min(std) <= 0:
        raise ModelError(f"normalisation {name_or_values!r} is not a preset ({', '.join(NORMALIZATION)}, auto) "
                         "nor 'M,M,M/S,S,S' with positive S")
    return mean, std


def load_model(spec: str, weights: str | None = None, num_classes: int | None = None,
               normalization: str = "auto", input_size: int | None = None, need_weights: bool = True,
               check_size: int = 32) -> Classifier:
    """A ready, checked classifier in eval mode on the CPU.

    ``weights``: a checkpoint path, or (torchvision names) a weights name such as ``IMAGENET1K_V2``; with
    none, torchvision's default weights are used when they are in the local torch hub cache. A teacher
    needs weights (``need_weights``); a student (``need_weights=False``) starts freshly initialised.
    The model is run once on a ``check_size`` batch: it must give (N, num_classes) logits.
    """
    src = source_of(spec)
    mean, std = resolve_normalization(normalization, spec)
    named = None
    if src.kind == "torchvision" and (weights is None or not Path(weights).suffix) and need_weights:
        named = _torchvision_weights(spec, weights)
        if num_classes is None:
            num_classes = len(named.meta["categories"])
    net = build_model(spec, num_classes)
    if reads_log_intensities(net) and (tuple(mean), tuple(std)) != NORMALIZATION["none"]:
        raise ModelError(f"{spec} reads [0, 1] pixels on a log scale: give it normalisation none (or auto), "
                         f"not {normalization}")
    if named is not None:
        load_state(net, _cached_state(named, spec), f"torchvision weights {spec}.{named.name}")
    elif weights is not None:
        load_state(net, read_checkpoint(weights), str(weights))
    elif need_weights and src.kind in ("registry", "timm", "callable"):
        raise ModelError(f"teacher {spec!r} needs --weights PATH (a state_dict or checkpoint file)")
    size = input_size if input_size is not None else src.input_size
    model = Classifier(net, mean, std, size).eval()
    check_logits(model, check_size, num_classes, spec)
    return model


def check_logits(model: nn.Module, size: int, num_classes: int | None, spec: str) -> int:
    """Run ``model`` on batches of two and of three blank images (on the model's device): the stages feed it
    batches of every size, so each output must be (N, C) logits (with C == num_classes if given)."""
    tensor = next(itertools.chain(model.parameters(), model.buffers()), None)
    device = tensor.device if tensor is not None else torch.device("cpu")
    for n in (2, 3):
        try:
            with torch.inference_mode():
                out = model(torch.full((n, 3, size, size), 0.5, device=device))
        except Exception as exc:  # the user's model failing on a plain image batch is a model error
            fixed = " (was it exported for a fixed batch size? export it with a dynamic batch dimension)" \
                if n > 2 and spec.endswith(".pt2") else ""
            raise ModelError(f"{spec} fails on a ({n}, 3, {size}, {size}) image batch{fixed}: "
                             f"{_first_line(exc)}") from None
        if not isinstance(out, torch.Tensor) or out.ndim != 2 or out.shape[0] != n:
            shape = list(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
            raise ModelError(f"{spec} must return (N, classes) logits, got {shape} for a batch of {n} images")
    if num_classes is not None and out.shape[1] != num_classes:
        raise ModelError(f"{spec} gives {out.shape[1]} classes, --num-classes says {num_classes}")
    return int(out.shape[1])


def num_classes_of(model: nn.Module, size: int = 32) -> int:
    return check_logits(model, size, None, type(model).__name__)


def _torchvision_weights(spec: str, name: str | None):
    enum = torchvision.models.get_model_weights(spec)
    try:
        return enum.DEFAULT if name is None else enum[name]
    except KeyError:
        raise ModelError(f"torchvision has no weights {name!r} for {spec} (it has "
                         f"{', '.join(w.name for w in enum)}); or pass a checkpoint file") from None


def _cached_state(weights, spec: str) -> dict[str, torch.Tensor]:
    """torchvision's named weights from the local torch hub cache; never downloads (runs may be offline)."""
    path = Path(torch.hub.get_dir()) / "checkpoints" / Path(weights.url).name
    if not path.is_file():
        raise ModelError(f"torchvision weights {spec}.{weights.name} are not in the local cache ({path}); "
                         f"download {weights.url} on a machine with network access and pass --weights FILE, "
                         "or copy it to that cache path")
    return read_checkpoint(path)


def weights_sha256(path: str | Path | None) -> str | None:
    """SHA-256 of a weights file, recorded with runs so a changed checkpoint is noticed; None when ``path``
    is not a file (none given, or a torchvision weights name)."""
    if path is None or not Path(path).is_file():
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _few(items: list[str], n: int = 4) -> str:
    if not items:
        return "none"
    return ", ".join(items[:n]) + (f" and {len(items) - n} more" if len(items) > n else "")


@contextlib.contextmanager
def quiet_torch() -> Iterator[None]:
    """Silence torch's warnings and log lines while reading a user's file (its failure is said in one line)."""
    logger = logging.getLogger("torch")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


@dataclass(frozen=True)
class ModelInfo:
    """One line of ``synthkd models``."""

    name: str
    source: str  # registry | torchvision | timm
    parameters: int  # for 10 classes (the registry's) or the model's own head
    input_size: int
    about: str


def list_models(pattern: str = "*", sources: Sequence[str] = ("registry",)) -> list[ModelInfo]:
    """Models whose names match the glob ``pattern`` (case-insensitive) from ``sources``, with their parameter
    counts (counted on the meta device: nothing is allocated) and native input sizes."""
    found: list[ModelInfo] = []
    for source in sources:
        if source == "registry":
            names, size = sorted(REGISTRY), NATIVE_SIZE
        elif source == "torchvision":
            names, size = sorted(_torchvision_names()), 224
        elif source == "timm" and _timm() is not None:
            names, size = _timm().list_models(), 224
        else:
            continue
        for name in (n for n in names if fnmatch.fnmatch(n.lower(), pattern.lower())):
            spec = f"timm:{name}" if source == "timm" else name
            with torch.device("meta"):
                net = build_model(spec, 10 if source == "registry" else None)
            about = (inspect.getdoc(REGISTRY[name]) or "").splitlines()[0] if source == "registry" else source
            found.append(ModelInfo(name, source, sum(p.numel() for p in net.parameters()), size, about))
    return found


@dataclass(frozen=True, kw_only=True)
class TeacherSpec:
    """The teacher: which network, its weights, and how it sees images (the options probe and distill share)."""

    name: str = opt(REQUIRED, "a synthkd name (synthkd models lists them: resnet18_cifar, resnet50_cifar, wrn40_2, "
                    "resnet8_cifar, ...), a torchvision name (resnet50, vit_b_16, ...), a timm name (timm:NAME), a "
                    "saved program (.pt2 from torch.export.save, .ts from torch.jit.save) or package.module:callable",
                    "--teacher", metavar="SPEC")
    weights: str | None = opt(None, "checkpoint file (a state_dict, or a dict with it under 'state_dict'/'model'; "
                              "'module.' prefixes are removed); for torchvision names also a weights name such as "
                              "IMAGENET1K_V2 (default: torchvision's default weights, if in the local torch hub "
                              "cache)", "--weights", metavar="PATH|NAME")
    num_classes: int | None = opt(None, "the teacher's classes (default: what its weights or model give; synthkd's "
                                  "networks are built for 10)", "--num-classes", type=positive_int)
    normalization: str = opt("auto", f"normalisation applied inside the model: {', '.join(NORMALIZATION)}, or "
                             "M,M,M/S,S,S; auto = ImageNet statistics for torchvision/timm names, none otherwise",
                             "--teacher-normalization", deprecated=("--normalize",), metavar="PRESET|M,M,M/S,S,S")
    size: int | None = opt(None, "resize images to this size before the teacher (default: 224 for "
                           "torchvision/timm names, no resizing otherwise)", "--teacher-size",
                           deprecated=("--input-size",), type=positive_int)

    def load(self, check_size: int = 32) -> Classifier:
        """The checked teacher with its weights, in eval mode on the CPU (errors are one-line ModelErrors)."""
        return load_model(self.name, self.weights, self.num_classes, self.normalization, self.size,
                          need_weights=True, check_size=check_size)

    def record(self) -> dict[str, Any]:
        """What identifies the teacher in a dataset or run record (the weights also by their SHA-256)."""
        return {"spec": self.name, "weights": self.weights, "num_classes": self.num_classes,
                "normalization": self.normalization, "size": self.size,
                "weights_sha256": weights_sha256(self.weights) or self.weights}
