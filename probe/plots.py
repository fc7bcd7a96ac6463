"""Pictures of a probe output: class histograms before/after balancing, a per-class sheet of D_K, and a
sheet of boundary pairs like the paper's Fig. 3 (source, pre, post and deeper copies, each with the
teacher's class and probability under it)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from synthkd.core.classes import relative_entropy  # noqa: E402
from synthkd.core.dataset import Dataset  # noqa: E402
from synthkd.core.files import atomic_write  # noqa: E402
from synthkd.core.sheet import save_sheet  # noqa: E402

PAIR_COLUMNS = ("source", "pre", "post", "pre-deeper", "post-deeper")


def _save(fig, path: Path) -> Path:
    """Write ``fig`` to ``path`` as a PNG (written whole or not at all) and close it."""
    try:
        atomic_write(path, lambda f: fig.savefig(f, dpi=110, format="png"))
    finally:
        plt.close(fig)
    return path


def save_histograms(path: Path, histograms: dict[str, list[int]], bars_up_to: int = 100) -> Path:
    """One chart per histogram (teacher argmax counts per class), stacked, with relative entropies: a bar per class
    up to ``bars_up_to`` classes, one filled outline above (a bar per class takes matplotlib seconds at 1,000)."""
    fig, axes = plt.subplots(len(histograms), 1, figsize=(8, 2.1 * len(histograms)), squeeze=False)
    for ax, (name, counts) in zip(axes[:, 0], histograms.items(), strict=True):
        if len(counts) <= bars_up_to:
            ax.bar(np.arange(len(counts)), counts, width=0.85, color="#4878a8")
        else:
            ax.stairs(counts, np.arange(len(counts) + 1) - 0.5, fill=True, color="#4878a8")
        ax.set_title(f"{name}: {sum(counts)} images, relative entropy {relative_entropy(np.array(counts)):.3f}",
                     fontsize=9)
        ax.set_xlim(-0.7, len(counts) - 0.3)
        ax.tick_params(labelsize=7)
    axes[-1, 0].set_xlabel("teacher class")
    fig.tight_layout()
    return _save(fig, Path(path))


def save_class_sheet(path: Path, ds: Dataset, labels: np.ndarray, mask: np.ndarray, num_classes: int,
                     per_class: int = 8, max_classes: int = 100) -> Path:
    """A row of D_K examples per teacher class (the first ``per_class`` of each; blank where a class has fewer)."""
    size = ds.image_size
    rows = []
    for c in range(min(num_classes, max_classes)):
        members = np.flatnonzero(mask & (labels == c))[:per_class]
        row = np.zeros((per_class, size, size, 3), np.uint8)
        row[:len(members)] = ds.take(members)
        rows.append(row)
    captions = [f"class {c}" if i == 0 else "" for c in range(len(rows)) for i in range(per_class)]
    return save_sheet(path, np.concatenate(rows), cols=per_class, cell=max(48, size), labels=captions)


def save_pair_sheet(path: Path, ds: Dataset, sources: int = 6) -> Path:
    """Fig. 3 of the paper for the first ``sources`` probed examples that kept all four adversarial images."""
    complete: list[dict[str, int]] = []
    labels: dict[int, int] = {}
    conf: dict[int, float] = {}
    base = 0
    for k in range(ds.num_chunks):  # a pair is written in its source's chunk: read until enough are found
        columns = [ds.chunk_column(k, name) for name in ("kind", "source_index", "label", "confidence")]
        first: dict[int, dict[str, int]] = {}
        for j, (kind, src, label, p) in enumerate(zip(*columns, strict=True)):
            first.setdefault(src, {}).setdefault(kind, base + j)
            labels[base + j], conf[base + j] = label, p
        complete += [row for row in first.values() if all(k in row for k in ("balanced", *PAIR_COLUMNS[1:]))]
        base += ds.chunk_sizes[k]
        if len(complete) >= sources:
            break
    complete = complete[:sources]
    fig, axes = plt.subplots(max(1, len(complete)), len(PAIR_COLUMNS), figsize=(1.6 * len(PAIR_COLUMNS),
                             1.75 * max(1, len(complete))), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for r, row in enumerate(complete):
        for col, kind in enumerate(PAIR_COLUMNS):
            i = row["balanced" if kind == "source" else kind]
            ax = axes[r, col]
            ax.imshow(ds[i][0], interpolation="nearest")
            ax.set_title(f"{kind}\nclass {labels[i]}  p={conf[i]:.2f}", fontsize=7)
    if not complete:
        axes[0, 0].text(0, 0.5, "no source kept all four adversarial images", fontsize=8)
    fig.tight_layout()
    return _save(fig, Path(path))
