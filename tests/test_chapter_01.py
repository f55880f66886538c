"""Chapter 01 in FAST mode: the perceptron fails XOR, the MLP solves it, learning rates and batch norm behave as taught."""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def metrics(run_fast):
    return run_fast("01").metrics


def test_perceptron_cannot_learn_xor(metrics):
    assert metrics["perceptron_xor_accuracy"] <= 0.75


def test_mlp_solves_xor(metrics):
    assert metrics["mlp_xor_accuracy"] == 1.0


def test_sigmoid_gradients_vanish_relu_gradients_do_not(metrics):
    assert metrics["sigmoid_grad_first_to_last"] < 1e-3
    assert metrics["relu_grad_first_to_last"] > 0.1


def test_adam_beats_full_batch_gradient_descent(metrics):
    assert metrics["adam_final_loss"] < metrics["gd_final_loss"]


def test_stacked_linear_layers_are_one_linear_layer(metrics):
    assert metrics["linear_collapse_max_abs_diff"] < 1e-5  # float32 rounding; a wrong collapse is off by O(1)


def test_learning_rate_too_small_crawls_too_large_diverges(metrics):
    assert metrics["lr_good_final_loss"] < 0.6
    assert metrics["lr_small_final_loss"] > 2 * metrics["lr_good_final_loss"]
    # the first epoch's mean loss rises far above ln 10 = 2.30, where an untrained 10-class network starts
    assert metrics["lr_large_first_epoch_loss"] > 3


def test_too_large_learning_rate_kills_relu_units(metrics):
    assert metrics["dead_relu_share_high_lr"] > 0.5
    assert metrics["dead_relu_share_good_lr"] < 0.1


def test_batch_norm_makes_the_deep_sigmoid_network_learn(metrics):
    assert metrics["deep_sigmoid_accuracy"] < 0.2  # chance is 0.10
    assert metrics["deep_sigmoid_bn_accuracy"] > 0.6  # 1,800 images, 3 epochs: about 0.78 here


def test_mnist_mlp_learns_in_fast_mode(metrics):
    # 6,000 images, 2 epochs; chance is 0.10 and a broken model stays near it
    assert metrics["mlp_mnist_test_accuracy"] > 0.85


def check_thresholds(metrics):
    """Every threshold a FAST run of this chapter must meet, whatever its SEED.

    The tests above are plain functions of the metrics; tests/test_reproducibility.py calls this on a run
    with another SEED. A new threshold on the metrics belongs in this list.
    """
    test_perceptron_cannot_learn_xor(metrics)
    test_mlp_solves_xor(metrics)
    test_sigmoid_gradients_vanish_relu_gradients_do_not(metrics)
    test_adam_beats_full_batch_gradient_descent(metrics)
    test_stacked_linear_layers_are_one_linear_layer(metrics)
    test_learning_rate_too_small_crawls_too_large_diverges(metrics)
    test_too_large_learning_rate_kills_relu_units(metrics)
    test_batch_norm_makes_the_deep_sigmoid_network_learn(metrics)
    test_mnist_mlp_learns_in_fast_mode(metrics)


def test_deterministic_cells_reproduce_under_nbval(run_fast):
    """nbval re-executes the executed copy and compares the cells tagged nbval-check-output.

    Those cells (the perceptron runs, the softmax check) involve no random state, so
    any difference between two runs is a bug, not noise.
    """
    executed = Path(run_fast("01").notebook)
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider", executed.name],
        cwd=executed.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout[-3000:]
    assert " passed" in completed.stdout
