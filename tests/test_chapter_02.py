"""Chapter 02 in FAST mode: NumPy convolutions equal Keras's, the CNNs learn, and the CNN keeps moved digits better."""

import pytest

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def metrics(run_fast):
    return run_fast("02").metrics


def test_numpy_convolutions_equal_keras(metrics):
    assert metrics["max_abs_diff_conv_manual_vs_keras"] <= 1e-5
    assert metrics["max_abs_diff_transposed_manual_vs_keras"] <= 1e-5


def test_parameter_counts(metrics):
    # three convolutions without bias plus batch norm, a 1152 -> 128 layer, 128 -> 10; chapter 01's 2x256 MLP
    assert metrics["cnn_params"] == 9 * 32 + 9 * 32 * 64 + 9 * 64 * 128 + 4 * (32 + 64 + 128) + 1152 * 128 + 128 + 1290
    assert metrics["mlp_params"] == 784 * 256 + 256 * 256 + 2 * 4 * 256 + 2570


def test_the_networks_learn_in_fast_mode(metrics):
    # 4,000 images and three epochs for the CNNs, one for LeNet; chance is 0.10 and a broken model stays near it
    assert metrics["cnn_test_accuracy"] > 0.85
    assert metrics["unaugmented_test_accuracy"] > 0.85
    assert metrics["mlp_test_accuracy"] > 0.8
    assert metrics["lenet_test_accuracy"] > 0.5
    assert metrics["cnn_test_errors"] == pytest.approx(10_000 * (1 - metrics["cnn_test_accuracy"]), abs=0.5)


def test_moved_digits_favour_the_cnn_and_augmentation(metrics):
    assert metrics["cnn_shifted_accuracy"] > metrics["mlp_shifted_accuracy"]
    assert metrics["augmented_shifted_accuracy"] > metrics["cnn_shifted_accuracy"]


def check_thresholds(metrics):
    """Every threshold a FAST run of this chapter must meet, whatever its SEED (see tests/test_chapter_01.py)."""
    test_numpy_convolutions_equal_keras(metrics)
    test_parameter_counts(metrics)
    test_the_networks_learn_in_fast_mode(metrics)
    test_moved_digits_favour_the_cnn_and_augmentation(metrics)
