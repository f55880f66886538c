"""Every threshold on the chapters' recorded metrics, written once: what a FAST run must reach, what full mode promises.

One entry per metric (the name passed to ``dlnotes.record``): its chapter, its FAST bound, its full-mode bound
and why each number is what it is. Readers:

- ``tests/test_thresholds.py`` checks each chapter's FAST run against the FAST bounds, and
  ``tests/test_reproducibility.py`` checks a run with another SEED against the same bounds;
- ``benchmarks/tables.py`` (the README's results tables) and :mod:`dlnotes.course.html_report` show the full
  bounds (the report shows the FAST bounds for a FAST run).

A bound is text: a comparison (``<``, ``<=``, ``==``, ``>=``, ``>``) with a number (``"> 0.85"``) or with another
metric of the same run, optionally scaled and shifted (``"< 0.9 * copy_previous_row_mse"``,
``"< neg_elbo_large + 5"``); ``and`` joins several (``"> 13 and < 16"``). A FAST bound says "it learns", well
below the full-mode number; a full bound is what the chapter promises, and may be missed (the README says so).
Relations no bound can state (a parameter count's formula, an error count against an accuracy) stay plain
tests in ``tests/test_chapter_NN.py``. The notebooks keep their own asserts for the student.
"""

from __future__ import annotations

import operator
import re
from typing import NamedTuple

from dlnotes.validation import finite_number

MODES = ("fast", "full")
COMPARISONS = {"<": operator.lt, "<=": operator.le, "==": operator.eq, ">=": operator.ge, ">": operator.gt}
_NUMBER = r"-?\d+(?:\.\d*)?(?:e-?\d+)?"
_CONDITION = re.compile(
    rf"(?P<comparison><=|>=|==|<|>)\s*(?:(?P<scale>{_NUMBER})\s*\*\s*)?"
    rf"(?:(?P<metric>[a-z_][a-z0-9_]*)(?:\s*(?P<sign>[+-])\s*(?P<offset>{_NUMBER}))?|(?P<number>{_NUMBER}))"
)


class Threshold(NamedTuple):
    chapter: str  # "01" ... the two digits of notebooks/NN_*.ipynb
    fast: str | None  # the bound a FAST run must meet (None: not checked in FAST mode)
    full: str | None  # the bound full mode promises (None: no promise)
    fast_why: str = ""
    full_why: str = ""


class Condition(NamedTuple):
    """``value <comparison> scale * metrics[metric] + offset``, or ``value <comparison> offset`` without a metric."""

    comparison: str
    scale: float
    metric: str | None
    offset: float

    def reference(self, metrics: dict) -> float:
        return self.offset if self.metric is None else self.scale * metrics[self.metric] + self.offset

    def text(self) -> str:
        if self.metric is None:
            return f"{self.comparison} {self.offset:g}"
        scaled = self.metric if self.scale == 1 else f"{self.scale:g} * {self.metric}"
        shift = "" if self.offset == 0 else f" {'-' if self.offset < 0 else '+'} {abs(self.offset):g}"
        return f"{self.comparison} {scaled}{shift}"


def parse_bound(text: str) -> tuple[Condition, ...]:
    """The conditions of a bound such as ``"> 0.8 and > seq2seq_accuracy_long + 0.1"``; ValueError if malformed."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"parse_bound: expected a bound such as '>= 0.98' or '< 0.9 * other_metric', got {text!r}")
    conditions = []
    for part in text.split(" and "):
        match = _CONDITION.fullmatch(part.strip())
        if match is None:
            raise ValueError(
                f"parse_bound: cannot read {part.strip()!r} in {text!r}; expected a comparison "
                f"({', '.join(COMPARISONS)}) and a number or '[number *] metric [+ or - number]'"
            )
        if match["metric"] is None:
            conditions.append(Condition(match["comparison"], 1.0, None, float(match["number"])))
            continue
        offset = float(match["offset"] or 0) * (-1 if match["sign"] == "-" else 1)
        conditions.append(Condition(match["comparison"], float(match["scale"] or 1), match["metric"], offset))
    return tuple(conditions)


T = Threshold
# metric -> its chapter, FAST bound, full-mode bound and why; in chapter order
THRESHOLDS: dict[str, Threshold] = {
    # 01 perceptron and MLP
    "perceptron_xor_accuracy": T("01", "<= 0.75", "<= 0.75", full_why="no line separates XOR"),
    "mlp_xor_accuracy": T("01", "== 1", "== 1", full_why="XOR solved"),
    "sigmoid_grad_first_to_last": T("01", "< 1e-3", None),
    "relu_grad_first_to_last": T("01", "> 0.1", None),
    "adam_final_loss": T("01", "< gd_final_loss", None),
    "linear_collapse_max_abs_diff": T(
        "01", "< 1e-5", "<= 1e-5", "float32 rounding; a wrong collapse is off by O(1)", "3 linear layers = 1 matrix and 1 bias"
    ),
    "lr_good_final_loss": T("01", "< 0.6", None),
    "lr_small_final_loss": T("01", "> 2 * lr_good_final_loss", None),
    "lr_large_first_epoch_loss": T(
        "01", "> 3", None, "the first epoch's mean loss rises far above ln 10 = 2.30, where an untrained 10-class network starts"
    ),
    "dead_relu_share_high_lr": T("01", "> 0.5", ">= 0.5", full_why="SGD at learning rate 2.0 kills most ReLU units"),
    "dead_relu_share_good_lr": T("01", "< 0.1", None),
    "deep_sigmoid_accuracy": T(
        "01", "< 0.2", "<= 0.2", "chance is 0.10", "10 sigmoid layers without batch norm stay near chance (0.10)"
    ),
    "deep_sigmoid_bn_accuracy": T(
        "01", "> 0.6", ">= 0.9", "1,800 images, 3 epochs: about 0.78 here",
        "the same 10 sigmoid layers with batch norm, SGD 0.1, 5 epochs on 20,000 digits",
    ),
    "mlp_mnist_test_accuracy": T(
        "01", "> 0.85", ">= 0.98", "6,000 images, 2 epochs; chance is 0.10 and a broken model stays near it",
        "2x256 MLP with dropout and batch norm",
    ),
    # 02 convolutional networks
    "max_abs_diff_conv_manual_vs_keras": T("02", "<= 1e-5", "<= 1e-5", full_why="NumPy convolution equals Keras's Conv2D"),
    "max_abs_diff_transposed_manual_vs_keras": T(
        "02", "<= 1e-5", "<= 1e-5", full_why="NumPy transposed convolution equals Keras's Conv2DTranspose"
    ),
    "cnn_test_accuracy": T(
        "02", "> 0.85", ">= 0.994",
        "4,000 images and three epochs for the CNNs, one for LeNet; chance is 0.10 and a broken model stays near it",
        "LeNet-5: 99.05%; Keras's simple MNIST convnet: about 99.1-99.2%",
    ),
    "augmented_test_accuracy": T("02", "> 0.85", None),
    "mlp_test_accuracy": T("02", "> 0.8", None),
    "lenet_test_accuracy": T("02", "> 0.5", None),
    "cnn_shifted_accuracy": T("02", "> mlp_shifted_accuracy", None),
    "augmented_shifted_accuracy": T("02", "> cnn_shifted_accuracy", None),
    # 03 SimpleRNN
    "max_abs_diff_manual_vs_keras": T("03", "< 1e-5", "<= 1e-5", "the probabilities", "numpy recurrence equals Keras"),
    "max_abs_diff_last_state": T("03", "< 1e-4", None, "h_28: float32 rounding, amplified through 28 steps"),
    "reference_test_accuracy": T(
        "03", "> 0.6", None, "2,100 training digits, 3 epochs: about 0.85 here; chance is 0.10 and a broken model stays near it"
    ),
    "improved_test_accuracy": T("03", "> 0.6", ">= 0.98", full_why="beats the 20-epoch reference recipe"),
    "untrained_state_gradient_27_steps": T("03", "< 0.5", None),
    "reference_recurrent_norm": T("03", "> 1", None),
    "trained_state_gradient_27_steps": T("03", "> untrained_state_gradient_27_steps", None),
    "row1_inked_test_digits": T(
        "03", "== 0", None, "facts of the checksummed MNIST files, counted in the notebook: the chapter's prose depends on them"
    ),
    "row1_inked_training_digits": T("03", "== 2", None, "as row1_inked_test_digits"),
    "reference_grad_norm_median": T("03", "> 1", None, "above the clipping threshold"),
    "reference_share_steps_above_clip": T("03", "> 0.5", ">= 0.5", full_why="clipping at 1 acts on most steps"),
    "reference_grad_norm_max_to_median": T("03", "< 100", "<= 100", full_why="no step's gradient explodes"),
    "clipped_grad_norm_median": T("03", "> 0", None),
    # 04 LSTM and GRU
    "max_abs_diff_custom_vs_keras": T(
        "04", ">= 0 and < 1e-5", "<= 1e-5",
        "random weights and the trained weights, copied both ways; a swapped gate gives differences near 1",
        "our cells equal Keras's",
    ),
    "lstm_test_accuracy": T(
        "04", "> 0.3", ">= 0.988", "2,700 images, one epoch: chance is 0.10 and a broken cell stays near it", "chapter target"
    ),
    "gru_test_accuracy": T("04", "> 0.3", ">= 0.988", "as lstm_test_accuracy", "chapter target"),
    "custom_lstm_test_accuracy": T(
        "04", "> 0.3 and > lstm_test_accuracy - 0.15 and < lstm_test_accuracy + 0.15", None,
        "as lstm_test_accuracy; same initial weights, same recipe: after one epoch they differ only by the order of the batches",
    ),
    "custom_gru_test_accuracy": T(
        "04", "> 0.3 and > gru_test_accuracy - 0.15 and < gru_test_accuracy + 0.15", None, "as custom_lstm_test_accuracy"
    ),
    "simple_rnn_test_accuracy": T("04", "> 0.3", None, "as lstm_test_accuracy"),
    "simple_rnn_long_task_score": T(
        "04", "> -0.5 and <= 1", None,
        "40 steps are far too few to solve the task; a model that diverges (NaN, huge outputs) scores far below 0",
    ),
    "lstm_long_task_score": T("04", "> -0.5 and <= 1", None, "as simple_rnn_long_task_score"),
    "gru_long_task_score": T("04", "> -0.5 and <= 1", None, "as simple_rnn_long_task_score"),
    "max_abs_diff_gru_reset_before_vs_keras": T(
        "04", ">= 0 and < 1e-5", "<= 1e-5",
        "GRUCell(reset_after=False) against keras.layers.GRU(reset_after=False), random weights",
        "GRUCell(reset_after=False) equals Keras's GRU in Cho et al.'s form",
    ),
    "simple_rnn_adding_gradient_first": T(
        "04", ">= 0 and < simple_rnn_adding_gradient_second and < 0.5", "<= 1e-4",
        "the first marked step is further from the answer than the second: after 40 steps no model has learned to "
        "carry it, so less gradient reaches it (a helper that swapped the two markers would show the opposite)",
        "the trained SimpleRNN's gradient has vanished 50-99 steps back",
    ),
    "lstm_adding_gradient_first": T(
        "04", ">= 0 and < 0.5", ">= 0.5", "as simple_rnn_adding_gradient_first",
        "a trained LSTM's answer still depends on a step 50-99 steps back",
    ),
    "gru_adding_gradient_first": T(
        "04", ">= 0 and < 0.5", ">= 0.5", "as simple_rnn_adding_gradient_first",
        "a trained GRU's answer still depends on a step 50-99 steps back",
    ),
    "simple_rnn_adding_saturated_share": T("04", ">= 0 and <= 1", None),
    "simple_rnn_adding_recurrent_norm": T("04", "> 0", None),
    # 05 sequence to sequence
    "next_row_mse": T(
        "05", "< 0.9 * copy_previous_row_mse", "<= 0.0367",
        "3,000 digits, 4 epochs: about 0.63 of the copying error here (full mode: far lower); a model that has not "
        "learned outputs the average row and scores worse than copying",
        "copying the previous row scores 0.0367 on the test digits",
    ),
    "generated_half_mse": T(
        "05", "> teacher_forced_half_mse", None,
        "drawing 14 rows from its own output is worse than predicting each one from the true rows above (3x here)",
    ),
    "masked_max_abs_diff": T(
        "05", ">= 0 and <= 1e-5", "<= 1e-5",
        "masked steps leave the state untouched: the difference is float rounding at most (0 in practice)",
        "padded and masked equals unpadded",
    ),
    "unmasked_error": T(
        "05", "> 2 * masked_mae", None,
        "the same weights reading the padding as input: about 3.5x the error here; a mask that does nothing gives 1x",
    ),
    "dense_ae_sq_error_same_code": T(
        "05", "< 0.6 * mean_image_sq_error", None,
        "the dense autoencoder gets to about 0.45 of the mean image's error in FAST mode",
    ),
    "lstm_ae_sq_error": T(
        "05", "< mean_image_sq_error", None,
        "the LSTM autoencoder needs many more steps (about 0.9 here, far lower in full mode), so its FAST bound is loose",
    ),
    "dense_ae_anomaly_auc": T("05", "> 0.75", None, "AUC 0.5 is chance; about 0.93 for the dense autoencoder in FAST mode"),
    "anomaly_auc": T(
        "05", "> 0.55", ">= 0.95", "AUC 0.5 is chance; about 0.69 for the barely trained LSTM autoencoder in FAST mode",
        "held-out digits vs corrupted or non-digit ones",
    ),
    "anomaly_auc_rows_shuffled": T("05", "> 0.6", None, "about 0.79 in FAST mode"),
    "seq2seq_accuracy_short": T(
        "05", "> 0.8 and > seq2seq_accuracy_long + 0.1", None,
        "about 0.98 for 1-4 digits and 0.3 for 14-16 digits after 3 epochs on 3,000 strings; guessing scores 0.1",
    ),
    "seq2seq_accuracy_long": T("05", "> 0.15", None, "as seq2seq_accuracy_short"),
    # 06 autoencoders
    "pca30_sq_error": T(
        "06", "> 13 and < 16", "<= 14.0",
        "FAST fits PCA on 5,000 training images and tests on 2,000; the full-data value is 13.87",
        "published PCA-30: 13.87",
    ),
    "plain_sq_error": T(
        "06", "< 0.6 * mean_image_sq_error", None,
        "answering the mean image scores about 50; an untrained or broken autoencoder scores that or worse",
    ),
    "tied_sq_error": T("06", "< 0.6 * mean_image_sq_error", None, "as plain_sq_error"),
    "deep30_sq_error": T(
        "06", "< 0.6 * mean_image_sq_error", "<= 4.0", "as plain_sq_error", "Hinton and Salakhutdinov 2006: 3.00"
    ),
    "sparse_sq_error": T("06", "< 0.6 * mean_image_sq_error", None, "as plain_sq_error"),
    "conv_sq_error": T("06", "< 0.6 * mean_image_sq_error", None, "as plain_sq_error"),
    "code2_sq_error": T("06", "< mean_image_sq_error", None),
    "linear_vs_pca_relative_gap": T("06", "> -0.1 and < 0.1", None),
    "linear_pca_subspace_overlap": T("06", "> 0.85", None),
    "denoising_mse_on_noisy": T("06", "< plain_mse_on_noisy", None),
    "sparse_active_units_per_digit": T("06", "< 0.8 * unpenalised_active_units_per_digit", None),
    "codes_few_label_accuracy": T("06", "> 0.3", None, "chance is 0.1; which of codes and pixels wins is the chapter's finding"),
    "pixels_few_label_accuracy": T("06", "> 0.6", None, "as codes_few_label_accuracy"),
    "rare_class_recall_all_real": T("06", "> rare_class_recall_without", None),
    "rare_class_recall_without": T("06", ">= 0 and <= 1", None),
    "rare_class_recall_with_generated": T("06", ">= 0 and <= 1", None),
    "rare_class_recall_with_copies": T("06", ">= 0 and <= 1", None),
    # 07 variational autoencoder
    "neg_elbo_2d": T(
        "07", "< 220", "<= 160",
        "an untrained VAE sits near 784 * log 2 = 543 nats per image (dynamically binarised digits, 3 short epochs)",
        "2-D latent, dynamically binarised MNIST, test set; no like-with-like published number",
    ),
    "neg_elbo_large": T(
        "07", "< 210 and < neg_elbo_2d", "<= 100", "as neg_elbo_2d; a larger latent space explains the data better",
        "32-D latent, single-sample -ELBO on the dynamically binarised test set",
    ),
    "vae_iw_nll_large": T(
        "07", "< neg_elbo_large + 5", "<= 90",
        "the importance-weighted estimate (first 200 test digits) is a bound at least as tight as the ELBO",
        "importance-weighted NLL, k=500 on the first 1,000 dynamically binarised test digits; "
        "Burda et al. 2016, one stochastic layer: 86.76 nats with k=5,000 on all 10,000",
    ),
    "kl_large": T("07", "> kl_2d", None, "a larger latent space stores more"),
    "vae_code_std": T("07", "> 0.3 and < 1.5", None, "the code is on the prior's scale"),
    "ae_fitted_sample_coverage": T(
        "07", "< ae_prior_sample_coverage", None,
        "coverage: mean squared distance from a real test digit to the nearest of 1,000 decoded samples (lower is better)",
    ),
    "vae_prior_sample_coverage": T("07", "< ae_prior_sample_coverage", None, "as ae_fitted_sample_coverage"),
    "real_digit_coverage": T("07", "< vae_prior_sample_coverage", None, "as ae_fitted_sample_coverage"),
    # 08 GAN and DCGAN
    "gradient_ratio_at_d_001": T(
        "08", ">= 94.05 and <= 103.95", None, "99 within 5%: at D(G(z)) = 0.01 the gradients are 1 - D = 0.99 and D = 0.01"
    ),
    "classifier_accuracy": T("08", "> 0.95", None),
    "real_score": T("08", "> 8.0", None, "10 is the most ten classes can give; the FAST classifier is less sure"),
    "mlp_gan_fid": T(
        "08", "> real_fid and < 0.9 * untrained_fid", None,
        "generated samples are further from the data than real ones; an untrained generator's samples are far from "
        "digits, and a few hundred steps already move towards them",
    ),
    "dcgan_fid": T("08", "> real_fid and < 0.8 * untrained_fid", None, "as mlp_gan_fid"),
    "mlp_gan_final_d_loss": T("08", "> 0 and < 5", None, "finite and sane"),
    "dcgan_final_d_loss": T("08", "> 0 and < 5", None, "finite and sane"),
    "dcgan_score": T(
        "08", "> 1.3", ">= 8.5", "a score near 1 means all samples look alike",
        "plain DCGANs on MNIST: about 8.6-8.75 after ~50 GPU epochs (Li et al. 2017); real digits ~9.85",
    ),
    "dcgan_min_class_share": T("08", None, ">= 0.05", full_why="every digit class present"),
}
del T

# every bound is read once, here: a malformed one fails on import, not in the middle of a report
_CONDITIONS: dict[tuple[str, str], tuple[Condition, ...]] = {
    (metric, mode): parse_bound(getattr(threshold, mode))
    for metric, threshold in THRESHOLDS.items()
    for mode in MODES
    if getattr(threshold, mode) is not None
}


def _check_mode(caller: str, mode) -> str:
    if mode not in MODES:
        raise ValueError(f"{caller}: mode must be one of {MODES}, got {mode!r}")
    return mode


def _check_metric_name(caller: str, metric) -> str:
    if not isinstance(metric, str) or not metric:
        raise TypeError(f"{caller}: expected a metric name (non-empty str), got {type(metric).__name__} {metric!r}")
    return metric


def bound_text(metric: str, mode: str = "full") -> str:
    """The bound with its reason, e.g. ``">= 0.98 (2x256 MLP ...)"``; ``""`` for a metric without a bound in ``mode``."""
    _check_metric_name("bound_text", metric)
    _check_mode("bound_text", mode)
    conditions = _CONDITIONS.get((metric, mode))
    if conditions is None:
        return ""
    text = " and ".join(condition.text() for condition in conditions)
    why = getattr(THRESHOLDS[metric], f"{mode}_why")
    return f"{text} ({why})" if why else text


def meets(metric: str, metrics: dict, mode: str = "full") -> bool | None:
    """Whether ``metrics[metric]`` meets its bound in ``mode``.

    None when the table has no bound for it in that mode, or when the run did not record a metric the bound
    names (a failed chapter stops early): nothing to judge. ``failures`` reports those as failures instead.
    """
    _check_metric_name("meets", metric)
    _check_mode("meets", mode)
    if not isinstance(metrics, dict):
        raise TypeError(f"meets: expected the run's metrics as a dict of name -> number, got {type(metrics).__name__}")
    conditions = _CONDITIONS.get((metric, mode))
    needed = [metric] + [c.metric for c in conditions or () if c.metric is not None]
    if conditions is None or any(name not in metrics for name in needed):
        return None
    value = finite_number(f"meets({metric!r})", metrics[metric])
    for name in needed[1:]:
        finite_number(f"meets({metric!r}): the bound's {name}", metrics[name])
    return all(COMPARISONS[c.comparison](value, c.reference(metrics)) for c in conditions)


def chapter_thresholds(chapter: str, mode: str = "fast") -> list[str]:
    """The metrics that chapter ``chapter`` ("01") has a bound for in ``mode``, in the table's order."""
    if not isinstance(chapter, str) or not re.fullmatch(r"\d\d", chapter):
        raise ValueError(f"chapter_thresholds: expected a chapter number of two digits such as '01', got {chapter!r}")
    _check_mode("chapter_thresholds", mode)
    return [metric for metric, threshold in THRESHOLDS.items() if threshold.chapter == chapter and (metric, mode) in _CONDITIONS]


def failures(chapter: str, metrics: dict, mode: str = "fast") -> list[str]:
    """Every bound of ``chapter`` in ``mode`` that ``metrics`` misses or cannot be judged on, one line each."""
    found = []
    for metric in chapter_thresholds(chapter, mode):
        missing = [name for name in [metric] + [c.metric for c in _CONDITIONS[metric, mode] if c.metric] if name not in metrics]
        if missing:
            found.append(f"{metric}: the run recorded no {', '.join(missing)}")
        elif not meets(metric, metrics, mode):
            shown = {c.metric: metrics[c.metric] for c in _CONDITIONS[metric, mode] if c.metric}
            named = "".join(f", {name} = {value!r}" for name, value in shown.items())
            found.append(f"{metric} = {metrics[metric]!r}{named}: expected {bound_text(metric, mode)}")
    return found
