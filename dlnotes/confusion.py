"""Confusion matrices of classifiers: count them, draw them, and find the misclassified examples."""

from __future__ import annotations

import numpy as np

from dlnotes.validation import int_at_least, positive_int


def _labels(name: str, values, what: str) -> np.ndarray:
    values = np.asarray(values)
    if values.ndim != 1 or not np.issubdtype(values.dtype, np.integer):
        raise ValueError(f"{name}: {what} must be a 1-D array of integer class labels, got {values.dtype} {values.shape}")
    if values.size and values.min() < 0:
        raise ValueError(f"{name}: {what} must be non-negative class labels, got {values.min()}")
    return values


def confusion_matrix(y_true, y_pred, num_classes: int | None = None) -> np.ndarray:
    """Counts (num_classes, num_classes): row = true class, column = predicted class.

    ``num_classes`` defaults to one more than the largest label seen.
    """
    y_true = _labels("confusion_matrix", y_true, "y_true")
    y_pred = _labels("confusion_matrix", y_pred, "y_pred")
    if len(y_true) != len(y_pred):
        raise ValueError(f"confusion_matrix: {len(y_true)} true labels but {len(y_pred)} predictions")
    if len(y_true) == 0:
        raise ValueError("confusion_matrix: expected at least one example")
    largest = int(max(y_true.max(), y_pred.max()))
    if num_classes is None:
        num_classes = largest + 1
    else:
        num_classes = int_at_least("confusion_matrix", f"num_classes (labels go up to {largest})", num_classes, largest + 1)
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


def most_confused(matrix, count: int = 5) -> list[tuple[int, int, int]]:
    """The ``count`` largest off-diagonal cells as (true class, predicted class, examples), largest first."""
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"most_confused: expected a square confusion matrix, got shape {matrix.shape}")
    count = positive_int("most_confused", "count", count)
    errors = matrix.copy()
    np.fill_diagonal(errors, 0)
    order = np.argsort(errors, axis=None, kind="stable")[::-1][:count]
    pairs = [(int(i), int(j), int(errors[i, j])) for i, j in zip(*np.unravel_index(order, errors.shape))]
    return [pair for pair in pairs if pair[2] > 0]


def plot_confusion_matrix(matrix, ax=None, class_names=None, title: str = ""):
    """Draw counts as a heat map with the numbers written in; errors stand out on a log colour scale.

    Returns the axes.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm

    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"plot_confusion_matrix: expected a square matrix, got shape {matrix.shape}")
    if matrix.min() < 0:
        raise ValueError("plot_confusion_matrix: counts must be non-negative")
    size = matrix.shape[0]
    if class_names is None:
        class_names = [str(k) for k in range(size)]
    if len(class_names) != size:
        raise ValueError(f"plot_confusion_matrix: {size} classes but {len(class_names)} class names")
    if ax is None:
        _, ax = plt.subplots(figsize=(0.55 * size + 2, 0.55 * size + 1.5))
    # a log scale so that a handful of errors is visible next to a diagonal of a thousand
    shown = np.where(matrix > 0, matrix, np.nan)
    image = ax.imshow(shown, cmap="Blues", norm=LogNorm(vmin=1, vmax=max(int(matrix.max()), 2)))
    for i in range(size):
        for j in range(size):
            if matrix[i, j]:
                dark = matrix[i, j] > np.sqrt(max(int(matrix.max()), 1))
                ax.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=7, color="white" if dark else "black")
    ax.set(
        xticks=range(size),
        yticks=range(size),
        xticklabels=class_names,
        yticklabels=class_names,
        xlabel="predicted class",
        ylabel="true class",
        title=title,
    )
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    return ax
