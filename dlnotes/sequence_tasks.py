"""The adding problem: a long-memory task that separates gated RNNs from a SimpleRNN.

Each sequence has ``length`` steps of two numbers: a value drawn uniformly from
[0, 1] and a marker that is 1 at exactly two steps and 0 elsewhere. The target is
the sum of the two marked values. The first marker falls in the first half, the
second in the second half, so the model must carry a number across tens of steps
(Hochreiter and Schmidhuber, 1997; this placement follows Le, Jaitly and Hinton, 2015).

Always answering 1 (the mean target) gives a mean squared error of 1/6, the
variance of a sum of two uniform numbers: that is chance level. :func:`adding_score`
rescales the error so that chance is 0 and a perfect answer is 1. :func:`marked_step_gradients`
measures how much a model's answer still depends on the two marked steps: the gradient that
backpropagation through time carries back to them.
"""

from __future__ import annotations

import numpy as np

from dlnotes.validation import int_at_least, positive_int

__all__ = ["CHANCE_MSE", "adding_problem", "adding_score", "marked_step_gradients"]

CHANCE_MSE = 1.0 / 6.0  # Var(U1 + U2) for two independent U(0, 1): the error of always answering 1


def adding_problem(n: int, length: int = 100, seed: int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` sequences of the adding problem: inputs (n, length, 2) float32, targets (n,) float32.

    Channel 0 holds the values, channel 1 the two markers; ``seed`` makes the draw repeatable
    (None: a fresh random draw).
    """
    n = positive_int("adding_problem", "n", n)
    length = int_at_least("adding_problem", "length", length, 2)
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


def marked_step_gradients(model, sequences) -> tuple[np.ndarray, np.ndarray]:
    """How much a model's answer depends on each of the two marked steps of adding-problem sequences.

    For every sequence, the norm of the gradient of the model's answer with respect to the input at
    each marked step, ``||d y_hat / d x_t||`` (both channels), computed by backpropagation through time:
    what a training step can learn about that step. A model that adds the two marked values has
    gradient norms near 1 at both; one whose gradient has vanished on the way back has norms near 0.

    Args:
        model: a Keras model mapping (n, length, 2) to one number per sequence, (n,) or (n, 1).
        sequences: adding-problem inputs (n, length, 2), as :func:`adding_problem` makes them.

    Returns:
        ``(norms, distances)``, both (n, 2): column 0 for the first marked step, column 1 for the second;
        ``distances`` counts the steps from the marked step to the last one (0: the marker is the last step).
    """
    import tensorflow as tf

    x = np.asarray(sequences, dtype=np.float32)
    if x.ndim != 3 or x.shape[2] != 2 or 0 in x.shape[:2]:
        raise ValueError(
            f"marked_step_gradients: expected adding-problem sequences of shape (n, length, 2) with n, length >= 1, "
            f"got shape {x.shape}"
        )
    markers = x[:, :, 1]
    if not (np.all((markers == 0) | (markers == 1)) and np.all(markers.sum(axis=1) == 2)):
        raise ValueError(
            "marked_step_gradients: expected channel 1 to mark exactly two steps (1) of every sequence and to be 0 "
            "elsewhere, as adding_problem makes it; got another marker channel"
        )
    inputs = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        answers = model(inputs, training=False)
        if tuple(answers.shape) not in ((len(x),), (len(x), 1)):
            raise ValueError(
                f"marked_step_gradients: expected the model to give one number per sequence, shape ({len(x)},) or "
                f"({len(x)}, 1), got shape {tuple(answers.shape)}"
            )
        total = tf.reduce_sum(answers)  # the sequences are independent: d total / d x_i is d y_hat_i / d x_i
    # Eager on purpose: a tf.function would be retraced for every model (and TensorFlow warns about it).
    norms_per_step = np.linalg.norm(tape.gradient(total, inputs).numpy(), axis=2)
    positions = np.argsort(-markers, axis=1, kind="stable")[:, :2]  # stable: the two marked steps, in time order
    return np.take_along_axis(norms_per_step, positions, axis=1), x.shape[1] - 1 - positions
