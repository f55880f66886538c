"""Reconstruction error (재구성 오차): the number every autoencoder in the course is judged by.

The convention of Hinton and Salakhutdinov (Science, 2006): pixels in [0, 1], squared error summed
over the pixels of an image, averaged over the images. On MNIST, PCA with 30 components scores about
13.9 on the test set and their deep autoencoder 3.00. Dividing by the pixel count gives Keras's
``"mse"`` loss.
"""

from __future__ import annotations

import numpy as np


def _as_images(name: str, label: str, x) -> np.ndarray:
    if hasattr(x, "numpy"):  # a TensorFlow tensor
        x = x.numpy()
    x = np.asarray(x)
    if x.ndim < 2 or x.shape[0] == 0 or x.size == 0:
        raise ValueError(f"{name}: {label} must be a non-empty batch of images (n, ...) , got shape {x.shape}")
    if not np.issubdtype(x.dtype, np.floating):
        raise ValueError(
            f"{name}: {label} must hold floating-point pixels in [0, 1] (divide uint8 images by 255), got dtype {x.dtype}"
        )
    return x.reshape(len(x), -1).astype(np.float64)


def squared_error_per_image(images, reconstructions) -> float:
    """Mean over images of the squared error summed over each image's pixels.

    Args:
        images: the clean targets, shape (n, ...) with pixels in [0, 1] (e.g. (n, 784) or (n, 28, 28)).
        reconstructions: the model's outputs, any shape with the same number of values per image.
    """
    x = _as_images("squared_error_per_image", "images", images)
    y = _as_images("squared_error_per_image", "reconstructions", reconstructions)
    if x.shape != y.shape:
        raise ValueError(
            f"squared_error_per_image: {x.shape[0]} images of {x.shape[1]} pixels but "
            f"{y.shape[0]} reconstructions of {y.shape[1]} values"
        )
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("squared_error_per_image: images or reconstructions contain NaN or infinite values")
    if x.min() < 0 or x.max() > 1:
        raise ValueError(
            f"squared_error_per_image: images must have pixels in [0, 1], found values in [{x.min():g}, {x.max():g}]"
        )
    return float(np.mean(np.sum((x - y) ** 2, axis=1)))


def mean_squared_error(images, reconstructions) -> float:
    """Mean over images and pixels (Keras's ``"mse"``): :func:`squared_error_per_image` / pixels per image."""
    x = _as_images("mean_squared_error", "images", images)
    return squared_error_per_image(images, reconstructions) / x.shape[1]
