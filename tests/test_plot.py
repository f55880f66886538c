"""The shared figures draw what they are given and reject malformed input."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from dlnotes import plot  # noqa: E402
from dlnotes.data import xor  # noqa: E402


def test_decision_boundary_draws_points_and_level_set():
    x, y = xor()
    ax = plot.decision_boundary(lambda p: (p[:, 0] > 0.5).astype(float), x, y, resolution=20)
    assert len(ax.collections) >= 3  # filled contours, the 0.5 line, the points
    plt.close("all")


@pytest.mark.parametrize(
    "x, y, message",
    [(np.zeros((4, 3)), np.zeros(4), "shape \\(n, 2\\)"), (np.zeros((4, 2)), np.zeros(3), "4 points but 3 labels")],
)
def test_decision_boundary_rejects_bad_points(x, y, message):
    with pytest.raises(ValueError, match=message):
        plot.decision_boundary(lambda p: p[:, 0], x, y)


def test_curves_one_line_per_series():
    ax = plot.curves({"a": [3, 2, 1], "b": [1, 1, 1]}, logy=True)
    assert [line.get_label() for line in ax.get_lines()] == ["a", "b"]
    assert ax.get_yscale() == "log"
    plt.close("all")


def test_curves_rejects_empty():
    with pytest.raises(ValueError, match="non-empty dict"):
        plot.curves({})


def test_image_grid_layout():
    fig = plot.image_grid(np.zeros((10, 28, 28)), titles=list("abcdefghij"), ncols=4)
    assert len(fig.axes) == 12 and fig.axes[9].get_title() == "j"
    plt.close("all")


@pytest.mark.parametrize(
    "images, kwargs, message",
    [
        (np.zeros((28, 28)), {}, "shape \\(n, height, width\\)"),
        (np.zeros((2, 28, 28)), {"titles": ["a"]}, "2 images but 1 titles"),
        (np.zeros((2, 28, 28)), {"ncols": 0}, "ncols must be a positive int"),
    ],
)
def test_image_grid_rejects_bad_input(images, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plot.image_grid(images, **kwargs)
