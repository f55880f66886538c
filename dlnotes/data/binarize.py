"""Binarised MNIST as the likelihood literature uses it: every pixel a coin whose probability is its grey level.

Dynamic binarisation (Salakhutdinov and Murray, 2008; Burda et al., 2016) trains on a fresh Bernoulli sample of
each image every epoch and tests on one sample drawn once. Thresholding at 0.5 gives cleaner images that are
easier to model, so its likelihoods are not comparable with the published ones.
"""

from __future__ import annotations

import numpy as np

from dlnotes.data.pixels import to_unit_range
from dlnotes.validation import non_negative_int, positive_int


def binarize(images, rng: np.random.Generator) -> np.ndarray:
    """One Bernoulli sample of ``images`` as float32 zeros and ones: a pixel is 1 with probability its grey level.

    Args:
        images: uint8 pixels in 0..255, or floating-point pixels in [0, 1]; any shape.
        rng: the NumPy generator to draw from (``np.random.default_rng(seed)``), so that the sample repeats.
    """
    probabilities = _grey_levels("binarize", images)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"binarize: rng must be a numpy.random.Generator (np.random.default_rng(seed)), got {type(rng).__name__}")
    return (rng.random(probabilities.shape, dtype=np.float32) < probabilities).astype("float32")


def dynamically_binarized(images, batch_size: int, seed: int, as_targets: bool = False):
    """A tf.data pipeline of freshly binarised ``images`` for ``fit``: a new sample and a new order every epoch.

    ``model.fit(dynamically_binarized(x, batch_size=128, seed=0), epochs=30)`` trains a model with its own training
    step (a :class:`dlnotes.models.VAE`: the batches are the images alone) on 30 different binarisations of ``x``;
    the same seed gives the same 30. ``as_targets=True`` yields ``(images, images)`` batches instead, for a plain
    autoencoder compiled with a loss. The coins are drawn by TensorFlow's kernels outside the training step, so a
    step compiled with XLA stays fast.
    """
    import tensorflow as tf

    probabilities = _grey_levels("dynamically_binarized", images)
    batch_size = positive_int("dynamically_binarized", "batch_size", batch_size)
    seed = non_negative_int("dynamically_binarized", "seed", seed)
    coins = tf.random.Generator.from_seed(seed)  # its state advances with every batch, so each epoch differs

    def draw(batch):
        sample = tf.cast(coins.uniform(tf.shape(batch)) < batch, tf.float32)
        return (sample, sample) if as_targets else sample

    return (
        tf.data.Dataset.from_tensor_slices(probabilities)
        .shuffle(len(probabilities), seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
        .map(draw)  # sequential: the same seed gives the same samples
        .prefetch(tf.data.AUTOTUNE)
    )


def _grey_levels(caller: str, images) -> np.ndarray:
    """``images`` as float32 probabilities in [0, 1], or a ValueError saying what was expected."""
    images = np.asarray(images)
    if images.ndim < 1 or images.size == 0:
        raise ValueError(f"{caller}: expected a non-empty array of images, got shape {images.shape}")
    if images.dtype == np.uint8:
        return to_unit_range(images)
    if not np.issubdtype(images.dtype, np.floating):
        raise ValueError(f"{caller}: expected uint8 pixels (0..255) or floats in [0, 1], got dtype {images.dtype}")
    if not np.all(np.isfinite(images)) or images.min() < 0 or images.max() > 1:
        raise ValueError(
            f"{caller}: floating-point pixels must be grey levels in [0, 1] (divide uint8 images by 255), "
            f"found values in [{np.nanmin(images):g}, {np.nanmax(images):g}]"
        )
    return images.astype("float32")
