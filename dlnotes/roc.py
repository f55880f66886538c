"""The ROC curve and its area (AUC): how well a score separates normal examples from anomalies.

A detector flags an example when its score (here: a reconstruction error) is at least a threshold.
Every threshold gives a false-positive rate (normal examples flagged) and a true-positive rate
(anomalies flagged); the ROC curve joins these points from the strictest threshold to the loosest.
Its area is the probability that a random anomaly scores higher than a random normal example,
ties counting half (the Mann-Whitney statistic): 0.5 for a useless score, 1 for a perfect one.
It needs no threshold, which is why it is the usual single number for a detector.
"""

from __future__ import annotations

import numpy as np

__all__ = ["roc_auc", "roc_curve"]


def _scores(function: str, label: str, scores) -> np.ndarray:
    if hasattr(scores, "numpy"):  # a TensorFlow tensor
        scores = scores.numpy()
    scores = np.asarray(scores)
    if scores.ndim != 1 or scores.size == 0:
        raise ValueError(
            f"{function}: {label} must be a non-empty 1-D array of scores (one per example), got shape {scores.shape}"
        )
    if not np.issubdtype(scores.dtype, np.number) or np.issubdtype(scores.dtype, np.complexfloating):
        raise ValueError(f"{function}: {label} must hold real numbers, got dtype {scores.dtype}")
    scores = scores.astype(np.float64)
    if not np.all(np.isfinite(scores)):
        raise ValueError(f"{function}: {label} contain NaN or infinite values; score every example with a finite number")
    return scores


def roc_curve(normal_scores, anomaly_scores) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """False-positive rates, true-positive rates and the thresholds that give them.

    A higher score means "more anomalous". Point ``i`` flags every example scoring at least
    ``thresholds[i]``; the first point (threshold +inf) flags nothing, the last flags everything,
    so the curve runs from (0, 0) to (1, 1).
    """
    normal = _scores("roc_curve", "normal_scores", normal_scores)
    anomalous = _scores("roc_curve", "anomaly_scores", anomaly_scores)
    thresholds = np.unique(np.concatenate([normal, anomalous]))[::-1]
    # for each threshold, how many scores are >= it: sorted search on the ascending scores
    flagged_normal = len(normal) - np.searchsorted(np.sort(normal), thresholds, side="left")
    flagged_anomalous = len(anomalous) - np.searchsorted(np.sort(anomalous), thresholds, side="left")
    false_positive_rate = np.concatenate([[0.0], flagged_normal / len(normal)])
    true_positive_rate = np.concatenate([[0.0], flagged_anomalous / len(anomalous)])
    return false_positive_rate, true_positive_rate, np.concatenate([[np.inf], thresholds])


def roc_auc(normal_scores, anomaly_scores) -> float:
    """The area under the ROC curve: P(anomaly scores higher than a normal example), ties counting half."""
    normal = _scores("roc_auc", "normal_scores", normal_scores)
    anomalous = _scores("roc_auc", "anomaly_scores", anomaly_scores)
    ascending = np.sort(normal)
    below = np.searchsorted(ascending, anomalous, side="left")  # normal scores strictly below each anomaly
    ties = np.searchsorted(ascending, anomalous, side="right") - below
    return float(np.sum(below + 0.5 * ties) / (len(normal) * len(anomalous)))
