"""Chapter 02 in FAST mode: the relations between its metrics that the threshold table cannot state.

The chapter's thresholds on its metrics are in dlnotes/course/thresholds.py (checked by tests/test_thresholds.py).
"""

import pytest

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def metrics(run_fast):
    return run_fast("02").metrics


def test_parameter_counts(metrics):
    # three convolutions without bias plus batch norm, a 1152 -> 128 layer, 128 -> 10; chapter 01's 2x256 MLP
    assert metrics["cnn_params"] == 9 * 32 + 9 * 32 * 64 + 9 * 64 * 128 + 4 * (32 + 64 + 128) + 1152 * 128 + 128 + 1290
    assert metrics["mlp_params"] == 784 * 256 + 256 * 256 + 2 * 4 * 256 + 2570


def test_error_count_matches_the_accuracy(metrics):
    assert metrics["cnn_test_errors"] == pytest.approx(10_000 * (1 - metrics["cnn_test_accuracy"]), abs=0.5)
