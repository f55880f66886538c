"""The adding problem: a long-memory task that separates gated RNNs from a SimpleRNN.

Each sequence has ``length`` steps of two numbers: a value drawn uniformly from
[0, 1] and a marker that is 1 at exactly two steps and 0 elsewhere. The target is
the sum of the two marked values. The first marker falls in the first half, the
second in the second half, so the model must carry a number across tens of steps
(Hochreiter and Schmidhuber, 1997; this placement follows Le, Jaitly and Hinton, 2015).

Always answering 1 (the mean target) gives a mean squared error of 1/6, the
variance of a sum of two uniform numbers: that is chance level. :func:`adding_score`
rescales the error so that chance is 0 and a perfect answer is 1.
"""

from __future__ import annotations

import numpy as np

__all__ = ["CHANCE_MSE", "adding_problem", "adding_score"]

CHANCE_MSE = 1.0 / 6.0  # Var(U1 + U2) for two independent U(0, 1): the error of always answering 1


def _positive_int(function: str, name: str, value, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{function}: {name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def adding_problem(n: int, length: int = 100, seed: int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` sequences of the adding problem: inputs (n, length, 2) float32, targets (n,) float32.

    Channel 0 holds the values, channel 1 the two markers; ``seed`` makes the draw repeatable
    (None: a fresh random draw).
    """
    n = _positive_int("adding_problem", "n", n)
    length = _positive_int("adding_problem", "length", length, minimum=2)
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 1.0, size=(n, length)).astype(np.float32)
    half = length // 2
    first = rng.integers(0, half, size=n)
    second = rng.integers(half, length, size=n)
    markers = np.zeros((n, length), dtype=np.float32)
    rows = np.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    targets = values[rows, first] + values[rows, second]
    return np.stack([values, markers], axis=-1), targets.astype(np.float32)


def adding_score(targets, predictions) -> float:
    """``1 - MSE / (1/6)``: 0 for the chance answer (always 1), 1 for perfect sums, negative if worse than chance."""
    targets = np.asarray(targets, dtype=np.float64)
    predictions = np.asarray(predictions, dtype=np.float64)
    if predictions.ndim == 2 and predictions.shape[1] == 1:  # a Dense(1) output
        predictions = predictions[:, 0]
    if targets.ndim != 1 or targets.shape != predictions.shape or targets.size == 0:
        raise ValueError(
            f"adding_score: expected targets (n,) and predictions (n,) or (n, 1) with n >= 1, "
            f"got {targets.shape} and {np.shape(predictions)}"
        )
    if not (np.all(np.isfinite(targets)) and np.all(np.isfinite(predictions))):
        raise ValueError("adding_score: targets and predictions must be finite numbers")
    return float(1.0 - np.mean((targets - predictions) ** 2) / CHANCE_MSE)
