"""Small datasets made on the spot: logic-gate truth tables and MNIST as row sequences."""

from __future__ import annotations

import numpy as np

from dlnotes.data.pixels import to_unit_range

GATES = {
    "and": (0, 0, 0, 1),
    "or": (0, 1, 1, 1),
    "nand": (1, 1, 1, 0),
    "xor": (0, 1, 1, 0),
}


def logic_gate(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The truth table of a two-input gate: inputs (4, 2) float32, targets (4,) float32.

    Rows are (0, 0), (0, 1), (1, 0), (1, 1), in that order.
    """
    if not isinstance(name, str) or name.lower() not in GATES:
        raise ValueError(f"logic_gate: expected one of {sorted(GATES)}, got {name!r}")
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = np.array(GATES[name.lower()], dtype=np.float32)
    return x, y


def xor() -> tuple[np.ndarray, np.ndarray]:
    """The XOR truth table (see :func:`logic_gate`)."""
    return logic_gate("xor")


def as_row_sequences(images: np.ndarray) -> np.ndarray:
    """MNIST images as sequences: (N, 28, 28) uint8 -> (N, 28 time steps, 28 pixels) float32 in [0, 1].

    Row t of an image is the input at time step t, so an RNN reads the digit
    top to bottom.
    """
    images = np.asarray(images)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(f"as_row_sequences: expected uint8 images of shape (N, rows, cols), got {images.dtype} {images.shape}")
    return to_unit_range(images)
