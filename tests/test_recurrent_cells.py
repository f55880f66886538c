"""dlnotes.layers.LSTMCell and GRUCell: the Keras layers' numbers, weights, saving, and clear errors."""

from functools import partial

import keras
import numpy as np
import pytest

from dlnotes.layers import GRUCell, LSTMCell, gate_activations

# Each custom cell with the Keras layer it must equal; the GRU in both of its forms.
PAIRS = [
    pytest.param(LSTMCell, keras.layers.LSTM, id="lstm"),
    pytest.param(GRUCell, keras.layers.GRU, id="gru_reset_after"),
    pytest.param(partial(GRUCell, reset_after=False), partial(keras.layers.GRU, reset_after=False), id="gru_reset_before"),
]
RNG = np.random.default_rng(0)
SEQUENCES = RNG.normal(size=(3, 9, 5)).astype("float32")


def random_weights(layer, seed=1):
    """Non-zero weights everywhere (biases included), so that a swapped gate or bias row shows."""
    rng = np.random.default_rng(seed)
    return [rng.normal(scale=0.5, size=w.shape).astype("float32") for w in layer.get_weights()]


def custom_and_builtin(custom_cell, builtin_layer, units=6, **kwargs):
    custom = keras.layers.RNN(custom_cell(units), return_sequences=True, return_state=True, **kwargs)
    builtin = builtin_layer(units, return_sequences=True, return_state=True, **kwargs)
    custom(SEQUENCES)
    builtin(SEQUENCES)
    return custom, builtin


@pytest.mark.parametrize("custom_cell, builtin_layer", PAIRS)
def test_same_weight_names_and_shapes_as_keras(custom_cell, builtin_layer):
    custom, builtin = custom_and_builtin(custom_cell, builtin_layer)
    assert [w.name for w in custom.weights] == [w.name for w in builtin.weights] == ["kernel", "recurrent_kernel", "bias"]
    assert [w.shape for w in custom.get_weights()] == [w.shape for w in builtin.get_weights()]


@pytest.mark.parametrize("custom_cell, builtin_layer", PAIRS)
@pytest.mark.parametrize("direction", ["keras_to_custom", "custom_to_keras"])
def test_outputs_and_states_equal_keras_after_copying_weights(custom_cell, builtin_layer, direction):
    custom, builtin = custom_and_builtin(custom_cell, builtin_layer)
    source, target = (builtin, custom) if direction == "keras_to_custom" else (custom, builtin)
    source.set_weights(random_weights(source))
    target.set_weights(source.get_weights())
    for mine, theirs in zip(custom(SEQUENCES), builtin(SEQUENCES), strict=True):  # sequences, then each state
        assert np.max(np.abs(np.asarray(mine) - np.asarray(theirs))) < 1e-5


@pytest.mark.parametrize("custom_cell, builtin_layer", PAIRS)
def test_equal_to_keras_backwards_and_with_an_initial_state(custom_cell, builtin_layer):
    custom = keras.layers.RNN(custom_cell(4), go_backwards=True)
    builtin = builtin_layer(4, go_backwards=True)
    n_states = 2 if custom_cell is LSTMCell else 1  # the LSTM carries [h, S], the GRU h alone
    initial = [RNG.normal(size=(3, 4)).astype("float32") for _ in range(n_states)]
    custom(SEQUENCES, initial_state=initial)
    builtin(SEQUENCES, initial_state=initial)
    custom.set_weights(random_weights(custom, seed=2))
    builtin.set_weights(custom.get_weights())
    difference = np.abs(custom(SEQUENCES, initial_state=initial) - builtin(SEQUENCES, initial_state=initial))
    assert np.max(difference) < 1e-5


def test_lstm_forget_gate_bias_starts_at_one_like_keras():
    custom, builtin = custom_and_builtin(LSTMCell, keras.layers.LSTM, units=3)
    np.testing.assert_array_equal(custom.get_weights()[2], builtin.get_weights()[2])
    np.testing.assert_array_equal(custom.get_weights()[2], [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    layer = keras.layers.RNN(LSTMCell(3, unit_forget_bias=False))
    layer(SEQUENCES)
    assert not np.any(layer.get_weights()[2])


def test_gru_has_three_quarters_of_the_lstm_weights_plus_a_second_bias_row():
    units, features = 8, 5
    lstm = keras.layers.RNN(LSTMCell(units))
    gru = keras.layers.RNN(GRUCell(units))
    gru_reset_before = keras.layers.RNN(GRUCell(units, reset_after=False))
    for layer in (lstm, gru, gru_reset_before):
        layer.build((None, 9, features))
    assert lstm.count_params() == 4 * (features * units + units * units + units)
    assert gru.count_params() == 3 * (features * units + units * units + 2 * units)
    assert gru_reset_before.count_params() == 3 * (features * units + units * units + units)


@pytest.mark.parametrize(
    "make_cell",
    [LSTMCell, GRUCell, partial(GRUCell, reset_after=False)],
    ids=["lstm", "gru_reset_after", "gru_reset_before"],
)
def test_save_and_load_round_trip_gives_identical_outputs(make_cell, tmp_path):
    model = keras.Sequential([keras.Input((9, 5)), keras.layers.RNN(make_cell(6)), keras.layers.Dense(2)])
    model.layers[0].set_weights(random_weights(model.layers[0]))
    path = tmp_path / "model.keras"
    model.save(path)
    reloaded = keras.saving.load_model(path)
    cell, reloaded_cell = model.layers[0].cell, reloaded.layers[0].cell
    assert type(reloaded_cell) is type(cell)
    assert getattr(reloaded_cell, "reset_after", None) == getattr(cell, "reset_after", None)
    np.testing.assert_array_equal(model.predict(SEQUENCES, verbose=0), reloaded.predict(SEQUENCES, verbose=0))


def test_config_round_trip_keeps_every_setting():
    cell = LSTMCell(7, unit_forget_bias=False, kernel_initializer="he_normal", name="memory")
    copy = LSTMCell.from_config(cell.get_config())
    assert (copy.units, copy.unit_forget_bias, copy.name) == (7, False, "memory")
    assert type(copy.kernel_initializer).__name__ == "HeNormal"
    assert GRUCell.from_config(GRUCell(3).get_config()).units == 3
    for reset_after in (True, False):
        assert GRUCell.from_config(GRUCell(3, reset_after=reset_after).get_config()).reset_after is reset_after


def test_the_two_gru_forms_differ_only_in_the_candidate():
    """Same weights (the second bias row of reset_after=True zero): same gates, different candidates."""
    after, before = keras.layers.RNN(GRUCell(4)), keras.layers.RNN(GRUCell(4, reset_after=False))
    after(SEQUENCES)
    before(SEQUENCES)
    kernel, recurrent_kernel, bias = random_weights(before)
    after.set_weights([kernel, recurrent_kernel, np.stack([bias, np.zeros_like(bias)])])
    before.set_weights([kernel, recurrent_kernel, bias])
    values_after, values_before = gate_activations(after, SEQUENCES[:, :1]), gate_activations(before, SEQUENCES[:, :1])
    # from h_0 = 0 the first step cannot tell them apart: r multiplies zero either way
    np.testing.assert_allclose(values_after["h"], values_before["h"], atol=1e-6)
    values_after, values_before = gate_activations(after, SEQUENCES), gate_activations(before, SEQUENCES)
    assert np.max(np.abs(values_after["h"] - values_before["h"])) > 1e-2


@pytest.mark.parametrize("custom_cell, builtin_layer", PAIRS)
def test_gradients_equal_keras_so_training_is_the_same(custom_cell, builtin_layer):
    import tensorflow as tf

    custom, builtin = custom_and_builtin(custom_cell, builtin_layer)
    custom.set_weights(random_weights(custom))
    builtin.set_weights(custom.get_weights())
    gradients = []
    for layer in (custom, builtin):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(SEQUENCES)[0] ** 2)
        gradients.append(tape.gradient(loss, layer.trainable_weights))
    for mine, theirs in zip(*gradients, strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-4, atol=1e-5)


def test_lstm_gate_activations_obey_the_equations():
    layer, _ = custom_and_builtin(LSTMCell, keras.layers.LSTM)
    layer.set_weights(random_weights(layer))
    values = gate_activations(layer, SEQUENCES)
    assert sorted(values) == ["S", "f", "g", "h", "i", "o"]
    assert all(values[name].shape == (3, 9, 6) for name in values)
    for gate in "ifo":
        assert np.all((values[gate] > 0) & (values[gate] < 1))
    s_prev = np.concatenate([np.zeros((3, 1, 6)), values["S"][:, :-1]], axis=1)
    np.testing.assert_allclose(values["S"], values["f"] * s_prev + values["i"] * values["g"], atol=1e-6)
    np.testing.assert_allclose(values["h"], values["o"] * np.tanh(values["S"]), atol=1e-6)
    np.testing.assert_allclose(values["h"], layer(SEQUENCES)[0], atol=1e-6)


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_gate_activations_obey_the_equations(reset_after):
    layer, _ = custom_and_builtin(partial(GRUCell, reset_after=reset_after), partial(keras.layers.GRU, reset_after=reset_after))
    layer.set_weights(random_weights(layer))
    values = gate_activations(layer.cell, SEQUENCES)
    assert sorted(values) == ["candidate", "h", "r", "z"]
    h_prev = np.concatenate([np.zeros((3, 1, 6)), values["h"][:, :-1]], axis=1)
    z, r = values["z"], values["r"]
    np.testing.assert_allclose(values["h"], z * h_prev + (1 - z) * values["candidate"], atol=1e-6)
    np.testing.assert_allclose(values["h"], layer(SEQUENCES)[0], atol=1e-6)
    kernel, recurrent_kernel, bias = (w[..., 12:] for w in layer.get_weights())  # the candidate's block: U_h, W_h, b
    if reset_after:  # tanh(x U_h + b_h + r * (h W_h + b'_h))
        expected = np.tanh(SEQUENCES @ kernel + bias[0] + r * (h_prev @ recurrent_kernel + bias[1]))
    else:  # tanh(x U_h + (r * h) W_h + b_h)
        expected = np.tanh(SEQUENCES @ kernel + (r * h_prev) @ recurrent_kernel + bias)
    np.testing.assert_allclose(values["candidate"], expected, atol=1e-5)


@pytest.mark.parametrize("reset_after", [None, 1, "False"])
def test_gru_reset_after_must_be_a_bool(reset_after):
    with pytest.raises(TypeError, match="GRUCell: reset_after must be True or False, got"):
        GRUCell(4, reset_after=reset_after)


@pytest.mark.parametrize("units", [0, -3, 2.5, True, "8", None])
@pytest.mark.parametrize("custom_cell", [LSTMCell, GRUCell])
def test_bad_units_are_refused(custom_cell, units):
    with pytest.raises(ValueError, match="units must be a positive int"):
        custom_cell(units)


@pytest.mark.parametrize("custom_cell", [LSTMCell, GRUCell])
@pytest.mark.parametrize("shape", [(2, 9, 5), (2,), (None, None)])
def test_building_for_anything_but_one_time_step_says_how_to_wrap_the_cell(custom_cell, shape):
    with pytest.raises(ValueError, match=r"shape \(batch, features\).*keras.layers.RNN"):
        custom_cell(4).build(shape)


@pytest.mark.parametrize("custom_cell", [LSTMCell, GRUCell])
def test_rnn_over_two_dimensional_input_is_refused_clearly(custom_cell):
    with pytest.raises(ValueError, match=r"shape \(batch, features\)"):
        keras.layers.RNN(custom_cell(4))(np.zeros((2, 5), "float32"))


@pytest.mark.parametrize("custom_cell", [LSTMCell, GRUCell])
def test_wrong_number_of_features_after_building_is_refused(custom_cell):
    model = keras.Sequential([keras.Input((9, 5)), keras.layers.RNN(custom_cell(4))])
    with pytest.raises(ValueError, match=r"built for step inputs of shape \(batch, 5\), got shape \(\w+, 7\)"):
        model.predict(np.zeros((2, 9, 7), "float32"), verbose=0)


def test_gate_activations_refuses_bad_arguments():
    with pytest.raises(TypeError, match="LSTMCell or GRUCell"):
        gate_activations(keras.layers.LSTM(4), SEQUENCES)
    with pytest.raises(ValueError, match="no weights yet"):
        gate_activations(LSTMCell(4), SEQUENCES)
    layer = keras.layers.RNN(GRUCell(4))
    layer(SEQUENCES)
    for bad in [SEQUENCES[0], SEQUENCES[..., :3], np.zeros((0, 9, 5))]:
        with pytest.raises(ValueError, match=r"expected sequences of shape \(batch, time, 5\)"):
            gate_activations(layer, bad)
