"""The figures the chapters share: decision boundaries, training curves, image grids."""

from __future__ import annotations

import numpy as np

from dlnotes.validation import positive_int


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(4, 4))
    return ax


def decision_boundary(predict, x, y, ax=None, title: str = "", resolution: int = 200, margin: float = 0.5):
    """Shade where ``predict`` (points (n, 2) -> scores (n,) in [0, 1]) says 1, and draw the points.

    Returns the axes.
    """
    x, y = np.asarray(x, dtype=np.float32), np.asarray(y).ravel()
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"decision_boundary: expected points of shape (n, 2), got {x.shape}")
    if len(y) != len(x):
        raise ValueError(f"decision_boundary: {len(x)} points but {len(y)} labels")
    ax = _axes(ax)
    lo, hi = x.min(axis=0) - margin, x.max(axis=0) + margin
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    scores = np.asarray(predict(np.c_[g0.ravel(), g1.ravel()].astype(np.float32))).reshape(g0.shape)
    ax.contourf(g0, g1, scores, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.6)
    ax.contour(g0, g1, scores, levels=[0.5], colors="k", linewidths=1.5)
    ax.scatter(x[:, 0], x[:, 1], c=y, cmap="RdBu_r", edgecolors="k", s=120, vmin=0, vmax=1)
    ax.set(title=title, xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
    return ax


def integer_xticks(ax):
    """Put ticks on whole numbers only along the x axis (epochs, steps: a few epochs must not read 1.0, 1.5, 2.0).

    Returns the axes.
    """
    from matplotlib.axes import Axes
    from matplotlib.ticker import MaxNLocator

    if not isinstance(ax, Axes):
        raise TypeError(f"integer_xticks: expected matplotlib axes (e.g. from plt.subplots), got {type(ax).__name__}")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))  # one epoch: the tick 1 alone
    return ax


def curves(series: dict, ax=None, xlabel: str = "epoch", ylabel: str = "loss", logy: bool = False, title: str = ""):
    """Plot named sequences (e.g. Keras ``history.history`` entries) on one axes, at x = 1, 2, ... Returns the axes."""
    if not isinstance(series, dict) or not series:
        raise ValueError("curves: expected a non-empty dict of name -> sequence of numbers")
    ax = _axes(ax)
    for name, values in series.items():
        values = np.asarray(values, dtype=float).ravel()
        ax.plot(np.arange(1, len(values) + 1), values, marker="o" if len(values) < 30 else None, label=name)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    integer_xticks(ax)
    if logy:
        ax.set_yscale("log")
    ax.legend()
    ax.grid(alpha=0.3)
    return ax


def image_grid(images, titles=None, ncols: int = 8, size: float = 1.2, cmap: str = "gray_r"):
    """Show images (n, h, w) in a grid with optional titles. Returns the figure."""
    import matplotlib.pyplot as plt

    images = np.asarray(images)
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(f"image_grid: expected images of shape (n, height, width), got {images.shape}")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"image_grid: {len(images)} images but {len(titles)} titles")
    ncols = min(positive_int("image_grid", "ncols", ncols), len(images))
    nrows = -(-len(images) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * size, nrows * size * 1.15), squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index < len(images):
            ax.imshow(images[index], cmap=cmap)
            if titles is not None:
                ax.set_title(str(titles[index]), fontsize=8)
    fig.tight_layout()
    return fig


def _image_stack(label, images) -> np.ndarray:
    images = np.asarray(images)
    if images.ndim == 2 and len(images) and round(images.shape[1] ** 0.5) ** 2 == images.shape[1]:
        side = round(images.shape[1] ** 0.5)
        images = images.reshape(len(images), side, side)  # flat square images, e.g. 784 pixels -> 28 x 28
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(
            f"image_rows: row {label!r} must hold images of shape (n, height, width) or flat square images (n, pixels), "
            f"n >= 1; got shape {images.shape}"
        )
    return images


def image_rows(rows: dict, title: str = "", figsize=None, cmap: str = "gray_r"):
    """One labelled row of grey images per entry of ``rows`` (label -> images in [0, 1]), the label at the left.

    Images are (n, height, width), or flat square images (n, pixels), e.g. (10, 784); every row has the same n.
    Values outside [0, 1] are clipped. ``figsize`` defaults to one inch a column and 1.1 inches a row. Returns
    the figure (its axes, row by row, are ``fig.axes``: draw on them before showing it).
    """
    import matplotlib.pyplot as plt

    if not isinstance(rows, dict) or not rows:
        raise ValueError(f"image_rows: expected a non-empty dict of label -> images, got {type(rows).__name__} {rows!r:.80}")
    stacks = {label: _image_stack(label, images) for label, images in rows.items()}
    counts = {label: len(images) for label, images in stacks.items()}
    if len(set(counts.values())) != 1:
        raise ValueError(f"image_rows: every row needs the same number of images, got {counts}")
    columns = len(next(iter(stacks.values())))
    figsize = (columns, 1.1 * len(stacks)) if figsize is None else figsize
    fig, axes = plt.subplots(len(stacks), columns, figsize=figsize, squeeze=False)
    for row, (label, images) in zip(axes, stacks.items()):
        for ax, image in zip(row, images):
            ax.imshow(np.clip(image, 0, 1), cmap=cmap, vmin=0, vmax=1)
            ax.set_xticks([]), ax.set_yticks([])
        row[0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=9)
    fig.suptitle(title)
    fig.tight_layout()
    return fig
