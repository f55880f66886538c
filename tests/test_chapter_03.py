"""Chapter 03 in FAST mode: the recurrence by hand equals Keras, both recipes learn, gradients behave as taught."""

import pytest

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def metrics(run_fast):
    return run_fast("03").metrics


def test_manual_recurrence_equals_keras(metrics):
    assert metrics["max_abs_diff_manual_vs_keras"] < 1e-5  # the probabilities
    assert metrics["max_abs_diff_last_state"] < 1e-4  # h_28: float32 rounding, amplified through 28 steps


def test_parameter_counts_follow_the_concatenation(metrics):
    assert metrics["reference_params"] == (28 + 128) * 128 + 128 + 128 * 10 + 10
    assert metrics["improved_params"] == 2 * ((28 + 128) * 128 + 128) + 256 * 10 + 10


def test_reference_recipe_learns_in_fast_mode(metrics):
    # 2,100 training digits, 3 epochs: about 0.85 here; chance is 0.10 and a broken model stays near it
    assert metrics["reference_test_accuracy"] > 0.6


def test_improved_recipe_learns_in_fast_mode(metrics):
    assert metrics["improved_test_accuracy"] > 0.6
    # the confusion matrix counts the same errors as the accuracy (1,000 test digits in FAST mode)
    assert metrics["improved_test_errors"] == round((1 - metrics["improved_test_accuracy"]) * 1000)


def test_gradient_vanishes_at_initialisation_and_not_after_training(metrics):
    assert metrics["untrained_state_gradient_27_steps"] < 0.5
    assert metrics["reference_recurrent_norm"] > 1
    assert metrics["trained_state_gradient_27_steps"] > metrics["untrained_state_gradient_27_steps"]


def test_row_1_is_blank_in_the_test_digits_only(metrics):
    # facts of the checksummed MNIST files, counted in the notebook: the chapter's prose depends on them
    assert metrics["row1_inked_test_digits"] == 0
    assert metrics["row1_inked_training_digits"] == 2


def test_gradient_norms_are_clipped_on_most_steps_and_do_not_explode(metrics):
    assert metrics["reference_grad_norm_median"] > 1  # above the clipping threshold
    assert metrics["reference_share_steps_above_clip"] > 0.5
    assert metrics["reference_grad_norm_max_to_median"] < 100
    assert metrics["clipped_grad_norm_median"] > 0


def check_thresholds(metrics):
    """Every threshold a FAST run of this chapter must meet, whatever its SEED.

    The tests above are plain functions of the metrics; tests/test_reproducibility.py calls this on a run
    with another SEED. A new threshold on the metrics belongs in this list.
    """
    test_manual_recurrence_equals_keras(metrics)
    test_parameter_counts_follow_the_concatenation(metrics)
    test_reference_recipe_learns_in_fast_mode(metrics)
    test_improved_recipe_learns_in_fast_mode(metrics)
    test_gradient_vanishes_at_initialisation_and_not_after_training(metrics)
    test_row_1_is_blank_in_the_test_digits_only(metrics)
    test_gradient_norms_are_clipped_on_most_steps_and_do_not_explode(metrics)
