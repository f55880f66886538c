"""A ridge classifier: least squares on one-hot labels with an L2 penalty, solved in closed form.

A linear classifier with no training loop and no learning rate, so two kinds of features (chapter 06: raw pixels
and an autoencoder's codes) can be compared under exactly the same classifier. The features are centred and
divided by one common scale (their overall standard deviation), so that one penalty means the same for both;
a bias column is added and left in the penalty (a negligible shrinkage of the class offsets).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlnotes._threads import one_blas_thread
from dlnotes.validation import int_at_least, positive_number, real_matrix


@dataclass(frozen=True)
class RidgeClassifier:
    """A fitted ridge classifier: the centring mean, the common scale and the (features + 1, classes) weights."""

    mean: np.ndarray
    scale: float
    weights: np.ndarray

    def scores(self, features) -> np.ndarray:
        """One score per class for each row of ``features``; the largest wins."""
        x = real_matrix("RidgeClassifier.scores", features, self.mean.size)
        return np.hstack([(x - self.mean) / self.scale, np.ones((len(x), 1))]) @ self.weights

    def predict(self, features) -> np.ndarray:
        """The predicted class of each row of ``features``."""
        return self.scores(features).argmax(axis=1)


def fit_ridge_classifier(features, labels, n_classes: int = 10, penalty_per_example: float = 0.1) -> RidgeClassifier:
    """Fit ``W = (X^T X + lambda I)^-1 X^T Y``, Y the one-hot labels, lambda = ``penalty_per_example`` * examples.

    Args:
        features: (examples, features) real numbers.
        labels: (examples,) class indices in 0 .. n_classes - 1.
        n_classes: number of classes (columns of Y).
        penalty_per_example: positive; larger shrinks the weights more.
    """
    x = real_matrix("fit_ridge_classifier", features)
    n_classes = int_at_least("fit_ridge_classifier", "n_classes", n_classes, 2)
    labels = np.asarray(labels)
    if labels.shape != (len(x),) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"fit_ridge_classifier: expected {len(x)} integer labels (one per row of features), "
            f"got an array of shape {labels.shape} and dtype {labels.dtype}"
        )
    if labels.min() < 0 or labels.max() >= n_classes:
        raise ValueError(f"fit_ridge_classifier: labels must be in 0 .. {n_classes - 1}, found {labels.min()} .. {labels.max()}")
    penalty_per_example = positive_number("fit_ridge_classifier", "penalty_per_example", penalty_per_example)
    mean = x.mean(axis=0)
    scale = float(x.std()) or 1.0  # constant features: nothing to scale
    design = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    # one BLAS thread: a 785 x 785 solve on busy cores is many times slower with two threads (see _threads)
    with one_blas_thread():
        gram = design.T @ design + penalty_per_example * len(x) * np.eye(design.shape[1])
        weights = np.linalg.solve(gram, design.T @ np.eye(n_classes)[labels])
    return RidgeClassifier(mean=mean, scale=scale, weights=weights)
