"""MNIST's grey levels (uint8, 0..255) as the float32 pixels in [0, 1] that the models read."""

from __future__ import annotations

import numpy as np


def to_unit_range(images) -> np.ndarray:
    """uint8 pixels 0..255 -> float32 in [0, 1], any shape: ``images.astype("float32") / 255``, bit for bit."""
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise ValueError(
            f"to_unit_range: expected uint8 pixels (0..255), got dtype {images.dtype}; "
            "floating-point images are taken to be scaled already: pass the uint8 images that load_mnist returns"
        )
    return images.astype(np.float32) / np.float32(255)
