"""DCGAN training recipes side by side: which one reaches the best sample quality in a fixed number of epochs.

    python benchmarks/gan_recipes.py                       # every recipe, 6 epochs each (about an hour on two cores)
    python benchmarks/gan_recipes.py --recipes chapter tfgan --epochs 2

Recipes (all on the 60,000 MNIST training images, batch 64, latent size 64, XLA-compiled steps, seed 0):

- ``chapter``: chapter 08's DCGAN as it ships: batch norm in both networks, Adam(5e-4, beta_1=0.5) for both;
- ``tfgan``: the TF-GAN MNIST example's choices: generator learning rate 1e-3, discriminator 1e-4, and spectral
  normalisation in the discriminator instead of batch norm;
- ``topk``: ``chapter`` with top-k generator updates (Sinha et al. 2020): the generator learns only from the share
  of its batch that the discriminator rates most real, annealed from all of it to half (by 0.1 an epoch);
- ``tfgan_topk``: both.

Every recipe also keeps an exponential moving average of the generator's weights (decay 0.999 a step; Yazici et
al. 2019), updated inside the training step; it is scored beside the generator itself (mode ``ema``), so one run
measures a recipe with and without averaging.

After every epoch the samples (10,000 by default) are scored with chapter 02's classifier
(``dlnotes.sample_quality``, the "full" variant), twice: with the generator's batch norm in inference mode (its
moving statistics: how the chapter samples) and in training mode (the statistics of each batch of 500), and the
averaged generator in inference mode.
Writes benchmarks/results/gan_recipes.json with the machine, date and load.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from _results import write_result  # noqa: E402

RECIPES = ("chapter", "tfgan", "topk", "tfgan_topk")
EMA_DECAY = 0.999  # the averaged generator's horizon: about 1,000 steps, one epoch


def build(recipe: str, seed: int):
    import keras
    import tensorflow as tf

    from dlnotes.models.gan import GAN, dcgan_discriminator, dcgan_generator, generator_loss

    class TopKGAN(GAN):
        """The generator's loss over the ``top_k`` share of its batch that the discriminator rates most real."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.top_k = tf.Variable(1.0, trainable=False, dtype="float32")

        def generator_objective(self, generated_logits):
            batch_size = tf.cast(tf.shape(generated_logits)[0], "float32")
            k = tf.maximum(1, tf.cast(tf.math.ceil(self.top_k * batch_size), "int32"))
            most_convincing, _ = tf.math.top_k(tf.reshape(generated_logits, [-1]), k=k)
            return generator_loss(most_convincing, self.generator_loss)

    class AveragedGAN(TopKGAN):
        """Also keeps an exponential moving average of every generator variable (batch-norm statistics included)."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.averaged = keras.models.clone_model(self.generator)
            for average, variable in zip(self.averaged.variables, self.generator.variables):
                average.assign(variable)

        def train_step(self, data):
            logs = super().train_step(data)
            for average, variable in zip(self.averaged.variables, self.generator.variables):
                average.assign(EMA_DECAY * average + (1.0 - EMA_DECAY) * variable)
            return logs

    def spectral_discriminator(filters=(64, 128)):
        inputs = keras.Input(shape=(28, 28, 1))
        h = inputs
        for count in filters:
            conv = keras.layers.Conv2D(count, 4, strides=2, padding="same")
            h = keras.layers.LeakyReLU(0.2)(keras.layers.SpectralNormalization(conv)(h))
        outputs = keras.layers.SpectralNormalization(keras.layers.Dense(1))(keras.layers.Flatten()(h))
        return keras.Model(inputs, outputs, name="spectral_discriminator")

    keras.utils.set_random_seed(seed)
    generator = dcgan_generator(64, (128, 64))
    discriminator = spectral_discriminator() if recipe.startswith("tfgan") else dcgan_discriminator((64, 128))
    gan = AveragedGAN(generator, discriminator, seed=seed)  # top_k stays 1 (the whole batch) unless annealed
    g_rate, d_rate = (1e-3, 1e-4) if recipe.startswith("tfgan") else (5e-4, 5e-4)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(d_rate, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(g_rate, beta_1=0.5),
        jit_compile=True,
    )
    return gan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipes", nargs="+", choices=RECIPES, default=list(RECIPES))
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--eval-samples", type=int, default=10_000)
    parser.add_argument("--train-size", type=int, default=60_000, help="fewer images: a quick check of the script")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--name", default="gan_recipes", help="result file name (without .json)")
    args = parser.parse_args()

    import keras
    import numpy as np

    from dlnotes.data import load_mnist, to_unit_range
    from dlnotes.models.gan import from_tanh_range, to_tanh_range
    from dlnotes.sample_quality import SampleQuality, load_classifier

    (x_train, _), _ = load_mnist()
    classifier, info = load_classifier("full")
    quality = SampleQuality(classifier, to_unit_range(x_train))
    images = to_tanh_range(x_train[: args.train_size])[..., None]
    z = np.random.default_rng(args.seed + 1).standard_normal((args.eval_samples, 64)).astype("float32")

    def scores(generator, training: bool) -> dict:
        batches = [generator(z[i : i + 500], training=training) for i in range(0, len(z), 500)]
        generated = from_tanh_range(np.concatenate([keras.ops.convert_to_numpy(b) for b in batches])[..., 0])
        result = quality.evaluate(generated)
        return {"score": result["score"], "fid": result["fid"], "min_class_share": result["min_class_share"]}

    results = {}
    for recipe in args.recipes:
        gan = build(recipe, args.seed)
        rows = []
        for epoch in range(args.epochs):
            if recipe.endswith("topk"):
                gan.top_k.assign(max(0.5, 1.0 - 0.1 * epoch))
            wall, cpu = time.time(), time.process_time()
            gan.fit(images, initial_epoch=epoch, epochs=epoch + 1, batch_size=64, verbose=0)
            row = {"epoch": epoch + 1, "seconds": time.time() - wall, "cpu_seconds": time.process_time() - cpu,
                   "load_average_1min": os.getloadavg()[0], "inference": scores(gan.generator, False),
                   "training": scores(gan.generator, True), "ema": scores(gan.averaged, False)}
            rows.append(row)
            print(f"{recipe:>11} epoch {epoch + 1}: {row['seconds']:.0f} s (load {row['load_average_1min']:.1f}); "
                  + "; ".join(f"{mode} BN: score {row[mode]['score']:.2f}, FID {row[mode]['fid']:.2f}, "
                              f"min share {row[mode]['min_class_share']:.3f}" for mode in ("inference", "training", "ema")),
                  flush=True)
        results[recipe] = rows
    write_result(args.name, False, {"epochs": args.epochs, "eval_samples": args.eval_samples,
                             "classifier_test_accuracy": info["test_accuracy"], "recipes": results})


if __name__ == "__main__":
    main()
