"""What the student is measured on after every epoch: a labelled folder of real images (``--eval``), and
held-out images of the distillation data, each with the teacher's predictions."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torchvision
from PIL import Image

from synthkd.core.pictures import read_rgb8
from synthkd.core.resources import check_fits, image_bytes
from synthkd.core.tensors import predict, to_uint8
from synthkd.distill.settings import DistillError

IMG_EXTENSIONS = torchvision.datasets.folder.IMG_EXTENSIONS


def load_checks(eval_dir: Path | None, size: int, held: torch.Tensor | None, classes: int, teacher: torch.nn.Module,
                device: torch.device) -> dict[str, Any]:
    """Images the student is checked on after every epoch, with the teacher's predictions (computed once, in
    float32 like every check): the labelled ``eval_dir`` folder, and/or the held-out synthetic images ``held``."""
    checks: dict[str, Any] = {}
    if eval_dir is not None:
        images, labels = load_image_folder(Path(eval_dir), size, classes)
        checks["eval"] = (images, labels, predict(teacher, images, device).argmax(1))
    if held is not None and len(held):
        checks["holdout"] = (held, None, predict(teacher, held, device).argmax(1))
    return checks


def evaluate(student: torch.nn.Module, checks: dict[str, Any], device: torch.device) -> dict[str, float]:
    """The student against the teacher (and the labels) on the check images."""
    out: dict[str, float] = {}
    if "eval" in checks:
        images, labels, teacher = checks["eval"]
        predicted = predict(student, images, device).argmax(1)
        out.update(eval_student_top1=_mean(predicted == labels), eval_teacher_top1=_mean(teacher == labels),
                   eval_agreement=_mean(predicted == teacher))
    if "holdout" in checks:
        images, _, teacher = checks["holdout"]
        out["holdout_agreement"] = _mean(predict(student, images, device).argmax(1) == teacher)
    return out


def _mean(hits: torch.Tensor) -> float:
    return round(float(hits.float().mean()), 5)


def _visible(path: str, root: str) -> bool:
    """No part of ``path`` below ``root`` is hidden (``.ipynb_checkpoints``, ``.DS_Store``, ...)."""
    return not any(part.startswith(".") for part in Path(os.path.relpath(path, root)).parts)


class ClassFolders(torchvision.datasets.ImageFolder):
    """torchvision's ImageFolder, except that folders named by whole numbers (``0``..``C-1``, any subset) are those
    class indices (other names are indexed in sorted order, as ImageFolder does), hidden folders and files are
    ignored, and every image mode is read as 8-bit RGB with its full range kept (:func:`synthkd.core.pictures.rgb8`)."""

    def __init__(self, root: str):
        super().__init__(root, loader=read_rgb8, allow_empty=True,
                         is_valid_file=lambda p: p.lower().endswith(IMG_EXTENSIONS) and _visible(p, root))

    def find_classes(self, directory: str) -> tuple[list[str], dict[str, int]]:
        names = sorted(entry.name for entry in os.scandir(directory)
                       if entry.is_dir() and not entry.name.startswith("."))
        if not names:
            raise FileNotFoundError("no class folders (one sub-folder of images per class)")
        numbered = all(n.isdigit() for n in names)
        return names, {n: int(n) if numbered else i for i, n in enumerate(names)}


def load_image_folder(root: Path, size: int, classes: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A labelled image folder (:class:`ClassFolders`) as uint8 (N, 3, size, size) images and their labels; with
    folder names that are not numbers there must be one folder per teacher class."""
    if not root.is_dir():
        raise DistillError(f"--eval {root} is not a directory")
    try:
        folder = ClassFolders(str(root))
    except FileNotFoundError as exc:
        raise DistillError(f"--eval {root}: {exc}") from None
    numbered = all(n.isdigit() for n in folder.classes)
    top = max(folder.class_to_idx.values())
    if numbered and top >= classes:
        raise DistillError(f"--eval {root} has class folder {top}, the teacher has only {classes} classes "
                           f"(0..{classes - 1})")
    if not numbered and len(folder.classes) != classes:
        raise DistillError(f"--eval {root} has {len(folder.classes)} class folders, the teacher has {classes} classes")
    if not folder.samples:
        raise DistillError(f"--eval {root} holds no images ({', '.join(IMG_EXTENSIONS)})")
    check_fits(f"--eval {root} ({len(folder.samples)} images at {size} px)",
               memory=3 * len(folder.samples) * image_bytes(size))  # the images, and the teacher's and student's
    out = np.empty((len(folder.samples), size, size, 3), np.uint8)
    for i, (path, _) in enumerate(folder.samples):
        try:
            image = folder.loader(path)
        except OSError as exc:
            raise DistillError(f"--eval: cannot read {path}: {exc}") from None
        out[i] = np.asarray(image if image.size == (size, size) else image.resize((size, size), Image.BILINEAR))
    return to_uint8(out).contiguous(), torch.tensor(folder.targets)


def folder_identity(root: Path) -> str:
    """What a labelled folder holds, however its path is spelled or wherever it was moved: a hash of its visible
    files' paths below it and their sizes."""
    files = sorted((os.path.relpath(os.path.join(d, f), root), os.path.getsize(os.path.join(d, f)))
                   for d, dirs, names in os.walk(root) for f in names if _visible(os.path.join(d, f), str(root)))
    return hashlib.sha256(json.dumps(files).encode()).hexdigest()[:16]
