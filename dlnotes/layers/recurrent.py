"""LSTM and GRU cells written from their equations, with the weight layout of Keras's LSTM and GRU layers.

Both cells plug into ``keras.layers.RNN`` and hold exactly the weights of
``keras.layers.LSTM`` / ``keras.layers.GRU`` (``kernel``, ``recurrent_kernel``,
``bias``; same gate order), so ``set_weights(get_weights())`` copies a trained
model either way. Each cell's :meth:`step` returns every intermediate quantity
by name; :func:`gate_activations` uses it to show what the gates do over a sequence.

Gate order in the weight columns (Keras's):

- LSTM: input ``i``, forget ``f``, candidate ``g``, output ``o``; bias ``(4 * units,)``.
- GRU: update ``z``, reset ``r``, candidate. With ``reset_after=True`` (Keras's default) the bias is
  ``(2, 3 * units)``, row 0 added to the input projection, row 1 to the recurrent one; with
  ``reset_after=False`` (Cho et al., 2014) it is one row ``(3 * units,)``.

Notation, as in chapter 03 and the sources: ``U`` multiplies the input (``kernel``), ``W`` the
previous hidden state (``recurrent_kernel``).

Kept to what the course needs: sigmoid gates, tanh, always a bias, no dropout
(Keras's cells have switches for all of these).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from dlnotes.validation import bool_flag, positive_int

__all__ = ["GRUCell", "LSTMCell", "gate_activations"]


def _check_step_shape(cell, input_shape) -> int:
    """The feature count of a step input ``(batch, features)``; a clear error for anything else."""
    shape = tuple(input_shape)
    if len(shape) != 2 or shape[-1] is None:
        raise ValueError(
            f"{type(cell).__name__}: a cell reads one time step, shape (batch, features) with a known "
            f"number of features, got shape {shape}. To read whole sequences (batch, time, features), "
            f"wrap the cell: keras.layers.RNN({type(cell).__name__}(units))."
        )
    return int(shape[-1])


def _check_inputs_match(cell, inputs) -> None:
    """Called at trace time: the static feature count must be the one the kernel was built for."""
    expected = cell.kernel.shape[0]
    if len(inputs.shape) != 2 or inputs.shape[-1] not in (None, expected):
        raise ValueError(
            f"{type(cell).__name__}: built for step inputs of shape (batch, {expected}), got shape {tuple(inputs.shape)}."
        )


class _GatedCell(keras.layers.Layer):
    """What both cells share: units, initializers, config and the input checks."""

    gate_count = 0  # weight column blocks: 4 for LSTM, 3 for GRU

    def __init__(
        self, units, kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros", **kwargs
    ):
        super().__init__(**kwargs)
        self.units = positive_int(type(self).__name__, "units", units)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.recurrent_initializer = keras.initializers.get(recurrent_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.output_size = self.units

    def build(self, input_shape):
        features = _check_step_shape(self, input_shape)
        width = self.gate_count * self.units
        # The names match Keras's, so a saved weight file reads the same in both.
        self.kernel = self.add_weight(shape=(features, width), initializer=self.kernel_initializer, name="kernel")
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, width), initializer=self.recurrent_initializer, name="recurrent_kernel"
        )
        self.bias = self.add_weight(shape=self.bias_shape(), initializer=self.initial_bias, name="bias")

    def call(self, inputs, states, training=False):
        _check_inputs_match(self, inputs)
        values = self.step(inputs, states)
        new_states = [values[name] for name in self.state_names]
        # Keras passes a lone state either bare or in a list; answer in the same form.
        if len(new_states) == 1 and not isinstance(states, (list, tuple)):
            new_states = new_states[0]
        return values["h"], new_states

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": keras.initializers.serialize(self.recurrent_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
        }


@keras.saving.register_keras_serializable(package="dlnotes")
class LSTMCell(_GatedCell):
    r"""One step of a long short-term memory (장단기 기억) network.

    .. math::
        i_t, f_t, o_t = \sigma(\cdot),\quad g_t = \tanh(x_t U_g + h_{t-1} W_g + b_g),\\
        S_t = f_t \odot S_{t-1} + i_t \odot g_t,\quad h_t = o_t \odot \tanh(S_t)

    where each gate is :math:`\sigma(x_t U_\ast + h_{t-1} W_\ast + b_\ast)`. States are
    ``[h, S]`` (Keras's ``[h, c]``). ``unit_forget_bias=True`` starts the forget gate's
    bias at 1, as Keras does, so that the cell remembers by default.
    """

    gate_count = 4
    state_names = ("h", "S")

    def __init__(self, units, unit_forget_bias=True, **kwargs):
        super().__init__(units, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.state_size = [self.units, self.units]

    def bias_shape(self):
        return (4 * self.units,)

    def initial_bias(self, shape, dtype=None):
        bias = self.bias_initializer(shape, dtype=dtype)
        if self.unit_forget_bias:
            # columns [units, 2 * units) belong to the forget gate
            offset = ops.concatenate([ops.zeros((self.units,)), ops.ones((self.units,)), ops.zeros((2 * self.units,))])
            bias = bias + ops.cast(offset, bias.dtype)
        return bias

    def step(self, inputs, states):
        """One time step; returns every quantity of the equations by name (gates i, f, g, o; states S, h)."""
        h_prev, s_prev = states[0], states[1]
        # One matrix product for all four gates, then split: the same arithmetic as Keras, so the same numbers.
        z = ops.matmul(inputs, self.kernel) + ops.matmul(h_prev, self.recurrent_kernel) + self.bias
        z_i, z_f, z_g, z_o = ops.split(z, 4, axis=-1)
        i, f, o = ops.sigmoid(z_i), ops.sigmoid(z_f), ops.sigmoid(z_o)
        g = ops.tanh(z_g)
        s = f * s_prev + i * g
        h = o * ops.tanh(s)
        return {"i": i, "f": f, "g": g, "o": o, "S": s, "h": h}

    def get_config(self):
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}


@keras.saving.register_keras_serializable(package="dlnotes")
class GRUCell(_GatedCell):
    r"""One step of a gated recurrent unit (GRU), in either of Keras's two forms.

    .. math::
        z_t = \sigma(x_t U_z + h_{t-1} W_z + b_z),\quad r_t = \sigma(x_t U_r + h_{t-1} W_r + b_r),\\
        h_t = z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t

    and the candidate :math:`\tilde h_t`, with the reset gate applied after the matrix product
    (``reset_after=True``, Keras's default, the form of cuDNN) or before it (``reset_after=False``,
    Cho et al. 2014):

    .. math::
        \tilde h_t = \tanh\big(x_t U_h + b_h + r_t \odot (h_{t-1} W_h + b'_h)\big)
        \quad\text{or}\quad
        \tilde h_t = \tanh\big(x_t U_h + (r_t \odot h_{t-1}) W_h + b_h\big)

    The update gate ``z`` keeps the old state (like LSTM's forget gate) and ``1 - z``
    lets the candidate in (like the input gate); the reset gate ``r`` decides how much
    of the old state the candidate sees. One state, three weight blocks instead of four;
    ``reset_after=True`` adds the second bias :math:`b'` (one per block).
    """

    gate_count = 3
    state_names = ("h",)

    def __init__(self, units, reset_after=True, **kwargs):
        super().__init__(units, **kwargs)
        # True: Keras's default, the reset gate after the recurrent matrix product; False: Cho et al. (2014), before it
        self.reset_after = bool_flag("GRUCell", "reset_after", reset_after)
        self.state_size = self.units

    def bias_shape(self):
        if self.reset_after:
            return (2, 3 * self.units)  # row 0: input bias, row 1: recurrent bias (Keras's layout)
        return (3 * self.units,)  # one bias, added to the input projection (Keras's layout)

    def initial_bias(self, shape, dtype=None):
        return self.bias_initializer(shape, dtype=dtype)

    def step(self, inputs, states):
        """One time step; returns the update gate z, reset gate r, candidate and new state h by name."""
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        input_bias = self.bias[0] if self.reset_after else self.bias
        x_z, x_r, x_h = ops.split(ops.matmul(inputs, self.kernel) + input_bias, 3, axis=-1)
        if self.reset_after:  # one product h W for all three blocks; r scales the candidate's block afterwards
            h_z, h_r, h_h = ops.split(ops.matmul(h_prev, self.recurrent_kernel) + self.bias[1], 3, axis=-1)
        else:  # h W for the two gates only: the candidate's W_h multiplies r * h, which needs r first
            h_z, h_r = ops.split(ops.matmul(h_prev, self.recurrent_kernel[:, : 2 * self.units]), 2, axis=-1)
        z = ops.sigmoid(x_z + h_z)
        r = ops.sigmoid(x_r + h_r)
        if self.reset_after:
            candidate = ops.tanh(x_h + r * h_h)
        else:
            candidate = ops.tanh(x_h + ops.matmul(r * h_prev, self.recurrent_kernel[:, 2 * self.units :]))
        h = z * h_prev + (1.0 - z) * candidate
        return {"z": z, "r": r, "candidate": candidate, "h": h}

    def get_config(self):
        return {**super().get_config(), "reset_after": self.reset_after}


def gate_activations(cell_or_layer, sequences) -> dict[str, np.ndarray]:
    """Run a built cell over ``sequences`` (batch, time, features) and keep every step's gates.

    ``cell_or_layer`` is an :class:`LSTMCell` or :class:`GRUCell`, or a ``keras.layers.RNN``
    wrapping one. Returns ``{name: array (batch, time, units)}`` with the names of the cell's
    :meth:`step` (LSTM: i, f, g, o, S, h; GRU: z, r, candidate, h). Runs eagerly, step by
    step: meant for looking at a few sequences, not for training.
    """
    cell = getattr(cell_or_layer, "cell", cell_or_layer)
    if not isinstance(cell, (LSTMCell, GRUCell)):
        raise TypeError(
            f"gate_activations: expected a dlnotes LSTMCell or GRUCell (or keras.layers.RNN wrapping one), "
            f"got {type(cell_or_layer).__name__}"
        )
    if not cell.built:
        raise ValueError("gate_activations: the cell has no weights yet; call or build the model first")
    sequences = np.asarray(sequences, dtype="float32")
    features = cell.kernel.shape[0]
    if sequences.ndim != 3 or sequences.shape[-1] != features or 0 in sequences.shape[:2]:
        raise ValueError(
            f"gate_activations: expected sequences of shape (batch, time, {features}) with batch, time >= 1, "
            f"got shape {sequences.shape}"
        )
    batch = sequences.shape[0]
    states = [ops.zeros((batch, size)) for size in np.atleast_1d(cell.state_size)]
    steps = []
    for t in range(sequences.shape[1]):
        values = cell.step(ops.convert_to_tensor(sequences[:, t]), states)
        states = [values[name] for name in cell.state_names]
        steps.append({name: ops.convert_to_numpy(value) for name, value in values.items()})
    return {name: np.stack([step[name] for step in steps], axis=1) for name in steps[0]}
