"""TimeStepOneHot: the appended one-hot clock, shapes, a Keras model around it, save/load, bad inputs."""

import keras
import numpy as np
import pytest

from dlnotes.layers.time_step import TimeStepOneHot


def test_appends_the_step_as_a_one_hot_vector():
    x = np.arange(2 * 3 * 2, dtype="float32").reshape(2, 3, 2)
    out = keras.ops.convert_to_numpy(TimeStepOneHot(3)(x))
    assert out.shape == (2, 3, 5)
    np.testing.assert_array_equal(out[..., :2], x)  # the features pass through unchanged
    for sample in out:
        np.testing.assert_array_equal(sample[:, 2:], np.eye(3))


def test_in_a_decoder_after_repeat_vector():
    inputs = keras.Input((4,))
    repeated = keras.layers.RepeatVector(28)(inputs)
    decoded = keras.layers.LSTM(5, return_sequences=True)(TimeStepOneHot(28)(repeated))
    model = keras.Model(inputs, decoded)
    assert model.output_shape == (None, 28, 5)
    assert model.predict(np.ones((3, 4), "float32"), verbose=0).shape == (3, 28, 5)


def test_save_and_load(tmp_path):
    inputs = keras.Input((6, 2))
    model = keras.Model(inputs, keras.layers.Dense(3)(TimeStepOneHot(6, name="clock")(inputs)))
    x = np.random.default_rng(0).normal(size=(4, 6, 2)).astype("float32")
    model.save(tmp_path / "clock.keras")
    loaded = keras.saving.load_model(tmp_path / "clock.keras")
    assert isinstance(loaded.get_layer("clock"), TimeStepOneHot) and loaded.get_layer("clock").steps == 6
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)


@pytest.mark.parametrize("steps", [0, -1, 2.0, True, None])
def test_rejects_bad_steps(steps):
    with pytest.raises(ValueError, match="steps must be a positive int"):
        TimeStepOneHot(steps)


def test_rejects_a_sequence_of_another_length():
    with pytest.raises(ValueError, match=r"expected inputs \(batch, 28 steps, features\).*pass steps=10"):
        TimeStepOneHot(28)(keras.Input((10, 3)))
    with pytest.raises(ValueError, match=r"expected inputs \(batch, 28 steps, features\)"):
        TimeStepOneHot(28)(keras.Input((28,)))
