"""The networks of an MLP GAN and a DCGAN for 28x28 images, and the GANs built from them."""

from __future__ import annotations

import keras
import numpy as np

from dlnotes.models.gan.model import GAN
from dlnotes.validation import layer_sizes, positive_int

IMAGE_SHAPE = (28, 28, 1)


def mlp_generator(latent_dim: int = 64, hidden=(256, 512), image_shape=IMAGE_SHAPE) -> keras.Model:
    """Dense LeakyReLU layers of the ``hidden`` sizes, then tanh pixels reshaped to ``image_shape``.

    ``hidden=()`` leaves no hidden layer: one dense map from the noise to the pixels.
    """
    latent_dim = positive_int("mlp_generator", "latent_dim", latent_dim)
    inputs = keras.Input(shape=(latent_dim,))
    h = inputs
    for units in layer_sizes("mlp_generator", "hidden", hidden, allow_empty=True):
        h = keras.layers.LeakyReLU(0.2)(keras.layers.Dense(units)(h))
    pixels = int(np.prod(image_shape))
    outputs = keras.layers.Reshape(image_shape)(keras.layers.Dense(pixels, activation="tanh")(h))
    return keras.Model(inputs, outputs, name="mlp_generator")


def mlp_discriminator(hidden=(512, 256), image_shape=IMAGE_SHAPE, dropout: float = 0.3) -> keras.Model:
    """Flatten, Dense LeakyReLU layers with dropout, one logit (``hidden=()``: logistic regression on the pixels)."""
    inputs = keras.Input(shape=image_shape)
    h = keras.layers.Flatten()(inputs)
    for units in layer_sizes("mlp_discriminator", "hidden", hidden, allow_empty=True):
        h = keras.layers.Dropout(dropout)(keras.layers.LeakyReLU(0.2)(keras.layers.Dense(units)(h)))
    return keras.Model(inputs, keras.layers.Dense(1, name="logit")(h), name="mlp_discriminator")


def dcgan_generator(latent_dim: int = 64, filters=(128, 64), kernel_size: int = 4) -> keras.Model:
    """z -> project to 7x7x``filters[0]`` -> strided transposed convolutions up to 28x28x1 (tanh).

    The DCGAN guidelines: no pooling and no dense hidden layer (the only dense layer is the projection of z),
    BatchNorm after every layer but the output, ReLU inside, tanh at the output.
    """
    latent_dim = positive_int("dcgan_generator", "latent_dim", latent_dim)
    filters = layer_sizes("dcgan_generator", "filters", filters)
    if len(filters) != 2:
        raise ValueError(f"dcgan_generator: expected two filter counts (7x7 and 14x14 maps), got {filters!r}")
    inputs = keras.Input(shape=(latent_dim,))
    h = keras.layers.Dense(7 * 7 * filters[0], use_bias=False)(inputs)  # BatchNorm's shift replaces the bias
    h = keras.layers.ReLU()(keras.layers.BatchNormalization(momentum=0.9)(h))
    h = keras.layers.Reshape((7, 7, filters[0]))(h)
    h = keras.layers.Conv2DTranspose(filters[1], kernel_size, strides=2, padding="same", use_bias=False)(h)  # 14x14
    h = keras.layers.ReLU()(keras.layers.BatchNormalization(momentum=0.9)(h))
    outputs = keras.layers.Conv2DTranspose(1, kernel_size, strides=2, padding="same", activation="tanh")(h)  # 28x28
    return keras.Model(inputs, outputs, name="dcgan_generator")


def dcgan_discriminator(filters=(64, 128), kernel_size: int = 4, image_shape=IMAGE_SHAPE) -> keras.Model:
    """Strided convolutions 28 -> 14 -> 7 with LeakyReLU(0.2), BatchNorm on all but the first, then one logit."""
    inputs = keras.Input(shape=image_shape)
    h = inputs
    for index, count in enumerate(layer_sizes("dcgan_discriminator", "filters", filters)):
        h = keras.layers.Conv2D(count, kernel_size, strides=2, padding="same", use_bias=index == 0)(h)
        if index > 0:  # not on the input layer, as in the paper
            h = keras.layers.BatchNormalization(momentum=0.9)(h)
        h = keras.layers.LeakyReLU(0.2)(h)
    outputs = keras.layers.Dense(1, name="logit")(keras.layers.Flatten()(h))
    return keras.Model(inputs, outputs, name="dcgan_discriminator")


def build_mlp_gan(latent_dim: int = 64, seed: int | None = None, **gan_options) -> GAN:
    """An MLP GAN for 28x28 images: :func:`mlp_generator` and :func:`mlp_discriminator` with their defaults."""
    return GAN(mlp_generator(latent_dim), mlp_discriminator(), seed=seed, **gan_options)


def build_dcgan(
    latent_dim: int = 64, generator_filters=(128, 64), discriminator_filters=(64, 128), seed: int | None = None, **gan_options
) -> GAN:
    """A DCGAN for 28x28 images: :func:`dcgan_generator` and :func:`dcgan_discriminator`."""
    return GAN(
        dcgan_generator(latent_dim, generator_filters), dcgan_discriminator(discriminator_filters), seed=seed, **gan_options
    )
