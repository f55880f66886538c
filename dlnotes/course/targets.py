"""The full-mode targets the chapters promise, and whether a recorded metric meets its target.

One table serves the README's measured-results tables (benchmarks/tables.py) and
the HTML course report (dlnotes.course.html_report), so the two never disagree. A target
applies to a full-mode run; FAST mode trains on subsets and may legitimately miss it.
"""

from __future__ import annotations

from typing import NamedTuple

from dlnotes.validation import finite_number


class Target(NamedTuple):
    comparison: str  # one of COMPARISONS
    value: float
    why: str  # where the number comes from


COMPARISONS = ("==", "<=", ">=")

# metric (the name passed to dlnotes.record) -> its full-mode target
TARGETS: dict[str, Target] = {
    "mlp_xor_accuracy": Target("==", 1.0, "XOR solved"),
    "perceptron_xor_accuracy": Target("<=", 0.75, "no line separates XOR"),
    "mlp_mnist_test_accuracy": Target(">=", 0.98, "2x256 MLP with dropout and batch norm"),
    "max_abs_diff_manual_vs_keras": Target("<=", 1e-5, "numpy recurrence equals Keras"),
    "improved_test_accuracy": Target(">=", 0.98, "beats the 20-epoch reference recipe"),
    "max_abs_diff_custom_vs_keras": Target("<=", 1e-5, "our cells equal Keras's"),
    "lstm_test_accuracy": Target(">=", 0.988, "chapter target"),
    "gru_test_accuracy": Target(">=", 0.988, "chapter target"),
    "pca30_sq_error": Target("<=", 14.0, "published PCA-30: 13.87"),
    "deep30_sq_error": Target("<=", 4.0, "Hinton and Salakhutdinov 2006: 3.00"),
    "neg_elbo_2d": Target("<=", 145, "keras.io's 2-D VAE: about 147"),
    "neg_elbo_large": Target("<=", 100, "50-D VAE: about 87 nats, importance-weighted"),
    "dcgan_score": Target(">=", 9.0, "real test images score 9.89 with our classifier"),
    "dcgan_min_class_share": Target(">=", 0.05, "every digit class present"),
}


def _check_metric_name(caller: str, metric) -> None:
    if not isinstance(metric, str) or not metric:
        raise TypeError(f"{caller}: expected a metric name (non-empty str), got {type(metric).__name__} {metric!r}")


def target_text(metric: str, targets: dict[str, Target] = TARGETS) -> str:
    """The target as text, e.g. ``">= 0.98 (2x256 MLP ...)"``; ``""`` for a metric without a target."""
    _check_metric_name("target_text", metric)
    if metric not in targets:
        return ""
    comparison, value, why = targets[metric]
    return f"{comparison} {value:g} ({why})"


def meets_target(metric: str, value: float, targets: dict[str, Target] = TARGETS) -> bool | None:
    """Whether ``value`` meets the metric's target; None when the metric has no target."""
    _check_metric_name("meets_target", metric)
    value = finite_number(f"meets_target({metric!r})", value)
    if metric not in targets:
        return None
    comparison, target, _ = targets[metric]
    if comparison not in COMPARISONS:
        raise ValueError(f"meets_target({metric!r}): the target's comparison must be one of {COMPARISONS}, got {comparison!r}")
    return {"==": value == target, "<=": value <= target, ">=": value >= target}[comparison]
