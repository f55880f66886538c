"""Epoch timing and weight snapshots during fit."""

import keras
import numpy as np
import pytest

from dlnotes.callbacks import EpochTimer, WeightsAtEpoch


def tiny_fit(callbacks, epochs=3):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    x = np.random.default_rng(0).normal(size=(32, 2)).astype("float32")
    model.fit(x, x.sum(axis=1), epochs=epochs, batch_size=8, verbose=0, callbacks=callbacks)
    return model


def test_timer_records_one_positive_time_per_epoch():
    timer = EpochTimer()
    tiny_fit([timer], epochs=3)
    assert len(timer.seconds) == 3 and all(s > 0 for s in timer.seconds)
    assert timer.steady_seconds() == pytest.approx(np.median(timer.seconds[1:]))


def test_timer_before_fit_raises():
    with pytest.raises(RuntimeError, match="no epoch"):
        EpochTimer().steady_seconds()


def test_snapshot_holds_the_weights_of_that_epoch():
    after_one, after_three = WeightsAtEpoch(1), WeightsAtEpoch(3)
    model = tiny_fit([after_one, after_three], epochs=3)
    for final, snapshot in zip(model.get_weights(), after_three.weights):
        np.testing.assert_array_equal(final, snapshot)
    assert not np.allclose(after_one.weights[0], after_three.weights[0]), "training moved the weights"


def test_snapshot_epoch_must_be_positive_int():
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="positive int"):
            WeightsAtEpoch(bad)
