"""dlnotes.data.anomalies: each kind breaks the digits the way its name says, and bad input is refused."""

import numpy as np
import pytest

from dlnotes.data.anomalies import ANOMALY_KINDS, BAND_ROWS, make_anomalies


@pytest.fixture(scope="module")
def digits():
    rng = np.random.default_rng(0)
    images = np.zeros((20, 28, 28), np.float32)
    images[:, 5:23, 10:18] = rng.uniform(size=(20, 18, 8))  # an inked block in every "digit"
    return images


def test_rows_shuffled_keeps_every_row(digits):
    broken = make_anomalies(digits, "rows shuffled", seed=1)
    for original, shuffled in zip(digits, broken):
        assert sorted(map(bytes, original)) == sorted(map(bytes, shuffled))
    assert not np.array_equal(broken, digits)


def test_upside_down_reverses_the_rows(digits):
    np.testing.assert_array_equal(make_anomalies(digits, "upside down"), digits[:, ::-1])


def test_noise_band_changes_only_eight_consecutive_rows(digits):
    broken = make_anomalies(digits, "noise band", seed=2)
    for original, damaged in zip(digits, broken):
        changed = np.flatnonzero(np.any(original != damaged, axis=1))
        assert len(changed) >= 1 and changed.max() - changed.min() < BAND_ROWS


def test_not_a_digit_has_the_digits_share_of_ink(digits):
    noise = make_anomalies(np.repeat(digits, 50, axis=0), "not a digit", seed=3)
    assert abs(np.mean(noise > 0) - np.mean(digits > 0)) < 0.01
    assert noise.min() >= 0 and noise.max() <= 1


@pytest.mark.parametrize("kind", ANOMALY_KINDS)
def test_every_kind_leaves_the_input_alone_and_is_repeatable(digits, kind):
    before = digits.copy()
    first, second = make_anomalies(digits, kind, seed=5), make_anomalies(digits, kind, seed=5)
    np.testing.assert_array_equal(digits, before)
    np.testing.assert_array_equal(first, second)
    assert first.shape == digits.shape and first.dtype == np.float32


@pytest.mark.parametrize(
    "images, kind, match",
    [
        (np.zeros((2, 28, 28), np.float32), "flipped", "kind must be one of"),
        (np.zeros((2, 784), np.float32), "upside down", r"expected float digits \(n, rows, pixels\)"),
        (np.zeros((2, 28, 28), np.uint8), "upside down", "as_row_sequences"),
        (np.full((2, 28, 28), 255.0), "upside down", r"pixels must be in \[0, 1\]"),
        (np.zeros((2, 4, 28), np.float32), "noise band", "needs at least 8 rows"),
    ],
)
def test_bad_input_is_refused(images, kind, match):
    with pytest.raises(ValueError, match=match):
        make_anomalies(images, kind)
