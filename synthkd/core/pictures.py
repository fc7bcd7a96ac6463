"""Image files as the stages read them: any mode Pillow opens becomes 8-bit RGB with its range kept."""

from __future__ import annotations

import numpy as np
from PIL import Image


def read_rgb8(path: str) -> Image.Image:
    """An image file as 8-bit RGB (see :func:`rgb8`)."""
    with Image.open(path) as image:
        return rgb8(image)


def rgb8(image: Image.Image) -> Image.Image:
    """Any PIL image as 8-bit RGB with its range kept: 16- and 32-bit integer images are scaled from 0..65535,
    float images from 0..1 (or kept as 0..255 when their values go above 1); palette, grey, alpha and 1-bit
    images convert as PIL does (alpha is dropped)."""
    if image.mode.startswith("I") or image.mode == "F":
        values = np.asarray(image, dtype=np.float64)
        if image.mode == "F":
            scaled = values * 255.0 if np.nanmax(values, initial=0.0) <= 1.0 else values
        else:
            scaled = np.clip(values, 0, 65535) / 257.0
        grey = np.clip(np.nan_to_num(scaled), 0, 255).round().astype(np.uint8)
        return Image.fromarray(grey).convert("RGB")
    return image.convert("RGB")
