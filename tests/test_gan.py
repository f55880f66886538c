"""The GAN: its losses against hand computation, the alternating training step, save/load, bad input."""

import keras
import numpy as np
import pytest

from dlnotes.models import GAN, build_dcgan, build_mlp_gan, dcgan_discriminator, dcgan_generator, mlp_discriminator, mlp_generator
from dlnotes.models.gan import TrainingSnapshots, discriminator_loss, from_tanh_range, generator_loss, to_tanh_range


def numpy_of(tensor):
    return keras.ops.convert_to_numpy(tensor)


def test_losses_match_the_log_formulas():
    real, fake = np.array([2.0, -1.0], "float32"), np.array([0.5, -3.0], "float32")
    d_real, d_fake = 1 / (1 + np.exp(-real)), 1 / (1 + np.exp(-fake))
    expected_d = -np.mean(np.log(d_real)) - np.mean(np.log(1 - d_fake))
    assert float(numpy_of(discriminator_loss(real, fake))) == pytest.approx(expected_d, rel=1e-5)
    assert float(numpy_of(generator_loss(fake))) == pytest.approx(-np.mean(np.log(d_fake)), rel=1e-5)
    assert float(numpy_of(generator_loss(fake, "saturating"))) == pytest.approx(np.mean(np.log(1 - d_fake)), rel=1e-5)
    # label smoothing: the real target becomes 0.9
    smoothed = -np.mean(0.9 * np.log(d_real) + 0.1 * np.log(1 - d_real)) - np.mean(np.log(1 - d_fake))
    assert float(numpy_of(discriminator_loss(real, fake, 0.1))) == pytest.approx(smoothed, rel=1e-5)


def test_losses_stay_finite_when_the_discriminator_saturates():
    # D(G(z)) = sigmoid(-200) underflows to 0 in float32; from logits, -log D is still 200
    assert float(numpy_of(generator_loss(np.array([-200.0], "float32")))) == pytest.approx(200.0, rel=1e-5)
    assert np.isfinite(float(numpy_of(discriminator_loss(np.array([-200.0], "float32"), np.array([200.0], "float32")))))


def test_tanh_range_round_trip():
    pixels = np.array([[0, 128, 255]], np.uint8)
    scaled = to_tanh_range(pixels)
    np.testing.assert_allclose(scaled, [[-1.0, 128 / 255 * 2 - 1, 1.0]], atol=1e-6)
    np.testing.assert_allclose(from_tanh_range(scaled), pixels / 255.0, atol=1e-6)
    with pytest.raises(ValueError, match=r"uint8 pixels or floats in \[0, 1\]"):
        to_tanh_range(np.array([0.0, 2.0]))


@pytest.mark.parametrize("builder", [build_mlp_gan, build_dcgan], ids=["mlp", "dcgan"])
def test_networks_have_the_right_shapes(builder):
    gan = builder(latent_dim=16, seed=0)
    images = numpy_of(gan(np.zeros((3, 16), "float32")))
    assert images.shape == (3, 28, 28, 1) and images.min() >= -1 and images.max() <= 1  # tanh output
    assert numpy_of(gan.discriminator(images)).shape == (3, 1)
    assert gan.latent_dim == 16


def two_blobs(n=512, seed=0):
    """A toy 'dataset' of 28x28 images: a bright square in one of two places, on a dark background."""
    rng = np.random.default_rng(seed)
    images = np.full((n, 28, 28, 1), -1.0, "float32")
    for i, corner in enumerate(rng.integers(0, 2, n)):
        images[i, 4:12, (4 if corner else 16) : (12 if corner else 24)] = 1.0
    return images


@pytest.mark.slow
def test_training_updates_both_networks_alternately_and_tracks_the_losses():
    keras.utils.set_random_seed(0)
    gan = GAN(mlp_generator(8, hidden=(64,)), mlp_discriminator(hidden=(64,)), seed=0)
    gan.compile(d_optimizer=keras.optimizers.Adam(5e-3, beta_1=0.5), g_optimizer=keras.optimizers.Adam(5e-3, beta_1=0.5))
    data = two_blobs()
    g_before, d_before = gan.generator.get_weights(), gan.discriminator.get_weights()
    background_before = gan.generate(200, seed=1)[:, 16:].mean()  # rows below both squares: -1 in every real image
    history = gan.fit(data, epochs=16, batch_size=64, verbose=0).history
    assert set(history) == {"d_loss", "g_loss", "d_real", "d_fake"}
    assert all(np.all(np.isfinite(values)) for values in history.values())
    assert gan.d_optimizer.iterations.numpy() == gan.g_optimizer.iterations.numpy() == 16 * 8  # one update each per step
    for before, after in [(g_before, gan.generator.get_weights()), (d_before, gan.discriminator.get_weights())]:
        assert max(np.abs(a - b).max() for a, b in zip(before, after)) > 1e-3
    # the only signal the generator gets is the discriminator's gradient; following it darkens the background
    background_after = gan.generate(200, seed=1)[:, 16:].mean()
    assert abs(background_before) < 0.05 and background_after < -0.2, (background_before, background_after)


@pytest.mark.slow
def test_the_discriminator_learns_to_tell_real_from_noise_with_a_frozen_generator():
    # with a generator learning rate of 0 only D moves: it must separate real squares from random outputs
    keras.utils.set_random_seed(1)
    gan = build_mlp_gan(latent_dim=8, seed=1)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.SGD(0.0))
    history = gan.fit(two_blobs(256), epochs=4, batch_size=64, verbose=0).history
    assert history["d_real"][-1] > 0.9 and history["d_fake"][-1] < 0.1
    assert history["d_loss"][-1] < 0.25 < history["g_loss"][-1]


@pytest.mark.slow
def test_saturating_loss_is_tracked_as_log_one_minus_d():
    keras.utils.set_random_seed(0)
    gan = build_mlp_gan(latent_dim=8, seed=0, generator_loss="saturating")
    gan.compile()
    logs = gan.fit(two_blobs(128), epochs=1, batch_size=64, verbose=0).history
    assert logs["g_loss"][-1] < 0  # log(1 - D) is negative


@pytest.mark.slow
def test_save_and_reload_gives_the_same_networks_and_optimizers(tmp_path):
    keras.utils.set_random_seed(0)
    gan = build_dcgan(latent_dim=8, generator_filters=(8, 4), discriminator_filters=(4, 8), seed=3, label_smoothing=0.1)
    gan.compile(d_optimizer=keras.optimizers.Adam(3e-4, beta_1=0.5), g_optimizer=keras.optimizers.Adam(1e-4, beta_1=0.5))
    data = two_blobs(64)
    gan.fit(data, epochs=1, batch_size=32, verbose=0)
    path = tmp_path / "gan.keras"
    gan.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded, GAN) and loaded.seed == 3 and loaded.label_smoothing == 0.1 and loaded.latent_dim == 8
    z = np.random.default_rng(0).standard_normal((5, 8)).astype("float32")
    np.testing.assert_allclose(numpy_of(loaded.generator(z)), numpy_of(gan.generator(z)), atol=1e-6)
    np.testing.assert_allclose(numpy_of(loaded.discriminator(data[:5])), numpy_of(gan.discriminator(data[:5])), atol=1e-5)
    assert float(loaded.d_optimizer.learning_rate) == pytest.approx(3e-4)
    assert float(loaded.g_optimizer.learning_rate) == pytest.approx(1e-4)
    assert loaded.d_optimizer.iterations.numpy() == gan.d_optimizer.iterations.numpy() == 2
    loaded.fit(data, epochs=1, batch_size=32, verbose=0)  # and training goes on from there
    assert loaded.g_optimizer.iterations.numpy() == 4


@pytest.mark.slow
def test_snapshots_keep_the_fixed_noise_images_per_epoch(capsys):
    keras.utils.set_random_seed(0)
    gan = build_mlp_gan(latent_dim=4, seed=0)
    gan.compile()
    noise = np.random.default_rng(0).standard_normal((6, 4)).astype("float32")
    snapshots = TrainingSnapshots(noise)
    gan.fit(two_blobs(64), epochs=2, batch_size=32, verbose=0, callbacks=[snapshots])
    assert len(snapshots.images) == 2 and snapshots.images[0].shape == (6, 28, 28, 1)
    np.testing.assert_allclose(snapshots.images[-1], numpy_of(gan.generator(noise)), atol=1e-6)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith("epoch   2") and "d_loss" in lines[1]
    with pytest.raises(ValueError, match=r"noise must have shape \(n, latent_dim\)"):
        TrainingSnapshots(np.zeros(4))


def test_gan_rejects_bad_parts_and_options():
    generator, discriminator = mlp_generator(4, (8,)), mlp_discriminator((8,))
    with pytest.raises(TypeError, match="discriminator must be a keras.Model"):
        GAN(generator, keras.layers.Dense(1))
    with pytest.raises(ValueError, match=r"the discriminator takes images of shape \(14, 14, 1\)"):
        GAN(generator, mlp_discriminator((8,), image_shape=(14, 14, 1)))
    two_logits = keras.Model(discriminator.inputs, keras.layers.Dense(2)(discriminator.outputs[0]))
    with pytest.raises(ValueError, match="one logit per image"):
        GAN(generator, two_logits)
    with pytest.raises(ValueError, match="generator_loss must be one of"):
        GAN(generator, discriminator, generator_loss="minimax")
    for smoothing in (0.7, True):  # True is not the number 1 here
        with pytest.raises(ValueError, match=r"label_smoothing must be a number in \[0, 0.5\)"):
            GAN(generator, discriminator, label_smoothing=smoothing)
    with pytest.raises(TypeError, match="seed must be an int or None"):
        GAN(generator, discriminator, seed="0")
    with pytest.raises(ValueError, match="kind must be one of"):
        generator_loss(np.zeros(2, "float32"), kind="wasserstein")
    with pytest.raises(ValueError, match="latent_dim must be a positive int"):
        dcgan_generator(0)
    with pytest.raises(ValueError, match="expected two filter counts"):
        dcgan_generator(4, filters=(8, 8, 8))
    with pytest.raises(ValueError, match="non-empty sequence of positive ints"):
        dcgan_discriminator(filters=(8, -1))
    with pytest.raises(ValueError, match=r"dcgan_discriminator: filters must be a non-empty sequence of positive ints, got \(\)"):
        dcgan_discriminator(filters=())
    with pytest.raises(ValueError, match="mlp_generator: hidden must be a sequence of positive ints"):
        mlp_generator(4, hidden=(8, 0))
    with pytest.raises(ValueError, match="n must be a positive int"):
        GAN(generator, discriminator).generate(0)
    with pytest.raises(ValueError, match="GAN.generate: batch_size must be a positive int, got 0"):
        GAN(generator, discriminator).generate(4, batch_size=0)


def test_generate_in_batches_equals_one_call_of_the_generator():
    generator, discriminator = mlp_generator(4, hidden=(8,)), mlp_discriminator(hidden=(8,))
    gan = GAN(generator, discriminator)
    z = np.random.default_rng(3).standard_normal((5, 4)).astype("float32")
    expected = keras.ops.convert_to_numpy(generator(z, training=False))
    np.testing.assert_allclose(gan.generate(5, seed=3, batch_size=2), expected, atol=1e-6)  # batches of 2, 2 and 1


def test_mlp_networks_without_a_hidden_layer_are_linear_maps():
    """``hidden=()``: the generator maps the noise straight to tanh pixels, the discriminator is logistic regression."""
    generator, discriminator = mlp_generator(4, hidden=()), mlp_discriminator(hidden=())
    assert [type(layer).__name__ for layer in generator.layers] == ["InputLayer", "Dense", "Reshape"]
    assert [type(layer).__name__ for layer in discriminator.layers] == ["InputLayer", "Flatten", "Dense"]
    assert discriminator.count_params() == 28 * 28 + 1


def test_the_notebooks_names_are_exported_by_dlnotes_models():
    import dlnotes.models
    import dlnotes.models.gan

    for name in ["build_dcgan", "build_mlp_gan", "build_vae", "mlp_decoder", "TrainingSnapshots", "to_tanh_range"]:
        assert name in dlnotes.models.__all__ and hasattr(dlnotes.models, name)
    assert dlnotes.models.gan.generator_loss is generator_loss and dlnotes.models.TrainingSnapshots is TrainingSnapshots
