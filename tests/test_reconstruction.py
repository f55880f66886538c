"""The reconstruction-error convention: squared error summed over pixels, averaged over images."""

import numpy as np
import pytest

from dlnotes.reconstruction import mean_squared_error, squared_error_per_image


def test_hand_computed_example():
    images = np.array([[0.0, 1.0, 0.5], [1.0, 1.0, 0.0]])
    outputs = np.array([[0.0, 0.5, 0.5], [0.0, 1.0, 0.5]])
    # image 1: 0.25; image 2: 1 + 0.25 = 1.25; mean 0.75
    assert squared_error_per_image(images, outputs) == pytest.approx(0.75)
    assert mean_squared_error(images, outputs) == pytest.approx(0.25)


def test_image_shapes_are_flattened_and_tensors_accepted():
    import tensorflow as tf

    rng = np.random.default_rng(0)
    images = rng.uniform(size=(4, 28, 28)).astype("float32")
    outputs = rng.uniform(size=(4, 784)).astype("float32")
    expected = np.mean(np.sum((images.reshape(4, -1) - outputs) ** 2, axis=1))
    assert squared_error_per_image(images, tf.constant(outputs)) == pytest.approx(expected, rel=1e-6)
    assert squared_error_per_image(images[..., None], outputs) == pytest.approx(expected, rel=1e-6)


def test_perfect_reconstruction_scores_zero():
    images = np.random.default_rng(1).uniform(size=(3, 10))
    assert squared_error_per_image(images, images) == 0.0


@pytest.mark.parametrize(
    "images, outputs, match",
    [
        (np.zeros((3, 4)), np.zeros((3, 5)), "3 images of 4 pixels but 3 reconstructions of 5"),
        (np.zeros((3, 4)), np.zeros((2, 4)), "3 images of 4 pixels but 2 reconstructions"),
        (np.zeros((3, 4), dtype=np.uint8), np.zeros((3, 4)), "divide uint8 images by 255"),
        (np.zeros(4), np.zeros(4), r"batch of images \(n, ...\)"),
        (np.zeros((0, 4)), np.zeros((0, 4)), "non-empty"),
        (np.full((2, 4), 255.0), np.zeros((2, 4)), r"pixels in \[0, 1\], found values in \[255, 255\]"),
        (np.zeros((2, 4)), np.full((2, 4), np.nan), "NaN or infinite"),
    ],
)
def test_rejects_bad_input(images, outputs, match):
    with pytest.raises(ValueError, match=match):
        squared_error_per_image(images, outputs)
