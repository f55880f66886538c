"""A variational autoencoder with its own training step.

The loss is the negative ELBO in nats per image, for binary pixels:

    -ELBO(x) = E_q[-log p(x | z)] + KL(q(z | x) || N(0, I))
             = sum over pixels of binary cross-entropy  +  -1/2 sum_j (1 + log s_j^2 - m_j^2 - s_j^2)

with the expectation estimated from one sample of z (the reparameterisation trick,
:class:`dlnotes.layers.Sampling`). The model tracks the two terms and their sum.
:func:`importance_weighted_nll` estimates -log p(x) itself, the number the literature reports.
"""

from __future__ import annotations

import math

import keras
import numpy as np
import tensorflow as tf

from dlnotes.distribute import replica_share
from dlnotes.layers.sampling import Sampling
from dlnotes.validation import layer_sizes, non_negative_int, number_in_range, optional_seed, positive_int, positive_number


def kl_to_standard_normal(z_mean, z_log_var):
    """KL(N(z_mean, exp(z_log_var)) || N(0, I)) per example, summed over latent dimensions."""
    return -0.5 * keras.ops.sum(1 + z_log_var - keras.ops.square(z_mean) - keras.ops.exp(z_log_var), axis=-1)


def bernoulli_nll(x, probabilities):
    """-log p(x | probabilities) per example for pixels in [0, 1], summed over every pixel."""
    per_pixel = keras.ops.binary_crossentropy(x, probabilities)
    return keras.ops.sum(keras.ops.reshape(per_pixel, (keras.ops.shape(x)[0], -1)), axis=-1)


def log_normal_density(z, mean, log_var):
    """log N(z; mean, diag exp(log_var)) per example, summed over the last axis."""
    return -0.5 * keras.ops.sum(math.log(2 * math.pi) + log_var + keras.ops.square(z - mean) / keras.ops.exp(log_var), axis=-1)


@keras.saving.register_keras_serializable(package="dlnotes")
class VAE(keras.Model):
    """Encoder ``x -> [z_mean, z_log_var]``, :class:`Sampling`, decoder ``z -> pixel probabilities``.

    Args:
        encoder: a Keras model with two outputs of shape (batch, latent_dim).
        decoder: a Keras model mapping (batch, latent_dim) to probabilities shaped like the input.
        beta: weight of the KL term (1 gives the ELBO; other values a beta-VAE).
        seed: seed of the sampling noise.
    """

    def __init__(self, encoder, decoder, beta: float = 1.0, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        for name, part in [("encoder", encoder), ("decoder", decoder)]:
            if not isinstance(part, keras.Model):
                raise TypeError(f"VAE: {name} must be a keras.Model, got {type(part).__name__}")
        if len(encoder.outputs) != 2:
            raise ValueError(f"VAE: the encoder must output [z_mean, z_log_var], it has {len(encoder.outputs)} output(s)")
        self.encoder, self.decoder = encoder, decoder
        self.beta, self.seed = number_in_range("VAE", "beta", beta, low=0), optional_seed("VAE", seed)
        self.sampling = Sampling(seed=seed)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction")
        self.kl_tracker = keras.metrics.Mean(name="kl")

    @property
    def metrics(self):
        return [self.loss_tracker, self.reconstruction_tracker, self.kl_tracker]

    def call(self, inputs, training=False):
        z_mean, z_log_var = self.encoder(inputs, training=training)
        return self.decoder(self.sampling([z_mean, z_log_var]), training=training)

    def loss_terms(self, x, training=False):
        """Per-example reconstruction and KL terms of the negative ELBO."""
        z_mean, z_log_var = self.encoder(x, training=training)
        probabilities = self.decoder(self.sampling([z_mean, z_log_var]), training=training)
        return bernoulli_nll(x, probabilities), kl_to_standard_normal(z_mean, z_log_var)

    def _update_trackers(self, reconstruction, kl):
        self.loss_tracker.update_state(reconstruction + kl)  # the negative ELBO, whatever beta is
        self.reconstruction_tracker.update_state(reconstruction)
        self.kl_tracker.update_state(kl)
        return {m.name: m.result() for m in self.metrics}

    def train_step(self, data):
        x = data[0] if isinstance(data, tuple) else data
        with tf.GradientTape() as tape:
            reconstruction, kl = self.loss_terms(x, training=True)
            loss = replica_share(keras.ops.mean(reconstruction + self.beta * kl))  # inside the tape
        gradients = tape.gradient(loss, self.trainable_weights)
        self.optimizer.apply(gradients, self.trainable_weights)
        return self._update_trackers(reconstruction, kl)

    def test_step(self, data):
        x = data[0] if isinstance(data, tuple) else data
        return self._update_trackers(*self.loss_terms(x))

    def get_config(self):
        return {
            **super().get_config(),
            "encoder": keras.saving.serialize_keras_object(self.encoder),
            "decoder": keras.saving.serialize_keras_object(self.decoder),
            "beta": self.beta,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["encoder"] = keras.saving.deserialize_keras_object(config["encoder"])
        config["decoder"] = keras.saving.deserialize_keras_object(config["decoder"])
        return cls(**config)


def importance_weighted_nll(vae: VAE, x, k: int, images_per_batch: int = 20, seed: int = 0) -> np.ndarray:
    """The importance-weighted estimate of -log p(x) in nats, one per image (Burda et al., 2016).

    With k samples z_1..z_k from the encoder's q(z | x) and weights w_i = p(x | z_i) p(z_i) / q(z_i | x),

        -log p(x) ~ -log (1/k sum_i w_i).

    Its expectation is an upper bound on -log p(x) that tightens as k grows; k = 1 is the single-sample negative
    ELBO. The literature's numbers use k = 5,000 on the whole test set.

    Args:
        vae: a trained :class:`VAE` with a Bernoulli decoder.
        x: binary images (zeros and ones) shaped like the decoder's output, with a leading batch axis.
        k: importance samples per image.
        images_per_batch: images whose k samples are decoded in one call (memory: images_per_batch * k images).
        seed: seed of the samples, so that an estimate repeats.
    """
    if not isinstance(vae, VAE):
        raise TypeError(f"importance_weighted_nll: expected a dlnotes VAE, got {type(vae).__name__}")
    k = positive_int("importance_weighted_nll", "k", k)
    images_per_batch = positive_int("importance_weighted_nll", "images_per_batch", images_per_batch)
    seed = non_negative_int("importance_weighted_nll", "seed", seed)
    x = np.asarray(x, dtype="float32")
    image_shape = tuple(vae.decoder.output.shape[1:])
    if x.ndim != len(image_shape) + 1 or tuple(x.shape[1:]) != image_shape or len(x) == 0:
        raise ValueError(
            f"importance_weighted_nll: expected a non-empty batch of images of shape {image_shape}, "
            f"got an array of shape {x.shape}"
        )
    if not np.all((x == 0) | (x == 1)):
        raise ValueError(
            "importance_weighted_nll: the images must be binary (zeros and ones) for a Bernoulli likelihood; "
            "binarise them first (dlnotes.data.binarize)"
        )
    rng = np.random.default_rng(seed)
    estimates = []
    for start in range(0, len(x), images_per_batch):
        batch = x[start : start + images_per_batch]
        z_mean, z_log_var = (keras.ops.convert_to_numpy(t) for t in vae.encoder(batch, training=False))
        n, latent_dim = z_mean.shape
        epsilon = rng.standard_normal((n, k, latent_dim), dtype=np.float32)
        z = z_mean[:, None] + np.exp(0.5 * z_log_var)[:, None] * epsilon  # (n, k, latent_dim)
        probabilities = vae.decoder(z.reshape(n * k, latent_dim), training=False)
        repeated = np.repeat(batch, k, axis=0)  # image i once for each of its k samples
        log_likelihood = -keras.ops.convert_to_numpy(bernoulli_nll(repeated, probabilities)).reshape(n, k)
        log_prior = keras.ops.convert_to_numpy(log_normal_density(z, 0.0, np.zeros_like(z)))
        log_posterior = keras.ops.convert_to_numpy(log_normal_density(z, z_mean[:, None], z_log_var[:, None]))
        log_weights = (log_likelihood + log_prior - log_posterior).astype(np.float64)
        peak = log_weights.max(axis=1, keepdims=True)  # log-sum-exp without overflow
        log_mean_weight = peak[:, 0] + np.log(np.mean(np.exp(log_weights - peak), axis=1))
        estimates.append(-log_mean_weight)
    return np.concatenate(estimates)


def mlp_encoder(latent_dim: int, hidden=(512, 256), input_shape=(28, 28)) -> keras.Model:
    """Flatten, ReLU layers of the ``hidden`` sizes, then two linear heads: z_mean and z_log_var."""
    latent_dim, hidden = _check_sizes("mlp_encoder", latent_dim, hidden)
    inputs = keras.Input(shape=input_shape)
    h = keras.layers.Flatten()(inputs)
    for units in hidden:
        h = keras.layers.Dense(units, activation="relu")(h)
    z_mean = keras.layers.Dense(latent_dim, name="z_mean")(h)
    z_log_var = keras.layers.Dense(latent_dim, name="z_log_var")(h)
    return keras.Model(inputs, [z_mean, z_log_var], name="encoder")


def mlp_decoder(latent_dim: int, hidden=(256, 512), output_shape=(28, 28)) -> keras.Model:
    """ReLU layers of the ``hidden`` sizes, then a sigmoid per pixel, reshaped to ``output_shape``."""
    latent_dim, hidden = _check_sizes("mlp_decoder", latent_dim, hidden)
    inputs = keras.Input(shape=(latent_dim,))
    h = inputs
    for units in hidden:
        h = keras.layers.Dense(units, activation="relu")(h)
    pixels = 1
    for size in output_shape:
        pixels *= size
    outputs = keras.layers.Reshape(output_shape)(keras.layers.Dense(pixels, activation="sigmoid")(h))
    return keras.Model(inputs, outputs, name="decoder")


def build_vae(latent_dim: int, hidden=(512, 256), seed: int | None = None, beta: float = 1.0) -> VAE:
    """An MLP VAE for 28x28 images; the decoder mirrors the encoder's hidden sizes."""
    return VAE(mlp_encoder(latent_dim, hidden), mlp_decoder(latent_dim, tuple(reversed(hidden))), beta=beta, seed=seed)


def _check_sizes(where: str, latent_dim, hidden) -> tuple[int, tuple[int, ...]]:
    return positive_int(where, "latent_dim", latent_dim), layer_sizes(where, "hidden", hidden, allow_empty=True)


def fit_binarized_vae(
    vae: VAE,
    images,
    epochs: int,
    batch_size: int = 128,
    learning_rate: float = 1e-3,
    seed: int = 0,
    jit_compile: bool = False,
    name: str | None = None,
    retrain: bool = False,
):
    """Chapter 07's recipe: compile ``vae`` with Adam whose learning rate decays along a cosine from
    ``learning_rate`` to a tenth of it, and fit it on freshly binarised ``images`` every epoch
    (:func:`dlnotes.data.dynamically_binarized`), through the model cache (:func:`dlnotes.model_cache.fit`:
    ``name`` labels it, ``retrain`` trains even when it is cached). Returns the Keras ``History``."""
    from dlnotes import model_cache
    from dlnotes.data import dynamically_binarized

    if not isinstance(vae, VAE):
        raise TypeError(f"fit_binarized_vae: vae must be a dlnotes.models.VAE, got {type(vae).__name__}")
    epochs = positive_int("fit_binarized_vae", "epochs", epochs)
    batch_size = positive_int("fit_binarized_vae", "batch_size", batch_size)
    learning_rate = positive_number("fit_binarized_vae", "learning_rate", learning_rate)
    steps = epochs * -(-len(images) // batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, steps, alpha=0.1)
    vae.compile(optimizer=keras.optimizers.Adam(schedule), jit_compile=jit_compile)
    pipeline = dynamically_binarized(images, batch_size, seed=seed)
    # shuffle=False: the pipeline draws a new order every epoch itself (Keras would only warn that it cannot shuffle it)
    return model_cache.fit(vae, pipeline, epochs=epochs, shuffle=False, name=name, retrain=retrain,
                           data_key=(images, batch_size, seed))
