"""Contact sheets: a grid of images as one PNG, for people to look at a dataset."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from synthkd.core.files import atomic_write


def contact_sheet(images: np.ndarray | Sequence[np.ndarray], cols: int = 16, cell: int = 64, gap: int = 2,
                  labels: Sequence[str] | None = None) -> Image.Image:
    """Grid of HxWx3 uint8 images, each scaled (nearest) to ``cell`` px, with optional captions below."""
    n = len(images)
    cols = max(1, min(cols, n))
    rows = max(1, -(-n // cols))
    label_h = 12 if labels else 0
    sheet = Image.new("RGB", (cols * (cell + gap) + gap, rows * (cell + gap + label_h) + gap), (24, 24, 24))
    draw = ImageDraw.Draw(sheet)
    for i, img in enumerate(images):
        x = gap + (i % cols) * (cell + gap)
        y = gap + (i // cols) * (cell + gap + label_h)
        sheet.paste(Image.fromarray(np.asarray(img)).resize((cell, cell), Image.NEAREST), (x, y))
        if labels:
            draw.text((x + 1, y + cell), str(labels[i])[: cell // 6], fill=(220, 220, 220))
    return sheet


def save_sheet(path: str | Path, images, **kwargs) -> Path:
    """Write :func:`contact_sheet` of ``images`` to ``path`` as a PNG (written whole or not at all)."""
    path = Path(path)
    sheet = contact_sheet(images, **kwargs)
    atomic_write(path, lambda f: sheet.save(f, format="PNG"))
    return path
