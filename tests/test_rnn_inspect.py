"""The hand-written SimpleRNN recurrence, its Jacobians through time, and the per-time-step input gradients."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from dlnotes.rnn_inspect import input_gradient_norms, simple_rnn_states, simple_rnn_weights, state_jacobian_norms


def small_rnn_model(units=5, features=3, steps=4, seed=1):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [keras.Input((steps, features)), keras.layers.SimpleRNN(units, name="rnn"), keras.layers.Dense(3, activation="softmax")]
    )
    rng = np.random.default_rng(seed)
    rnn = model.get_layer("rnn")
    # a non-zero bias so that the test sees it used
    rnn.set_weights([w + rng.normal(0, 0.3, w.shape).astype("float32") for w in rnn.get_weights()])
    return model


def test_weights_have_the_documented_shapes():
    kernel, recurrent, bias = simple_rnn_weights(small_rnn_model().get_layer("rnn"))
    assert kernel.shape == (3, 5) and recurrent.shape == (5, 5) and bias.shape == (5,)
    assert np.abs(bias).max() > 0


def test_manual_states_equal_keras_layer():
    model = small_rnn_model()
    x = np.random.default_rng(0).normal(size=(6, 4, 3)).astype("float32")
    states = simple_rnn_states(x, *simple_rnn_weights(model.get_layer("rnn")))
    keras_last = model.get_layer("rnn")(x).numpy()
    assert states.shape == (6, 4, 5)
    np.testing.assert_allclose(states[:, -1], keras_last, atol=1e-5)


def test_initial_state_is_used():
    weights = simple_rnn_weights(small_rnn_model().get_layer("rnn"))
    x = np.zeros((2, 1, 3))
    h0 = np.full((2, 5), 0.5)
    expected = np.tanh(h0 @ weights[1] + weights[2])
    np.testing.assert_allclose(simple_rnn_states(x, *weights, initial_state=h0)[:, 0], expected)


def test_layer_without_bias_gives_zero_bias():
    layer = keras.layers.SimpleRNN(2, use_bias=False)
    layer.build((None, 3, 4))
    assert np.all(simple_rnn_weights(layer)[2] == 0)


def test_state_jacobian_norms_match_autodiff():
    rng = np.random.default_rng(0)
    kernel, recurrent, bias = rng.normal(0, 0.5, (3, 4)), rng.normal(0, 0.6, (4, 4)), rng.normal(0, 0.1, 4)
    x = rng.normal(size=(2, 5, 3))
    states = simple_rnn_states(x, kernel, recurrent, bias)
    norms = state_jacobian_norms(states, recurrent)
    assert norms.shape == (2, 5) and np.all(norms[:, -1] == 1.0)
    for example in range(2):
        for start in range(4):  # restart the recurrence from h_start and differentiate the last state
            h_start = tf.constant(states[example : example + 1, start])
            with tf.GradientTape() as tape:
                tape.watch(h_start)
                h = h_start
                for t in range(start + 1, 5):
                    h = tf.tanh(x[example : example + 1, t] @ kernel + h @ recurrent + bias)
            jacobian = tape.jacobian(h, h_start).numpy().reshape(4, 4)  # d h_T[j] / d h_t[i] at [j, i]
            np.testing.assert_allclose(norms[example, start], np.linalg.norm(jacobian, 2), rtol=1e-6)


def test_zero_recurrent_kernel_forgets_immediately():
    states = np.random.default_rng(0).uniform(-0.5, 0.5, (1, 3, 2))
    norms = state_jacobian_norms(states, np.zeros((2, 2)))
    np.testing.assert_array_equal(norms, [[0.0, 0.0, 1.0]])


def test_memoryless_rnn_has_gradient_only_at_last_step():
    model = small_rnn_model()
    rnn = model.get_layer("rnn")
    kernel, _, bias = rnn.get_weights()
    rnn.set_weights([kernel, np.zeros((5, 5), "float32"), bias])  # W = 0: no memory
    x = np.random.default_rng(0).normal(size=(3, 4, 3)).astype("float32")
    norms = input_gradient_norms(model, x, np.array([0, 1, 2], dtype=np.uint8))  # MNIST labels are uint8
    assert norms.shape == (3, 4)
    np.testing.assert_array_equal(norms[:, :-1], 0.0)
    assert np.all(norms[:, -1] > 0)


def test_input_gradient_matches_finite_difference():
    model = small_rnn_model()
    x = np.random.default_rng(2).normal(size=(1, 4, 3)).astype("float64")
    norms = input_gradient_norms(model, x, np.array([1]))

    def log_p(inputs):
        return float(np.log(model(inputs.astype("float32")).numpy()[0, 1]))

    step, epsilon = 1, 1e-2
    gradient = np.zeros(3)
    for f in range(3):
        plus, minus = x.copy(), x.copy()
        plus[0, step, f] += epsilon
        minus[0, step, f] -= epsilon
        gradient[f] = (log_p(plus) - log_p(minus)) / (2 * epsilon)
    np.testing.assert_allclose(norms[0, step], np.linalg.norm(gradient), rtol=2e-2)


def test_bad_inputs_raise_clear_errors():
    weights = (np.zeros((3, 4)), np.zeros((4, 4)), np.zeros(4))
    with pytest.raises(TypeError, match="SimpleRNN"):
        simple_rnn_weights(keras.layers.Dense(3))
    with pytest.raises(ValueError, match="not built"):
        simple_rnn_weights(keras.layers.SimpleRNN(3))
    with pytest.raises(ValueError, match="batch, time steps, features"):
        simple_rnn_states(np.zeros((4, 3)), *weights)
    with pytest.raises(ValueError, match="kernel U"):
        simple_rnn_states(np.zeros((1, 2, 5)), *weights)
    with pytest.raises(ValueError, match="recurrent kernel W"):
        simple_rnn_states(np.zeros((1, 2, 3)), weights[0], np.zeros((3, 3)), weights[2])
    with pytest.raises(ValueError, match="bias b"):
        simple_rnn_states(np.zeros((1, 2, 3)), weights[0], weights[1], np.zeros(3))
    with pytest.raises(ValueError, match="initial_state"):
        simple_rnn_states(np.zeros((1, 2, 3)), *weights, initial_state=np.zeros((2, 4)))
    with pytest.raises(ValueError, match="states of shape"):
        state_jacobian_norms(np.zeros((2, 4)), np.zeros((4, 4)))
    with pytest.raises(ValueError, match="recurrent kernel must be"):
        state_jacobian_norms(np.zeros((1, 2, 4)), np.zeros((3, 3)))
    model = small_rnn_model()
    with pytest.raises(ValueError, match="batch, T, features"):
        input_gradient_norms(model, np.zeros((4, 3)), np.array([0]))
    with pytest.raises(ValueError, match="integer labels"):
        input_gradient_norms(model, np.zeros((2, 4, 3)), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="3 classes"):
        input_gradient_norms(model, np.zeros((1, 4, 3)), np.array([7]))


def test_geometric_shrinking_is_exact_and_fast():
    # W = 0.01 I and h = 0: each step back multiplies the norm by 0.01, down to 1e-198 after 99 steps;
    # without rescaling, the product's entries would pass through slow subnormal floats first
    steps, units = 100, 64
    norms = state_jacobian_norms(np.zeros((4, steps, units)), 0.01 * np.eye(units))
    distance = np.arange(steps - 1, -1, -1)
    np.testing.assert_allclose(norms, np.broadcast_to(0.01**distance, (4, steps)), rtol=1e-9)
