"""Pixel scaling: uint8 grey levels to float32 in [0, 1], bit for bit what the chapters computed by hand."""

import numpy as np
import pytest

from dlnotes.data import to_unit_range


def test_every_grey_level_maps_into_the_unit_range_as_float32_division_gives_it():
    levels = np.arange(256, dtype=np.uint8).reshape(16, 16)
    scaled = to_unit_range(levels)
    assert scaled.dtype == np.float32 and scaled.shape == (16, 16)
    assert scaled[0, 0] == 0.0 and scaled[-1, -1] == 1.0 and scaled[8, 0] == np.float32(128) / np.float32(255)
    np.testing.assert_array_equal(scaled, levels.astype("float32") / 255)  # the hand-written form, bit for bit


@pytest.mark.parametrize("images", [np.zeros((2, 2), np.float32), np.array([[0, 255]]), [[0.5]]])
def test_anything_but_uint8_is_refused(images):
    with pytest.raises(ValueError, match=r"to_unit_range: expected uint8 pixels \(0..255\), got dtype"):
        to_unit_range(images)
