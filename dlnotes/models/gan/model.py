"""A generative adversarial network with its own training step, and the networks of an MLP GAN and a DCGAN.

The discriminator ``D`` outputs a logit ``l`` (``D(x) = sigmoid(l)``); working with logits keeps
``log D`` and ``log(1 - D)`` finite when ``D`` saturates:

    -log D(x)       = softplus(-l)
    -log(1 - D(x))  = softplus(l)

One training step draws noise ``z``, updates ``D`` on a real and a generated batch, then draws new
noise and updates ``G`` with the discriminator fixed. The generator's loss is either the minimax one,
``log(1 - D(G(z)))`` ("saturating"), or the one used in practice, ``-log D(G(z))`` ("non_saturating").
Images are expected in [-1, 1] (the generators end with tanh); :func:`to_tanh_range` and
:func:`from_tanh_range` convert.
"""

from __future__ import annotations

import time

import keras
import numpy as np
import tensorflow as tf

from dlnotes.distribute import replica_share

GENERATOR_LOSSES = ("non_saturating", "saturating")


def discriminator_loss(real_logits, fake_logits, label_smoothing: float = 0.0):
    """-E[log D(x)] - E[log(1 - D(G(z)))], from logits; ``label_smoothing`` lowers the real target to 1 - s."""
    if not 0.0 <= label_smoothing < 0.5:
        raise ValueError(f"discriminator_loss: label_smoothing must be in [0, 0.5), got {label_smoothing!r}")
    target = 1.0 - label_smoothing
    on_real = target * keras.ops.softplus(-real_logits) + (1.0 - target) * keras.ops.softplus(real_logits)
    return keras.ops.mean(on_real) + keras.ops.mean(keras.ops.softplus(fake_logits))


def generator_loss(fake_logits, kind: str = "non_saturating"):
    """What the generator minimises: -E[log D(G(z))] (non_saturating) or E[log(1 - D(G(z)))] (saturating)."""
    if kind == "non_saturating":
        return keras.ops.mean(keras.ops.softplus(-fake_logits))
    if kind == "saturating":
        return -keras.ops.mean(keras.ops.softplus(fake_logits))
    raise ValueError(f"generator_loss: kind must be one of {GENERATOR_LOSSES}, got {kind!r}")


def to_tanh_range(images):
    """uint8 pixels 0..255 (or floats 0..1) -> float32 in [-1, 1], the range of a tanh generator."""
    images = np.asarray(images)
    scale = 255.0 if images.dtype == np.uint8 else 1.0
    if images.dtype != np.uint8 and images.size and (images.min() < 0 or images.max() > 1):
        raise ValueError(
            f"to_tanh_range: expected uint8 pixels or floats in [0, 1], got values in [{images.min():.3g}, {images.max():.3g}]"
        )
    return (images.astype("float32") / scale * 2.0 - 1.0).astype("float32")


def from_tanh_range(images):
    """Generator output in [-1, 1] -> float32 pixels in [0, 1] (clipped)."""
    return np.clip((np.asarray(images, dtype="float32") + 1.0) / 2.0, 0.0, 1.0)


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
        if not isinstance(label_smoothing, (int, float)) or not 0.0 <= label_smoothing < 0.5:
            raise ValueError(f"GAN: label_smoothing must be a number in [0, 0.5), got {label_smoothing!r}")
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise TypeError(f"GAN: seed must be an int or None, got {seed!r}")
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
            g_loss = generator_loss(generated_logits, self.generator_loss)
            g_share = replica_share(g_loss)
        g_variables = self.generator.trainable_variables
        self.g_optimizer.apply(tape.gradient(g_share, g_variables), g_variables)

        return self._update_trackers(d_loss, g_loss, real_logits, fake_logits)

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
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise ValueError(f"GAN.generate: n must be a positive int, got {n!r}")
        z = np.random.default_rng(seed).standard_normal((n, self.latent_dim)).astype("float32")
        return self.generator.predict(z, batch_size=batch_size, verbose=0)

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


class TrainingSnapshots(keras.callbacks.Callback):
    """After every epoch: the generator's images for a fixed noise batch (in ``images``), and one progress line.

    Watching the same ``z`` over training shows what the generator learns, and whether its outputs
    all drift to the same picture (mode collapse).
    """

    def __init__(self, noise, verbose: bool = True):
        super().__init__()
        noise = np.asarray(noise, dtype="float32")
        if noise.ndim != 2 or len(noise) == 0:
            raise ValueError(f"TrainingSnapshots: noise must have shape (n, latent_dim), got {noise.shape}")
        self.noise, self.verbose = noise, verbose
        self.images: list[np.ndarray] = []
        self._start = None

    def on_train_begin(self, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.images.append(keras.ops.convert_to_numpy(self.model.generator(self.noise, training=False)))
        if self.verbose:
            numbers = "  ".join(f"{name} {value:.3f}" for name, value in (logs or {}).items())
            print(f"epoch {epoch + 1:>3}  {numbers}  ({time.perf_counter() - self._start:.0f} s)", flush=True)


# --- the networks ------------------------------------------------------------------------------------------------

IMAGE_SHAPE = (28, 28, 1)


def mlp_generator(latent_dim: int = 64, hidden=(256, 512), image_shape=IMAGE_SHAPE) -> keras.Model:
    """Dense LeakyReLU layers of the ``hidden`` sizes, then tanh pixels reshaped to ``image_shape``."""
    _check_sizes(latent_dim=latent_dim, hidden=hidden)
    inputs = keras.Input(shape=(latent_dim,))
    h = inputs
    for units in hidden:
        h = keras.layers.LeakyReLU(0.2)(keras.layers.Dense(units)(h))
    pixels = int(np.prod(image_shape))
    outputs = keras.layers.Reshape(image_shape)(keras.layers.Dense(pixels, activation="tanh")(h))
    return keras.Model(inputs, outputs, name="mlp_generator")


def mlp_discriminator(hidden=(512, 256), image_shape=IMAGE_SHAPE, dropout: float = 0.3) -> keras.Model:
    """Flatten, Dense LeakyReLU layers with dropout, one logit."""
    _check_sizes(hidden=hidden)
    inputs = keras.Input(shape=image_shape)
    h = keras.layers.Flatten()(inputs)
    for units in hidden:
        h = keras.layers.Dropout(dropout)(keras.layers.LeakyReLU(0.2)(keras.layers.Dense(units)(h)))
    return keras.Model(inputs, keras.layers.Dense(1, name="logit")(h), name="mlp_discriminator")


def dcgan_generator(latent_dim: int = 64, filters=(128, 64), kernel_size: int = 4) -> keras.Model:
    """z -> project to 7x7x``filters[0]`` -> strided transposed convolutions up to 28x28x1 (tanh).

    The DCGAN guidelines: no pooling and no dense hidden layer (the only dense layer is the projection of z),
    BatchNorm after every layer but the output, ReLU inside, tanh at the output.
    """
    _check_sizes(latent_dim=latent_dim, hidden=filters)
    if len(filters) != 2:
        raise ValueError(f"dcgan_generator: expected two filter counts (7x7 and 14x14 maps), got {filters!r}")
    inputs = keras.Input(shape=(latent_dim,))
    h = keras.layers.Dense(7 * 7 * filters[0], use_bias=False)(inputs)  # BatchNorm's shift replaces the bias
    h = keras.layers.ReLU()(keras.layers.BatchNormalization(momentum=0.9)(h))
    h = keras.layers.Reshape((7, 7, filters[0]))(h)
    h = keras.layers.Conv2DTranspose(filters[1], kernel_size, strides=2, padding="same", use_bias=False)(h)  # 14x14
    h = keras.layers.ReLU()(keras.layers.BatchNormalization(momentum=0.9)(h))
    outputs = keras.layers.Conv2DTranspose(1, kernel_size, strides=2, padding="same", activation="tanh")(h)  # 28x28
    return keras.Model(inputs, outputs, name="dcgan_generator")


def dcgan_discriminator(filters=(64, 128), kernel_size: int = 4, image_shape=IMAGE_SHAPE) -> keras.Model:
    """Strided convolutions 28 -> 14 -> 7 with LeakyReLU(0.2), BatchNorm on all but the first, then one logit."""
    _check_sizes(hidden=filters)
    inputs = keras.Input(shape=image_shape)
    h = inputs
    for index, count in enumerate(filters):
        h = keras.layers.Conv2D(count, kernel_size, strides=2, padding="same", use_bias=index == 0)(h)
        if index > 0:  # not on the input layer, as in the paper
            h = keras.layers.BatchNormalization(momentum=0.9)(h)
        h = keras.layers.LeakyReLU(0.2)(h)
    outputs = keras.layers.Dense(1, name="logit")(keras.layers.Flatten()(h))
    return keras.Model(inputs, outputs, name="dcgan_discriminator")


def build_mlp_gan(latent_dim: int = 64, seed: int | None = None, **gan_options) -> GAN:
    """An MLP GAN for 28x28 images: :func:`mlp_generator` and :func:`mlp_discriminator` with their defaults."""
    return GAN(mlp_generator(latent_dim), mlp_discriminator(), seed=seed, **gan_options)


def build_dcgan(
    latent_dim: int = 64, generator_filters=(128, 64), discriminator_filters=(64, 128), seed: int | None = None, **gan_options
) -> GAN:
    """A DCGAN for 28x28 images: :func:`dcgan_generator` and :func:`dcgan_discriminator`."""
    return GAN(
        dcgan_generator(latent_dim, generator_filters), dcgan_discriminator(discriminator_filters), seed=seed, **gan_options
    )


def _check_sizes(latent_dim=1, hidden=(1,)):
    if not isinstance(latent_dim, int) or isinstance(latent_dim, bool) or latent_dim < 1:
        raise ValueError(f"latent_dim must be a positive int, got {latent_dim!r}")
    if not isinstance(hidden, (tuple, list)) or not hidden or not all(isinstance(h, int) and h > 0 for h in hidden):
        raise ValueError(f"layer sizes must be a non-empty sequence of positive ints, got {hidden!r}")
