"""A generative adversarial network with its own training step.

One training step draws noise ``z``, updates the discriminator on a real and a generated batch, then draws
new noise and updates the generator with the discriminator fixed (the losses: :mod:`.losses`). Images are
expected in [-1, 1] (the generators end with tanh; :mod:`.pixels` converts).
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from dlnotes.distribute import replica_share
from dlnotes.models.gan.losses import GENERATOR_LOSSES, discriminator_loss, generator_loss
from dlnotes.validation import number_in_range, optional_seed, positive_int


@keras.saving.register_keras_serializable(package="dlnotes")
class GAN(keras.Model):
    """Generator ``z -> image`` and discriminator ``image -> logit``, trained alternately by :meth:`fit`.

    Compile with ``gan.compile(d_optimizer=..., g_optimizer=...)``; fit on real images in [-1, 1]
    (no labels). ``gan(z)`` is the generator. Tracked metrics: ``d_loss``, ``g_loss`` and the mean
    discriminator outputs ``d_real`` = D(x) and ``d_fake`` = D(G(z)) (before the discriminator's update).

    Args:
        generator: a Keras model with one input of shape (batch, latent_dim).
        discriminator: a Keras model mapping generator-shaped images to one logit, shape (batch, 1).
        generator_loss: "non_saturating" (-log D(G(z)), the default) or "saturating" (log(1 - D(G(z)))).
        label_smoothing: the discriminator's target for real images is 1 - label_smoothing.
        seed: seed of the training noise.
    """

    def __init__(
        self,
        generator,
        discriminator,
        generator_loss: str = "non_saturating",
        label_smoothing: float = 0.0,
        seed: int | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        for name, part in [("generator", generator), ("discriminator", discriminator)]:
            if not isinstance(part, keras.Model):
                raise TypeError(f"GAN: {name} must be a keras.Model, got {type(part).__name__}")
        if len(generator.inputs) != 1 or len(generator.inputs[0].shape) != 2:
            raise ValueError(
                f"GAN: the generator must take one noise input of shape (batch, latent_dim), "
                f"it takes {[tuple(i.shape) for i in generator.inputs]}"
            )
        image_shape = tuple(generator.outputs[0].shape[1:])
        if tuple(discriminator.inputs[0].shape[1:]) != image_shape:
            raise ValueError(
                f"GAN: the discriminator takes images of shape {tuple(discriminator.inputs[0].shape[1:])}, "
                f"the generator makes {image_shape}"
            )
        if tuple(discriminator.outputs[0].shape[1:]) != (1,):
            raise ValueError(
                f"GAN: the discriminator must output one logit per image, shape (batch, 1), "
                f"it outputs {tuple(discriminator.outputs[0].shape)}"
            )
        if generator_loss not in GENERATOR_LOSSES:
            raise ValueError(f"GAN: generator_loss must be one of {GENERATOR_LOSSES}, got {generator_loss!r}")
        label_smoothing = number_in_range("GAN", "label_smoothing", label_smoothing, low=0, high=0.5)
        seed = optional_seed("GAN", seed)
        self.generator, self.discriminator = generator, discriminator
        self.latent_dim = int(generator.inputs[0].shape[-1])
        self.generator_loss, self.label_smoothing, self.seed = generator_loss, float(label_smoothing), seed
        self.noise_seed = keras.random.SeedGenerator(seed)
        self.trackers = {name: keras.metrics.Mean(name=name) for name in ["d_loss", "g_loss", "d_real", "d_fake"]}
        self.built = True  # both networks are built already; nothing depends on the input shape

    def compile(self, d_optimizer=None, g_optimizer=None, **kwargs):
        """Two optimizers, one per network (Adam(2e-4, beta_1=0.5), as in the DCGAN paper, by default)."""
        super().compile(**kwargs)
        self.d_optimizer = keras.optimizers.get(d_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5))
        self.g_optimizer = keras.optimizers.get(g_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5))

    def get_compile_config(self):
        if not self.compiled:
            return {}
        return {name: keras.saving.serialize_keras_object(getattr(self, name)) for name in ["d_optimizer", "g_optimizer"]}

    def compile_from_config(self, config):
        self.compile(**{name: keras.saving.deserialize_keras_object(value) for name, value in config.items()})
        # build the optimizers now so that their saved state (moments, step count) can be loaded into them
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)

    @property
    def metrics(self):
        return list(self.trackers.values())

    def call(self, z, training=False):
        return self.generator(z, training=training)

    def noise(self, batch_size):
        return keras.random.normal((batch_size, self.latent_dim), seed=self.noise_seed)

    def train_step(self, data):
        real = data[0] if isinstance(data, tuple) else data
        batch_size = keras.ops.shape(real)[0]

        # 1. the discriminator: push D(x) up and D(G(z)) down; the generator's weights stay fixed
        fake = self.generator(self.noise(batch_size), training=True)
        with tf.GradientTape() as tape:
            real_logits = self.discriminator(real, training=True)
            fake_logits = self.discriminator(fake, training=True)
            d_loss = discriminator_loss(real_logits, fake_logits, self.label_smoothing)
            d_share = replica_share(d_loss)  # several replicas: their gradients are summed
        d_variables = self.discriminator.trainable_variables
        self.d_optimizer.apply(tape.gradient(d_share, d_variables), d_variables)

        # 2. the generator, on fresh noise, through the just-updated discriminator (whose weights stay fixed)
        with tf.GradientTape() as tape:
            generated_logits = self.discriminator(self.generator(self.noise(batch_size), training=True), training=True)
            g_loss = self.generator_objective(generated_logits)
            g_share = replica_share(g_loss)
        g_variables = self.generator.trainable_variables
        self.g_optimizer.apply(tape.gradient(g_share, g_variables), g_variables)

        return self._update_trackers(d_loss, g_loss, real_logits, fake_logits)

    def generator_objective(self, generated_logits):
        """What the generator minimises on a batch, from the discriminator's logits on its images; a subclass may
        change it (benchmarks/gan_recipes.py learns from the most convincing samples only)."""
        return generator_loss(generated_logits, self.generator_loss)

    def test_step(self, data):
        real = data[0] if isinstance(data, tuple) else data
        real_logits = self.discriminator(real)
        fake_logits = self.discriminator(self.generator(self.noise(keras.ops.shape(real)[0])))
        d_loss = discriminator_loss(real_logits, fake_logits, self.label_smoothing)
        return self._update_trackers(d_loss, generator_loss(fake_logits, self.generator_loss), real_logits, fake_logits)

    def _update_trackers(self, d_loss, g_loss, real_logits, fake_logits):
        for name, value in [
            ("d_loss", d_loss),
            ("g_loss", g_loss),
            ("d_real", keras.ops.mean(keras.ops.sigmoid(real_logits))),
            ("d_fake", keras.ops.mean(keras.ops.sigmoid(fake_logits))),
        ]:
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    def generate(self, n: int, seed: int = 0, batch_size: int = 500) -> np.ndarray:
        """``n`` generated images (inference mode) as NumPy, from standard normal noise drawn with ``seed``."""
        n = positive_int("GAN.generate", "n", n)
        batch_size = positive_int("GAN.generate", "batch_size", batch_size)
        z = np.random.default_rng(seed).standard_normal((n, self.latent_dim)).astype("float32")
        # direct calls, not predict: predict compiles a function for every generator it meets, and a chapter that
        # measures a few generators in a row gets TensorFlow's "triggered tf.function retracing" warning
        batches = [self.generator(z[start : start + batch_size], training=False) for start in range(0, n, batch_size)]
        return np.concatenate([keras.ops.convert_to_numpy(batch) for batch in batches])

    def get_config(self):
        return {
            **super().get_config(),
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "generator_loss": self.generator_loss,
            "label_smoothing": self.label_smoothing,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for name in ["generator", "discriminator"]:
            config[name] = keras.saving.deserialize_keras_object(config[name])
        return cls(**config)
