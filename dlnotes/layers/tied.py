"""A decoder layer whose kernel is the transpose of an encoder ``Dense`` layer's kernel (tied weights).

An autoencoder with encoder ``h = f(x W + b)`` and decoder ``x' = g(h W^T + c)`` learns ``W`` once and
uses it twice, which halves the number of weights to learn (biases aside). :class:`TiedDense` is the
decoder half: it owns only its bias ``c`` and reads the encoder's kernel at every call, so the gradient
of the reconstruction loss reaches ``W`` through both paths.

Saving: the encoder layer is part of the config. Inside a ``model.save`` / ``keras.saving.load_model``
round trip Keras's object-sharing scope gives the reloaded ``TiedDense`` the *same* reloaded encoder
layer, so the weights stay tied after loading. Deserialised on its own (``TiedDense.from_config``
outside a model), the layer gets a fresh copy of the encoder instead.
"""

from __future__ import annotations

import keras

from dlnotes.validation import bool_flag


@keras.saving.register_keras_serializable(package="dlnotes")
class TiedDense(keras.layers.Layer):
    """``activation(inputs @ tied_to.kernel^T + bias)``: a ``Dense`` layer run backwards with its own bias.

    Args:
        tied_to: the encoder ``keras.layers.Dense`` layer whose kernel (shape ``(n_in, n_out)``) is
            reused; this layer maps ``n_out`` features back to ``n_in``.
        activation: activation of the output (name or callable), e.g. ``"sigmoid"`` for pixels in [0, 1].
        use_bias: whether to add this layer's own bias vector (length ``n_in``).
        bias_initializer: initializer of that bias.
    """

    def __init__(self, tied_to, activation=None, use_bias=True, bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        if not isinstance(tied_to, keras.layers.Dense):
            raise TypeError(
                f"TiedDense: tied_to must be a keras.layers.Dense layer (the encoder layer whose kernel is reused), "
                f"got {type(tied_to).__name__}"
            )
        # Stored without Keras's attribute tracking: the kernel belongs to the encoder layer, so it is
        # listed (and counted, and saved) once, there, and this layer's own weights are just its bias.
        object.__setattr__(self, "_tied_to", tied_to)
        self.activation = keras.activations.get(activation)
        self.use_bias = bool_flag("TiedDense", "use_bias", use_bias)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.input_spec = keras.layers.InputSpec(min_ndim=2)

    @property
    def tied_to(self):
        """The encoder ``Dense`` layer whose kernel this layer uses transposed."""
        return self._tied_to

    @property
    def kernel(self):
        """The shared kernel, shape ``(units of tied_to, inputs of tied_to)`` as this layer sees it: a transposed view."""
        self._check_tied_built()
        return keras.ops.transpose(self._tied_to.kernel)

    @property
    def units(self) -> int:
        """Output size: the input size of the encoder layer."""
        self._check_tied_built()
        return int(self._tied_to.kernel.shape[0])

    def _check_tied_built(self):
        if not self._tied_to.built:
            raise ValueError(
                f"TiedDense {self.name!r}: the encoder layer {self._tied_to.name!r} is not built yet; "
                "call it on its input (or build the encoder) before building the tied decoder layer"
            )

    def build(self, input_shape):
        self._check_tied_built()
        n_in, n_out = (int(d) for d in self._tied_to.kernel.shape)
        if input_shape[-1] is not None and input_shape[-1] != n_out:
            raise ValueError(
                f"TiedDense {self.name!r}: inputs must have {n_out} features (the units of {self._tied_to.name!r}), "
                f"got input shape {tuple(input_shape)}"
            )
        self.bias = self.add_weight(name="bias", shape=(n_in,), initializer=self.bias_initializer) if self.use_bias else None
        self.input_spec = keras.layers.InputSpec(min_ndim=2, axes={-1: n_out})

    def call(self, inputs):
        # x @ W^T without materialising the transpose as a variable
        outputs = keras.ops.matmul(inputs, keras.ops.transpose(self._tied_to.kernel))
        if self.bias is not None:
            outputs = outputs + self.bias
        return self.activation(outputs)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "tied_to": keras.saving.serialize_keras_object(self._tied_to),
            "activation": keras.activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["tied_to"] = keras.saving.deserialize_keras_object(config["tied_to"])
        return cls(**config)
