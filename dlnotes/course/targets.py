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
    "linear_collapse_max_abs_diff": Target("<=", 1e-5, "3 linear layers = 1 matrix and 1 bias"),
    "dead_relu_share_high_lr": Target(">=", 0.5, "SGD at learning rate 2.0 kills most ReLU units"),
    "deep_sigmoid_accuracy": Target("<=", 0.2, "10 sigmoid layers without batch norm stay near chance (0.10)"),
    "deep_sigmoid_bn_accuracy": Target(
        ">=", 0.9, "the same 10 sigmoid layers with batch norm, SGD 0.1, 5 epochs on 20,000 digits"
    ),
    "cnn_test_accuracy": Target(">=", 0.994, "LeNet-5: 99.05%; Keras's simple MNIST convnet: about 99.1-99.2%"),
    "max_abs_diff_conv_manual_vs_keras": Target("<=", 1e-5, "NumPy convolution equals Keras's Conv2D"),
    "max_abs_diff_transposed_manual_vs_keras": Target("<=", 1e-5, "NumPy transposed convolution equals Keras's Conv2DTranspose"),
    "max_abs_diff_manual_vs_keras": Target("<=", 1e-5, "numpy recurrence equals Keras"),
    "improved_test_accuracy": Target(">=", 0.98, "beats the 20-epoch reference recipe"),
    "reference_grad_norm_max_to_median": Target("<=", 100, "no step's gradient explodes"),
    "reference_share_steps_above_clip": Target(">=", 0.5, "clipping at 1 acts on most steps"),
    "max_abs_diff_custom_vs_keras": Target("<=", 1e-5, "our cells equal Keras's"),
    "next_row_mse": Target("<=", 0.0367, "copying the previous row scores 0.0367 on the test digits"),
    "masked_max_abs_diff": Target("<=", 1e-5, "padded and masked equals unpadded"),
    "anomaly_auc": Target(">=", 0.95, "held-out digits vs corrupted or non-digit ones"),
    "lstm_test_accuracy": Target(">=", 0.988, "chapter target"),
    "gru_test_accuracy": Target(">=", 0.988, "chapter target"),
    "max_abs_diff_gru_reset_before_vs_keras": Target(
        "<=", 1e-5, "GRUCell(reset_after=False) equals Keras's GRU in Cho et al.'s form"
    ),
    "lstm_adding_gradient_first": Target(">=", 0.5, "a trained LSTM's answer still depends on a step 50-99 steps back"),
    "gru_adding_gradient_first": Target(">=", 0.5, "a trained GRU's answer still depends on a step 50-99 steps back"),
    "simple_rnn_adding_gradient_first": Target("<=", 1e-4, "the trained SimpleRNN's gradient has vanished 50-99 steps back"),
    "pca30_sq_error": Target("<=", 14.0, "published PCA-30: 13.87"),
    "deep30_sq_error": Target("<=", 4.0, "Hinton and Salakhutdinov 2006: 3.00"),
    "neg_elbo_2d": Target("<=", 160, "2-D latent, dynamically binarised MNIST, test set; no like-with-like published number"),
    "neg_elbo_large": Target("<=", 100, "32-D latent, single-sample -ELBO on the dynamically binarised test set"),
    "vae_iw_nll_large": Target(
        "<=",
        90,
        "importance-weighted NLL, k=500 on the first 1,000 dynamically binarised test digits; "
        "Burda et al. 2016, one stochastic layer: 86.76 nats with k=5,000 on all 10,000",
    ),
    "dcgan_score": Target(
        ">=", 8.5, "plain DCGANs on MNIST: about 8.6-8.75 after ~50 GPU epochs (Li et al. 2017); real digits ~9.85"
    ),
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
