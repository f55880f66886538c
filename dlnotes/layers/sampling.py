"""The reparameterisation trick as a layer: z = mu + sigma * epsilon, epsilon ~ N(0, I)."""

from __future__ import annotations

import keras

from dlnotes.validation import optional_seed


@keras.saving.register_keras_serializable(package="dlnotes")
class Sampling(keras.layers.Layer):
    """Draw ``z = z_mean + exp(z_log_var / 2) * epsilon`` from ``[z_mean, z_log_var]``.

    Sampling this way keeps the randomness in ``epsilon``, outside the network, so the
    gradient flows through ``z_mean`` and ``z_log_var`` (Kingma and Welling, 2014).

    Args:
        seed: seed of the layer's own random stream (None: drawn from Keras's global seed).
    """

    def __init__(self, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed = optional_seed("Sampling", seed)
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError("Sampling: expected inputs [z_mean, z_log_var]")
        z_mean, z_log_var = inputs
        if tuple(z_mean.shape) != tuple(z_log_var.shape):
            raise ValueError(
                f"Sampling: z_mean and z_log_var must have the same shape, got {tuple(z_mean.shape)} and {tuple(z_log_var.shape)}"
            )
        epsilon = keras.random.normal(keras.ops.shape(z_mean), seed=self.seed_generator)
        return z_mean + keras.ops.exp(0.5 * z_log_var) * epsilon

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}
