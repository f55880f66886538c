"""Confusion matrices: counts, the most confused pairs, the plot, and errors on bad input."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from dlnotes.confusion import confusion_matrix, most_confused, plot_confusion_matrix  # noqa: E402


def test_counts_rows_true_columns_predicted():
    matrix = confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2])
    np.testing.assert_array_equal(matrix, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    assert matrix.sum() == 6


def test_num_classes_pads_unseen_classes():
    assert confusion_matrix([0, 1], [1, 1], num_classes=4).shape == (4, 4)


def test_most_confused_orders_errors_and_skips_diagonal():
    matrix = np.array([[50, 3, 0], [7, 40, 1], [0, 0, 9]])
    assert most_confused(matrix, 5) == [(1, 0, 7), (0, 1, 3), (1, 2, 1)]
    assert most_confused(matrix, 1) == [(1, 0, 7)]


def test_plot_writes_counts_and_labels():
    matrix = np.array([[5, 1], [0, 4]])
    ax = plot_confusion_matrix(matrix, class_names=["cat", "dog"], title="t")
    assert sorted(t.get_text() for t in ax.texts) == ["1", "4", "5"]  # zero cells stay blank
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog"]
    plt.close(ax.figure)


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="integer class labels"):
        confusion_matrix([0.5, 1.0], [0, 1])
    with pytest.raises(ValueError, match="non-negative"):
        confusion_matrix([-1, 0], [0, 1])
    with pytest.raises(ValueError, match="2 true labels but 3 predictions"):
        confusion_matrix([0, 1], [0, 1, 1])
    with pytest.raises(ValueError, match="at least one"):
        confusion_matrix(np.array([], dtype=int), np.array([], dtype=int))
    with pytest.raises(ValueError, match="num_classes"):
        confusion_matrix([0, 3], [0, 1], num_classes=3)
    with pytest.raises(ValueError, match="square"):
        most_confused(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="count"):
        most_confused(np.zeros((2, 2)), 0)
    with pytest.raises(ValueError, match="square"):
        plot_confusion_matrix(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="non-negative"):
        plot_confusion_matrix(np.array([[1, -1], [0, 1]]))
    with pytest.raises(ValueError, match="class names"):
        plot_confusion_matrix(np.eye(2, dtype=int), class_names=["a"])
