"""Chapter 02's networks: the small CNN and LeNet-5 (shapes, parameters, saving), the one-cycle recipe, bad input."""

import keras
import numpy as np
import pytest

from dlnotes.models.cnn import FEATURES_LAYER, augmentation, fit_one_cycle, lenet5, one_cycle_schedule, small_cnn


def test_small_cnn_layers_and_parameters():
    model = small_cnn()
    convolutions = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [layer.filters for layer in convolutions] == [32, 64, 128]
    assert model.get_layer(FEATURES_LAYER).units == 128 and model.output_shape == (None, 10)
    # kernels without bias (batch norm shifts), 4 numbers per batch-norm channel, the two dense layers
    expected = 9 * 32 + 9 * 32 * 64 + 9 * 64 * 128 + 4 * (32 + 64 + 128) + (3 * 3 * 128 * 128 + 128) + (128 * 10 + 10)
    assert model.count_params() == expected
    assert not any(isinstance(layer, keras.Sequential) for layer in model.layers), "no augmentation unless asked"


def test_augmentation_acts_in_training_only():
    digits = np.random.default_rng(0).random((8, 28, 28, 1)).astype("float32")
    layer = augmentation(seed=1)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(digits, training=False)), digits)
    assert not np.allclose(keras.ops.convert_to_numpy(layer(digits, training=True)), digits)
    model = small_cnn(augment=True, seed=1)
    assert model.count_params() == small_cnn().count_params()  # augmentation has no weights


def test_lenet5_plan():
    model = lenet5()
    assert [layer.name for layer in model.layers] == ["c1", "s2", "c3", "s4", "flatten", "c5", "f6", "output"]
    assert model.get_layer("c3").output.shape[1:] == (10, 10, 16)
    assert model.count_params() == (25 * 6 + 6) + (25 * 6 * 16 + 16) + (400 * 120 + 120) + (120 * 84 + 84) + (84 * 10 + 10)


@pytest.mark.parametrize("augment", [False, True])
def test_small_cnn_saves_and_reloads(tmp_path, augment):
    model = small_cnn(augment=augment, seed=0)
    digits = np.random.default_rng(0).random((4, 28, 28, 1)).astype("float32")
    model.save(tmp_path / "cnn.keras")
    reloaded = keras.saving.load_model(tmp_path / "cnn.keras")
    np.testing.assert_allclose(reloaded.predict(digits, verbose=0), model.predict(digits, verbose=0), atol=1e-6)


def test_one_cycle_schedule_rises_then_falls_to_zero():
    schedule = one_cycle_schedule(100, peak_learning_rate=1e-2, warmup_share=0.2)
    rates = np.array([float(schedule(step)) for step in range(101)])
    assert rates[0] == pytest.approx(1e-3) and rates[20] == pytest.approx(1e-2)
    assert np.all(np.diff(rates[:21]) > 0) and np.all(np.diff(rates[20:]) <= 0) and rates[100] == pytest.approx(0, abs=1e-9)


def test_fit_one_cycle_learns_a_small_problem():
    rng = np.random.default_rng(0)
    x = rng.random((256, 28, 28, 1)).astype("float32")
    y = (x[:, :14].mean(axis=(1, 2, 3)) > x[:, 14:].mean(axis=(1, 2, 3))).astype("int64")  # brighter top half?
    keras.utils.set_random_seed(0)
    model = small_cnn()
    history = fit_one_cycle(model, x, y, epochs=3, batch_size=32)
    assert not model.jit_compile, "no XLA: it makes convolutions and pooling slower on a CPU"
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_bad_input_is_rejected():
    with pytest.raises(TypeError, match="augment must be True or False"):
        small_cnn(augment="yes")
    with pytest.raises(ValueError, match=r"dropout must be a number in \[0, 1\)"):
        small_cnn(dropout=1.0)
    with pytest.raises(ValueError, match=r"max_shift must be a number in \[0, 0.5\]"):
        augmentation(max_shift=2)
    with pytest.raises(ValueError, match="total_steps must be an int >= 2"):
        one_cycle_schedule(1)
    with pytest.raises(ValueError, match="peak_learning_rate must be a positive number"):
        one_cycle_schedule(10, peak_learning_rate=0)
    with pytest.raises(TypeError, match="model must be a keras.Model"):
        fit_one_cycle("cnn", np.zeros((2, 28, 28, 1)), np.zeros(2))
    with pytest.raises(ValueError, match="epochs must be a positive int"):
        fit_one_cycle(small_cnn(), np.zeros((2, 28, 28, 1)), np.zeros(2), epochs=0)
    with pytest.raises(ValueError, match="got 2 images and 3 labels"):
        fit_one_cycle(small_cnn(), np.zeros((2, 28, 28, 1)), np.zeros(3))
