"""Chapter 01 in FAST mode: the perceptron fails XOR, the MLP solves it, the MNIST MLP learns."""

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
