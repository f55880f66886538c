"""Look inside a trained SimpleRNN: its recurrence by hand, and how gradients travel back through time.

The recurrence of ``keras.layers.SimpleRNN`` in row-vector form (a batch of row vectors, as Keras
stores its weights) is

    h_t = tanh(x_t U + h_{t-1} W + b),   U = kernel (F, H), W = recurrent_kernel (H, H), b = bias (H,)

:func:`simple_rnn_states` computes it in NumPy, :func:`state_jacobian_norms` the size of
dh_T/dh_t (backpropagation through time by hand), and :func:`input_gradient_norms` how much each
time step of the input moves a model's prediction (by automatic differentiation).
"""

from __future__ import annotations

import numpy as np

from dlnotes._threads import one_blas_thread


def simple_rnn_weights(layer) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(U, W, b)`` of a built ``keras.layers.SimpleRNN``: kernel (F, H), recurrent kernel (H, H), bias (H,).

    A layer built without a bias returns zeros for ``b``.
    """
    import keras

    if not isinstance(layer, keras.layers.SimpleRNN):
        raise TypeError(f"simple_rnn_weights: expected a keras.layers.SimpleRNN, got {type(layer).__name__}")
    if not layer.built:
        raise ValueError("simple_rnn_weights: the layer is not built yet; call it on an input or build its model first")
    cell = layer.cell
    kernel = np.asarray(cell.kernel.numpy(), dtype=np.float64)
    recurrent = np.asarray(cell.recurrent_kernel.numpy(), dtype=np.float64)
    bias = np.asarray(cell.bias.numpy(), dtype=np.float64) if cell.use_bias else np.zeros(recurrent.shape[1])
    return kernel, recurrent, bias


def _check_recurrence(name: str, x, kernel, recurrent, bias):
    x, kernel, recurrent, bias = (np.asarray(a, dtype=np.float64) for a in (x, kernel, recurrent, bias))
    if x.ndim != 3:
        raise ValueError(f"{name}: expected inputs of shape (batch, time steps, features), got {x.shape}")
    if kernel.ndim != 2 or kernel.shape[0] != x.shape[2]:
        raise ValueError(f"{name}: kernel U must be ({x.shape[2]}, units) for {x.shape[2]} features, got {kernel.shape}")
    units = kernel.shape[1]
    if recurrent.shape != (units, units):
        raise ValueError(f"{name}: recurrent kernel W must be ({units}, {units}), got {recurrent.shape}")
    if bias.shape != (units,):
        raise ValueError(f"{name}: bias b must be ({units},), got {bias.shape}")
    return x, kernel, recurrent, bias


def simple_rnn_states(x, kernel, recurrent, bias, initial_state=None) -> np.ndarray:
    """All hidden states of the SimpleRNN recurrence, computed in float64 NumPy.

    Args:
        x: inputs (batch, T, F).
        kernel, recurrent, bias: U (F, H), W (H, H), b (H,), e.g. from :func:`simple_rnn_weights`.
        initial_state: h_0 (batch, H); zeros (as in Keras) when None.

    Returns:
        h_1 ... h_T as an array (batch, T, H); its last step is what ``SimpleRNN`` returns.
    """
    x, kernel, recurrent, bias = _check_recurrence("simple_rnn_states", x, kernel, recurrent, bias)
    batch, steps, units = x.shape[0], x.shape[1], kernel.shape[1]
    if initial_state is None:
        h = np.zeros((batch, units))
    else:
        h = np.asarray(initial_state, dtype=np.float64)
        if h.shape != (batch, units):
            raise ValueError(f"simple_rnn_states: initial_state must be ({batch}, {units}), got {h.shape}")
    states = np.empty((batch, steps, units))
    for t in range(steps):
        h = np.tanh(x[:, t] @ kernel + h @ recurrent + bias)
        states[:, t] = h
    return states


def state_jacobian_norms(states, recurrent) -> np.ndarray:
    """Spectral norm of dh_T/dh_t for every t, by the chain rule through the recurrence.

    One step back multiplies by the Jacobian dh_k/dh_{k-1} = W diag(1 - h_k^2) (row-vector form), so
    dh_T/dh_t = M_{t+1} M_{t+2} ... M_T with M_k = W diag(1 - h_k^2). The norm says how much a change of
    the state at step t can still move the last state: it shrinks (vanishing gradient) or grows
    (exploding gradient) with the distance T - t.

    Args:
        states: h_1 ... h_T (batch, T, H), e.g. from :func:`simple_rnn_states`.
        recurrent: W (H, H).

    Returns:
        (batch, T) array; column t (0-based) is ||dh_T/dh_{t+1}||_2, so the last column is 1.
    """
    states, recurrent = np.asarray(states, dtype=np.float64), np.asarray(recurrent, dtype=np.float64)
    if states.ndim != 3:
        raise ValueError(f"state_jacobian_norms: expected states of shape (batch, T, units), got {states.shape}")
    units = states.shape[2]
    if recurrent.shape != (units, units):
        raise ValueError(f"state_jacobian_norms: recurrent kernel must be ({units}, {units}), got {recurrent.shape}")
    batch, steps = states.shape[:2]
    product = np.broadcast_to(np.eye(units), (batch, units, units)).copy()  # dh_T/dh_T
    # The product shrinks (or grows) geometrically; once its entries become subnormal floats every
    # matrix product is ~100 times slower. So keep it at unit scale and carry the scale as a logarithm.
    log_scale = np.zeros(batch)
    norms = np.empty((batch, steps))
    norms[:, -1] = 1.0
    with one_blas_thread():
        for t in range(steps - 1, 0, -1):  # product becomes dh_T/dh_{t} (1-based: step t, array index t-1)
            step_jacobian = recurrent[None, :, :] * (1.0 - states[:, t, None, :] ** 2)  # M_{t+1}
            product = step_jacobian @ product
            size = np.linalg.norm(product, axis=(1, 2))  # Frobenius: cheap, and >= the spectral norm
            size = np.where(size > 0, size, 1.0)  # an all-zero product stays zero
            product /= size[:, None, None]
            log_scale += np.log(size)
            # largest singular value = sqrt of the largest eigenvalue of P^T P; LAPACK's SVD is slow on these
            # nearly rank-one products, the symmetric eigensolver is not
            gram = np.swapaxes(product, 1, 2) @ product
            largest = np.sqrt(np.maximum(np.linalg.eigvalsh(gram)[:, -1], 0.0))
            norms[:, t - 1] = largest * np.exp(log_scale)
    return norms


def input_gradient_norms(model, x, labels) -> np.ndarray:
    """||d log p(label | x) / d x_t||_2 for every example and time step: how much each step moves the prediction.

    Args:
        model: a Keras model mapping (batch, T, F) to class probabilities (batch, classes).
        x: inputs (batch, T, F).
        labels: the class whose log-probability is differentiated, (batch,) ints.

    Returns:
        (batch, T) float array.
    """
    import tensorflow as tf

    x = np.asarray(x, dtype=np.float32)
    labels = np.asarray(labels)
    if x.ndim != 3:
        raise ValueError(f"input_gradient_norms: expected inputs of shape (batch, T, features), got {x.shape}")
    if labels.shape != (len(x),) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"input_gradient_norms: expected {len(x)} integer labels, got {labels.dtype} {labels.shape}")
    labels = labels.astype(np.int64)  # tf.gather takes no uint8 (MNIST's label type)
    inputs = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        probabilities = model(inputs, training=False)
        if probabilities.shape[-1] is not None and labels.size and labels.max() >= probabilities.shape[-1]:
            raise ValueError(f"input_gradient_norms: label {labels.max()} but the model has {probabilities.shape[-1]} classes")
        chosen = tf.gather(probabilities, labels, axis=1, batch_dims=1)
        log_probability = tf.math.log(chosen + 1e-12)  # the epsilon keeps a saturated softmax finite
    gradients = tape.gradient(log_probability, inputs)
    return np.linalg.norm(gradients.numpy(), axis=2)
