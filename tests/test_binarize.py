"""Dynamic binarisation: pixels are coins with their grey level as probability, a new sample every epoch."""

import keras
import numpy as np
import pytest

from dlnotes.data import binarize, dynamically_binarized


def test_binarize_draws_each_pixel_with_its_grey_level_as_probability():
    grey = np.array([0, 64, 128, 255], np.uint8)
    draws = binarize(np.tile(grey, (20_000, 1)), np.random.default_rng(0))
    assert draws.dtype == np.float32 and set(np.unique(draws)) == {0.0, 1.0}
    np.testing.assert_allclose(draws.mean(axis=0), grey / 255, atol=0.01)
    floats = binarize(np.full((20_000, 2), [0.25, 0.75], np.float32), np.random.default_rng(1))
    np.testing.assert_allclose(floats.mean(axis=0), [0.25, 0.75], atol=0.01)


def test_binarize_repeats_with_its_seed():
    grey = np.random.default_rng(0).random((5, 28, 28))
    np.testing.assert_array_equal(binarize(grey, np.random.default_rng(3)), binarize(grey, np.random.default_rng(3)))


def test_binarize_rejects_bad_input():
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        binarize(np.zeros((2, 2), np.uint8), rng=0)
    with pytest.raises(ValueError, match=r"grey levels in \[0, 1\] \(divide uint8 images by 255\), found values in \[0, 255\]"):
        binarize(np.array([[0.0, 255.0]]), np.random.default_rng(0))
    with pytest.raises(ValueError, match="expected uint8 pixels .* got dtype int64"):
        binarize(np.array([[0, 1]]), np.random.default_rng(0))
    with pytest.raises(ValueError, match="non-empty array of images"):
        binarize(np.zeros((0, 4), np.float32), np.random.default_rng(0))


def epoch(dataset):
    return np.concatenate(list(dataset.as_numpy_iterator()))


def test_dynamically_binarized_gives_a_new_sample_and_order_every_epoch():
    grey = np.random.default_rng(0).random((10, 4)).astype(np.float32)
    data = dynamically_binarized(grey, batch_size=4, seed=0)
    first, second = epoch(data), epoch(data)
    assert first.shape == (10, 4) and set(np.unique(first)) <= {0.0, 1.0} and not np.array_equal(first, second)
    again = dynamically_binarized(grey, batch_size=4, seed=0)  # same seed: the same first epoch
    np.testing.assert_array_equal(epoch(again), first)
    assert [len(batch) for batch in again.as_numpy_iterator()] == [4, 4, 2]
    many = epoch(dynamically_binarized(np.full((4000, 2), [0.1, 0.9], np.float32), batch_size=500, seed=1))
    np.testing.assert_allclose(many.mean(axis=0), [0.1, 0.9], atol=0.02)


@pytest.mark.slow  # trains a model
def test_dynamically_binarized_feeds_fit_with_or_without_targets():
    grey = np.random.default_rng(0).random((32, 6)).astype(np.float32)
    images, targets = next(dynamically_binarized(grey, batch_size=8, seed=0, as_targets=True).as_numpy_iterator())
    np.testing.assert_array_equal(images, targets)
    model = keras.Sequential([keras.Input(shape=(6,)), keras.layers.Dense(6, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    history = model.fit(dynamically_binarized(grey, batch_size=8, seed=0, as_targets=True), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


def test_dynamically_binarized_rejects_bad_arguments():
    grey = np.zeros((4, 2), np.float32)
    with pytest.raises(ValueError, match="batch_size must be a positive int, got 0"):
        dynamically_binarized(grey, batch_size=0, seed=0)
    with pytest.raises(ValueError, match="seed must be a non-negative int, got -1"):
        dynamically_binarized(grey, batch_size=2, seed=-1)
    with pytest.raises(ValueError, match="dynamically_binarized: floating-point pixels must be grey levels"):
        dynamically_binarized(grey + 2, batch_size=2, seed=0)
