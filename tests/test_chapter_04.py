"""Chapter 04 in FAST mode: the custom cells equal Keras's, and every model learns something."""

import pytest

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def metrics(run_fast):
    return run_fast("04").metrics


def test_custom_cells_compute_what_keras_computes(metrics):
    # random weights and the trained weights, copied both ways; a swapped gate gives differences near 1
    assert 0 <= metrics["max_abs_diff_custom_vs_keras"] < 1e-5


def test_lstm_and_gru_learn_mnist_rows_in_fast_mode(metrics):
    # 2,700 images, one epoch: chance is 0.10 and a broken cell stays near it
    for name in ["lstm", "gru", "custom_lstm", "custom_gru", "simple_rnn"]:
        assert metrics[f"{name}_test_accuracy"] > 0.3, name


def test_custom_cells_learn_like_the_builtin_layers(metrics):
    # same initial weights, same recipe: after one epoch they differ only by the order of the batches
    assert abs(metrics["custom_lstm_test_accuracy"] - metrics["lstm_test_accuracy"]) < 0.15
    assert abs(metrics["custom_gru_test_accuracy"] - metrics["gru_test_accuracy"]) < 0.15


def test_adding_problem_scores_are_recorded_and_sane(metrics):
    # 40 steps are far too few to solve the task; a model that diverges (NaN, huge outputs) scores far below 0
    for name in ["simple_rnn", "lstm", "gru"]:
        assert -0.5 < metrics[f"{name}_long_task_score"] <= 1.0, name


def test_custom_gru_equals_keras_in_the_reset_before_form_too(metrics):
    # GRUCell(reset_after=False) against keras.layers.GRU(reset_after=False), random weights
    assert 0 <= metrics["max_abs_diff_gru_reset_before_vs_keras"] < 1e-5


def test_adding_problem_gradients_fade_with_distance(metrics):
    # The first marked step is further from the answer than the second: after 40 steps no model has learned to
    # carry it, so less gradient reaches it (a helper that swapped the two markers would show the opposite).
    assert 0 <= metrics["simple_rnn_adding_gradient_first"] < metrics["simple_rnn_adding_gradient_second"]
    for name in ["simple_rnn", "lstm", "gru"]:
        assert 0 <= metrics[f"{name}_adding_gradient_first"] < 0.5, name
    assert 0 <= metrics["simple_rnn_adding_saturated_share"] <= 1
    assert metrics["simple_rnn_adding_recurrent_norm"] > 0
