"""shift_images: digits moved on their page, with blank pixels coming in."""

import numpy as np
import pytest

from dlnotes.data import shift_images


def test_shift_moves_pixels_and_fills_with_zeros():
    images = np.arange(1, 10).reshape(1, 3, 3)
    np.testing.assert_array_equal(shift_images(images, right=1)[0], [[0, 1, 2], [0, 4, 5], [0, 7, 8]])
    np.testing.assert_array_equal(shift_images(images, down=-1)[0], [[4, 5, 6], [7, 8, 9], [0, 0, 0]])
    np.testing.assert_array_equal(shift_images(images, right=-2, down=2)[0], [[0, 0, 0], [0, 0, 0], [3, 0, 0]])
    np.testing.assert_array_equal(shift_images(images), images)


def test_shift_keeps_channels_and_dtype():
    images = np.random.default_rng(0).integers(0, 255, (4, 28, 28, 1), dtype=np.uint8)
    moved = shift_images(images, right=3, down=2)
    assert moved.shape == images.shape and moved.dtype == np.uint8
    np.testing.assert_array_equal(moved[:, 2:, 3:], images[:, :-2, :-3])
    assert not moved[:, :2].any() and not moved[:, :, :3].any()


def test_shift_rejects_bad_input():
    with pytest.raises(ValueError, match=r"shape \(n, height, width\[, channels\]\)"):
        shift_images(np.zeros((28, 28)), right=1)
    with pytest.raises(TypeError, match="whole number of pixels"):
        shift_images(np.zeros((1, 28, 28)), right=1.5)
    with pytest.raises(ValueError, match="off its 28-pixel page"):
        shift_images(np.zeros((1, 28, 28)), down=-28)
