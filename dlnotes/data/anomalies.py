"""Made-up anomalies for testing a detector trained on MNIST digits read row by row.

Each kind starts from real digits (n, 28 rows, 28 pixels) in [0, 1] and breaks them in one way:

- ``"rows shuffled"``: the 28 rows in a random order; every pixel is still there, only the order is wrong;
- ``"upside down"``: the rows in reverse order (a 0 or an 8 can still look like a digit);
- ``"noise band"``: 8 consecutive rows replaced by random speckle (a corrupted digit: damage in one place);
- ``"not a digit"``: speckle over the whole image with the same share of inked pixels as the digits.

They are stand-ins chosen to be unlike the training digits in known ways, not a sample of what goes wrong
in real data; a detector that finds them may still miss other kinds of anomaly.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ANOMALY_KINDS", "make_anomalies"]

ANOMALY_KINDS = ("rows shuffled", "upside down", "noise band", "not a digit")
BAND_ROWS = 8  # rows of speckle in a "noise band"


def _speckle(rng: np.random.Generator, shape: tuple, ink: float) -> np.ndarray:
    """Pixels that are inked with probability ``ink``, at a uniform intensity in (0, 1]."""
    return ((rng.uniform(size=shape) < ink) * rng.uniform(0.0, 1.0, size=shape)).astype(np.float32)


def make_anomalies(digits, kind: str, seed: int | None = 0) -> np.ndarray:
    """A broken copy of each digit in ``digits`` (n, rows, pixels), float32 in [0, 1]; ``digits`` is not changed."""
    if kind not in ANOMALY_KINDS:
        raise ValueError(f"make_anomalies: kind must be one of {ANOMALY_KINDS}, got {kind!r}")
    digits = np.asarray(digits)
    if digits.ndim != 3 or len(digits) == 0 or not np.issubdtype(digits.dtype, np.floating):
        raise ValueError(
            f"make_anomalies: expected float digits (n, rows, pixels) with n >= 1, got {digits.dtype} {digits.shape}; "
            f"dlnotes.data.as_row_sequences turns MNIST images into that form"
        )
    if digits.min() < 0 or digits.max() > 1:
        raise ValueError(f"make_anomalies: pixels must be in [0, 1], found [{digits.min():g}, {digits.max():g}]")
    rows = digits.shape[1]
    if kind == "noise band" and rows < BAND_ROWS:
        raise ValueError(f"make_anomalies: a noise band needs at least {BAND_ROWS} rows, the digits have {rows}")
    rng = np.random.default_rng(seed)
    ink = float(np.mean(digits > 0))
    if kind == "rows shuffled":
        return np.stack([digit[rng.permutation(rows)] for digit in digits]).astype(np.float32)
    if kind == "upside down":
        return digits[:, ::-1].astype(np.float32)
    if kind == "not a digit":
        return _speckle(rng, digits.shape, ink)
    broken = digits.astype(np.float32)  # a copy
    starts = rng.integers(0, rows - BAND_ROWS + 1, size=len(digits))
    for digit, start in zip(broken, starts):
        digit[start : start + BAND_ROWS] = _speckle(rng, (BAND_ROWS, digits.shape[2]), ink)
    return broken
