"""TiedDense: shapes, the transposed kernel shared with the encoder, parameter counts, save/load, bad inputs."""

import keras
import numpy as np
import pytest

from dlnotes.layers.tied import TiedDense


def source_example(use_bias=False):
    """The source text's autoencoder: encoder 7 -> 5 -> 3, decoder 3 -> 5 -> 7, decoder tied to the encoder."""
    inputs = keras.Input(shape=(7,))
    first = keras.layers.Dense(5, use_bias=use_bias, name="encoder_1")
    second = keras.layers.Dense(3, use_bias=use_bias, name="encoder_2")
    code = second(first(inputs))
    outputs = TiedDense(first, use_bias=use_bias, name="decoder_2")(TiedDense(second, use_bias=use_bias, name="decoder_1")(code))
    return keras.Model(inputs, outputs)


def test_output_shape_and_values_match_the_transposed_kernel():
    keras.utils.set_random_seed(0)
    encoder = keras.layers.Dense(4, activation="relu")
    encoder.build((None, 6))
    decoder = TiedDense(encoder, activation="sigmoid")
    decoder.bias_initializer = keras.initializers.Constant(0.5)
    codes = np.random.default_rng(0).normal(size=(3, 4)).astype("float32")
    outputs = keras.ops.convert_to_numpy(decoder(codes))
    assert outputs.shape == (3, 6)
    assert decoder.compute_output_shape((None, 4)) == (None, 6)
    expected = 1 / (1 + np.exp(-(codes @ encoder.kernel.numpy().T + 0.5)))
    np.testing.assert_allclose(outputs, expected, rtol=1e-5, atol=1e-6)
    assert decoder.units == 6
    np.testing.assert_array_equal(decoder.kernel.numpy(), encoder.kernel.numpy().T)


def test_source_text_count_100_untied_50_tied_weights():
    tied = source_example()
    assert tied.count_params() == 5 * 7 + 3 * 5  # 50: the decoder adds no kernel of its own
    untied = keras.Sequential([keras.Input(shape=(7,))] + [keras.layers.Dense(n, use_bias=False) for n in (5, 3, 5, 7)])
    assert untied.count_params() == 100


def test_decoder_owns_only_its_bias():
    model = source_example(use_bias=True)
    decoder = model.get_layer("decoder_2")
    assert [w.path for w in decoder.weights] == ["decoder_2/bias"]
    assert decoder.count_params() == 7
    assert model.count_params() == 50 + (5 + 3) + (5 + 7)  # kernels once, four biases


@pytest.mark.slow  # trains a model
def test_training_updates_one_shared_kernel():
    keras.utils.set_random_seed(1)
    model = source_example(use_bias=True)
    encoder, decoder = model.get_layer("encoder_1"), model.get_layer("decoder_2")
    before = encoder.kernel.numpy().copy()
    x = np.random.default_rng(1).uniform(size=(32, 7)).astype("float32")
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    model.fit(x, x, epochs=1, batch_size=32, verbose=0)
    assert not np.allclose(encoder.kernel.numpy(), before)
    np.testing.assert_array_equal(decoder.kernel.numpy(), encoder.kernel.numpy().T)
    assert sum(w is encoder.kernel for w in model.trainable_weights) == 1


@pytest.mark.slow  # trains a model
def test_save_and_load_keeps_outputs_and_the_tie(tmp_path):
    keras.utils.set_random_seed(2)
    model = source_example(use_bias=True)
    x = np.random.default_rng(2).uniform(size=(16, 7)).astype("float32")
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, x, epochs=2, verbose=0)
    path = tmp_path / "tied.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.get_layer("decoder_2").tied_to is loaded.get_layer("encoder_1")
    assert loaded.get_layer("decoder_1").tied_to is loaded.get_layer("encoder_2")
    assert loaded.count_params() == model.count_params()
    # still tied after loading: training the loaded model moves encoder and decoder together
    loaded.fit(x, x, epochs=1, verbose=0)
    np.testing.assert_array_equal(loaded.get_layer("decoder_2").kernel.numpy(), loaded.get_layer("encoder_1").kernel.numpy().T)


def test_save_and_load_in_a_sequential_model(tmp_path):
    keras.utils.set_random_seed(3)
    encoder = keras.layers.Dense(4, activation="relu")
    model = keras.Sequential([keras.Input(shape=(9,)), encoder, TiedDense(encoder, activation="sigmoid")])
    x = np.random.default_rng(3).uniform(size=(5, 9)).astype("float32")
    model.save(tmp_path / "seq.keras")
    loaded = keras.saving.load_model(tmp_path / "seq.keras")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.layers[1].tied_to is loaded.layers[0]


def test_config_round_trip():
    encoder = keras.layers.Dense(3, name="enc")
    encoder.build((None, 5))
    layer = TiedDense(encoder, activation="tanh", use_bias=False, name="dec")
    config = layer.get_config()
    assert config["use_bias"] is False and config["tied_to"]["config"]["units"] == 3
    clone = TiedDense.from_config(config)  # outside a model: a fresh copy of the encoder layer
    assert clone.name == "dec" and clone.use_bias is False and clone.tied_to.units == 3
    assert clone.activation is keras.activations.tanh


def test_rejects_a_layer_that_is_not_dense():
    with pytest.raises(TypeError, match="must be a keras.layers.Dense"):
        TiedDense(keras.layers.Conv2D(4, 3))
    with pytest.raises(TypeError, match="must be a keras.layers.Dense"):
        TiedDense(np.zeros((3, 4)))


def test_rejects_a_bad_use_bias():
    with pytest.raises(TypeError, match="use_bias must be True or False"):
        TiedDense(keras.layers.Dense(3), use_bias="yes")


def test_rejects_an_unbuilt_encoder():
    layer = TiedDense(keras.layers.Dense(3), name="dec")
    with pytest.raises(ValueError, match="is not built yet"):
        layer(np.zeros((2, 3), dtype="float32"))


def test_rejects_inputs_of_the_wrong_width():
    encoder = keras.layers.Dense(3)
    encoder.build((None, 5))
    with pytest.raises(ValueError, match="must have 3 features"):
        TiedDense(encoder)(np.zeros((2, 4), dtype="float32"))


def test_is_exported_from_dlnotes_layers():
    import dlnotes.layers

    assert dlnotes.layers.TiedDense is TiedDense
