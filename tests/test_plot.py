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


@pytest.mark.parametrize("epochs", [1, 2, 3, 40])
def test_curves_label_whole_epochs_only(epochs):
    ax = plot.curves({"loss": np.linspace(1, 0, epochs)})
    ax.figure.canvas.draw()
    ticks = [tick for tick in ax.get_xticks() if ax.get_xlim()[0] <= tick <= ax.get_xlim()[1]]
    assert len(ticks) >= min(epochs, 2) and all(float(tick).is_integer() for tick in ticks)  # 1, 2, never 1.5
    plt.close("all")


def test_integer_xticks_on_an_image_one_epoch_wide():
    fig, ax = plt.subplots()
    ax.imshow(np.zeros((10, 1)), aspect="auto", extent=(0.5, 1.5, 9.5, -0.5))  # one column per epoch, as in chapter 08
    plot.integer_xticks(ax)
    fig.canvas.draw()
    assert [tick for tick in ax.get_xticks() if 0.5 <= tick <= 1.5] == [1.0]
    plt.close("all")


def test_integer_xticks_needs_axes():
    with pytest.raises(TypeError, match="expected matplotlib axes .* got list"):
        plot.integer_xticks([])


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


def test_image_rows_draws_one_labelled_row_per_entry_clipped_to_the_unit_range():
    flat = np.linspace(-0.5, 1.5, 3 * 784).reshape(3, 784)  # flat 28 x 28 images, some values outside [0, 1]
    fig = plot.image_rows({"digits": flat, "squares": np.zeros((3, 5, 5))}, title="t")
    assert len(fig.axes) == 6 and tuple(fig.get_size_inches()) == pytest.approx((3, 2.2))
    first, last = (fig.axes[i].images[0].get_array() for i in (0, 2))
    assert first.shape == (28, 28) and first.min() == 0 and last.max() == 1
    assert fig.axes[3].images[0].get_array().shape == (5, 5)
    assert [fig.axes[i].get_ylabel() for i in (0, 3)] == ["digits", "squares"] and fig.axes[1].get_ylabel() == ""
    assert fig._suptitle.get_text() == "t"
    assert tuple(plot.image_rows({"a": np.zeros((2, 4, 4))}, figsize=(6, 2)).get_size_inches()) == (6, 2)
    plt.close("all")


@pytest.mark.parametrize(
    "rows, message",
    [
        ({}, "expected a non-empty dict of label -> images, got dict"),
        ([np.zeros((2, 4, 4))], "expected a non-empty dict of label -> images, got list"),
        ({"a": np.zeros((2, 10))}, "row 'a' must hold images of shape \\(n, height, width\\) or flat square images"),
        ({"a": np.zeros((0, 4, 4))}, "row 'a' must hold images .* got shape \\(0, 4, 4\\)"),
        ({"a": np.zeros((2, 4, 4)), "b": np.zeros((3, 4, 4))}, "every row needs the same number of images, got .'a': 2, 'b': 3."),
    ],
)
def test_image_rows_rejects_malformed_rows(rows, message):
    with pytest.raises(ValueError, match="image_rows: " + message):
        plot.image_rows(rows)
