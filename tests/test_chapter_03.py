"""Chapter 03 in FAST mode: the relations between its metrics that the threshold table cannot state.

The chapter's thresholds on its metrics are in dlnotes/course/thresholds.py (checked by tests/test_thresholds.py).
"""

import pytest

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def metrics(run_fast):
    return run_fast("03").metrics


def test_parameter_counts_follow_the_concatenation(metrics):
    assert metrics["reference_params"] == (28 + 128) * 128 + 128 + 128 * 10 + 10
    assert metrics["improved_params"] == 2 * ((28 + 128) * 128 + 128) + 256 * 10 + 10


def test_confusion_matrix_counts_the_errors_of_the_accuracy(metrics):
    # the confusion matrix counts the same errors as the accuracy (1,000 test digits in FAST mode)
    assert metrics["improved_test_errors"] == round((1 - metrics["improved_test_accuracy"]) * 1000)
