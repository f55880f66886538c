"""Digits moved on their page: the test of translation that chapter 02 puts convolutional networks to."""

from __future__ import annotations

import numpy as np

from dlnotes.validation import int_value


def shift_images(images, right: int = 0, down: int = 0) -> np.ndarray:
    """Move every image ``right`` pixels to the right and ``down`` pixels down (negative: left, up).

    ``images`` has shape (n, height, width) or (n, height, width, channels); what leaves the page is lost and what
    comes in is 0 (background), unlike ``np.roll``, which would wrap ink around to the other side.
    """
    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise ValueError(f"shift_images: expected images of shape (n, height, width[, channels]), got shape {images.shape}")
    moved = np.zeros_like(images)
    height, width = images.shape[1:3]
    for name, value, side in [("right", right, width), ("down", down, height)]:
        value = int_value("shift_images", f"{name} (a whole number of pixels)", value)
        if abs(value) >= side:
            raise ValueError(f"shift_images: {name}={value} moves the image off its {side}-pixel page; use |{name}| < {side}")

    def spans(offset: int, side: int) -> tuple[slice, slice]:  # (where the pixels land, where they come from)
        return (slice(offset, side), slice(0, side - offset)) if offset >= 0 else (slice(0, side + offset), slice(-offset, side))

    (rows_to, rows_from), (cols_to, cols_from) = spans(int(down), height), spans(int(right), width)
    moved[:, rows_to, cols_to] = images[:, rows_from, cols_from]
    return moved
