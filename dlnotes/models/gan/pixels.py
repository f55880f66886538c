"""Pixels to and from [-1, 1], the range of a generator that ends with tanh."""

from __future__ import annotations

import numpy as np


def to_tanh_range(images):
    """uint8 pixels 0..255 (or floats 0..1) -> float32 in [-1, 1], the range of a tanh generator."""
    images = np.asarray(images)
    scale = 255.0 if images.dtype == np.uint8 else 1.0
    if images.dtype != np.uint8 and images.size and (images.min() < 0 or images.max() > 1):
        raise ValueError(
            f"to_tanh_range: expected uint8 pixels or floats in [0, 1], got values in [{images.min():.3g}, {images.max():.3g}]"
        )
    return (images.astype("float32") / scale * 2.0 - 1.0).astype("float32")


def from_tanh_range(images):
    """Generator output in [-1, 1] -> float32 pixels in [0, 1] (clipped)."""
    return np.clip((np.asarray(images, dtype="float32") + 1.0) / 2.0, 0.0, 1.0)
