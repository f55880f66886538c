"""Chapter 06 in FAST mode: the relations between its metrics that the threshold table cannot state.

The chapter's thresholds on its metrics are in dlnotes/course/thresholds.py (checked by tests/test_thresholds.py).
"""

import pytest

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def metrics(run_fast):
    return run_fast("06").metrics


def test_mean_squared_error_is_the_squared_error_per_pixel(metrics):
    assert metrics["plain_mse"] == pytest.approx(metrics["plain_sq_error"] / 784, rel=1e-4)


def test_tied_weights_halve_the_kernel_parameters(metrics):
    assert metrics["untied_params"] == 2 * 784 * 32 + 32 + 784
    assert metrics["tied_params"] == 784 * 32 + 32 + 784


def test_convolutional_autoencoder_keeps_most_weights_in_its_dense_code_layers(metrics):
    # the chapter's text quotes these counts: 9,569 weights in filters, 91% in the two dense layers
    assert metrics["conv_params"] == 111_521
    assert metrics["conv_dense_share"] == pytest.approx(1 - 9_569 / 111_521)
