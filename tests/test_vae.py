"""Sampling and the VAE: the formulas against hand computation, training, save/load, bad input."""

import keras
import numpy as np
import pytest

from dlnotes.layers import Sampling
from dlnotes.models import VAE, build_vae, fit_binarized_vae, mlp_decoder, mlp_encoder
from dlnotes.models.vae import bernoulli_nll, importance_weighted_nll, kl_to_standard_normal


def binary_images(n=64, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.random((n, 28, 28)) < 0.2).astype("float32")


def test_sampling_has_the_requested_mean_and_spread():
    layer = Sampling(seed=1)
    mean = np.full((20000, 2), [1.0, -2.0], dtype="float32")
    log_var = np.full((20000, 2), np.log([0.25, 4.0]), dtype="float32")
    z = keras.ops.convert_to_numpy(layer([mean, log_var]))
    np.testing.assert_allclose(z.mean(axis=0), [1.0, -2.0], atol=0.05)
    np.testing.assert_allclose(z.std(axis=0), [0.5, 2.0], rtol=0.03)


def test_sampling_rejects_bad_inputs():
    with pytest.raises(ValueError, match=r"expected inputs \[z_mean, z_log_var\]"):
        Sampling()(np.zeros((2, 3), "float32"))
    with pytest.raises(ValueError, match="same shape"):
        Sampling()([np.zeros((2, 3), "float32"), np.zeros((2, 4), "float32")])
    with pytest.raises(TypeError, match="seed must be an int or None"):
        Sampling(seed="1")


def test_kl_matches_the_closed_form_by_hand():
    mean, log_var = np.array([[0.5, -1.0]], "float32"), np.array([[0.0, np.log(2.0)]], "float32")
    by_hand = 0.5 * ((0.25 + 1 - 1 - 0) + (1.0 + 2.0 - 1 - np.log(2.0)))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(kl_to_standard_normal(mean, log_var)), [by_hand], rtol=1e-5)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(kl_to_standard_normal(np.zeros((1, 3)), np.zeros((1, 3)))), [0.0])


def test_bernoulli_nll_sums_over_pixels():
    x = np.array([[[1.0, 0.0]]], "float32")
    p = np.array([[[0.8, 0.4]]], "float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(bernoulli_nll(x, p)), [-np.log(0.8) - np.log(0.6)], rtol=1e-4)


def test_fit_binarized_vae_trains_on_fresh_coins_with_a_decaying_rate():
    keras.utils.set_random_seed(0)
    vae = build_vae(latent_dim=2, hidden=(64,), seed=0)
    grey = np.random.default_rng(1).random((256, 28, 28)).astype("float32") * 0.4  # pixel probabilities
    history = fit_binarized_vae(vae, grey, epochs=4, batch_size=64, learning_rate=2e-3)
    losses = history.history["loss"]
    assert len(losses) == 4 and losses[-1] < losses[0] - 20, "the negative ELBO falls (from about 543 nats)"
    assert int(vae.optimizer.iterations) == 16
    assert float(vae.optimizer.learning_rate) == pytest.approx(2e-4, rel=1e-3), "the cosine ends at a tenth of the rate"


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"vae": "not a model"}, TypeError, "dlnotes.models.VAE"),
        ({"epochs": 0}, ValueError, "epochs must be a positive int"),
        ({"learning_rate": -1.0}, ValueError, "learning_rate must be a positive"),
    ],
)
def test_fit_binarized_vae_rejects_bad_arguments(kwargs, error, message):
    arguments = {"vae": build_vae(latent_dim=2, hidden=(8,)), "images": np.zeros((4, 28, 28), "float32"), "epochs": 1}
    with pytest.raises(error, match=message):
        fit_binarized_vae(**{**arguments, **kwargs})


@pytest.mark.slow  # trains a model
def test_training_lowers_the_negative_elbo_and_tracks_its_terms():
    keras.utils.set_random_seed(0)
    vae = build_vae(latent_dim=2, hidden=(64,), seed=0)
    vae.compile(optimizer=keras.optimizers.Adam(1e-3))
    x = binary_images(256)
    before = vae.evaluate(x, verbose=0, return_dict=True)
    history = vae.fit(x, epochs=5, batch_size=64, verbose=0)
    after = vae.evaluate(x, verbose=0, return_dict=True)
    assert set(history.history) == {"loss", "reconstruction", "kl"}
    assert after["loss"] < before["loss"] - 50  # starts near 784 * log 2 = 543 nats
    assert after["loss"] == pytest.approx(after["reconstruction"] + after["kl"], rel=1e-4)


@pytest.mark.slow  # trains a model
def test_save_and_reload_gives_the_same_encoder_and_decoder(tmp_path):
    keras.utils.set_random_seed(0)
    vae = build_vae(latent_dim=3, hidden=(32,), seed=4, beta=0.5)
    vae.compile(optimizer="adam")
    x = binary_images(8)
    vae.fit(x, epochs=1, verbose=0)
    path = tmp_path / "vae.keras"
    vae.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded, VAE) and loaded.beta == 0.5 and loaded.seed == 4
    for original, reloaded in zip(vae.encoder(x), loaded.encoder(x)):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(original), keras.ops.convert_to_numpy(reloaded), atol=1e-6)
    z = np.ones((2, 3), "float32")
    decoded, decoded_again = (keras.ops.convert_to_numpy(model.decoder(z)) for model in (vae, loaded))
    np.testing.assert_allclose(decoded, decoded_again, atol=1e-6)


def test_sampling_round_trips_through_its_config():
    clone = Sampling.from_config(Sampling(seed=3, name="s").get_config())
    assert clone.seed == 3 and clone.name == "s"


def test_vae_rejects_bad_parts():
    encoder, decoder = mlp_encoder(2, (8,)), mlp_decoder(2, (8,))
    with pytest.raises(TypeError, match="decoder must be a keras.Model"):
        VAE(encoder, keras.layers.Dense(3))
    single = keras.Model(encoder.inputs, encoder.outputs[0])
    with pytest.raises(ValueError, match=r"must output \[z_mean, z_log_var\], it has 1 output"):
        VAE(single, decoder)
    with pytest.raises(ValueError, match="beta must be a non-negative number"):
        VAE(encoder, decoder, beta=-1)
    with pytest.raises(ValueError, match="latent_dim must be a positive int"):
        build_vae(0)
    for hidden in [(0,), (8, True), "64", (size for size in (8,))]:  # a string or a generator is not a list of sizes
        with pytest.raises(ValueError, match="mlp_encoder: hidden must be a sequence of positive ints, got"):
            mlp_encoder(2, hidden=hidden)
    with pytest.raises(ValueError, match="mlp_decoder: latent_dim must be a positive int, got True"):
        mlp_decoder(True)
    with pytest.raises(ValueError, match="beta must be a non-negative number, got nan"):
        VAE(encoder, decoder, beta=float("nan"))


def tiny_vae(decoder_kernel, decoder_bias):
    """A VAE with a 1-D latent and 4 binary pixels: p(x) is a 1-D integral that quadrature computes exactly."""
    inputs = keras.Input(shape=(4,))
    encoder = keras.Model(inputs, [keras.layers.Dense(1, name="z_mean")(inputs), keras.layers.Dense(1, name="z_log_var")(inputs)])
    z = keras.Input(shape=(1,))
    pixels = keras.layers.Dense(4, activation="sigmoid")
    decoder = keras.Model(z, pixels(z))
    pixels.set_weights([np.array([decoder_kernel], "float32"), np.array(decoder_bias, "float32")])
    return VAE(encoder, decoder, seed=0)


def exact_nll(x, kernel, bias):
    """-log p(x) = -log of the integral of N(z; 0, 1) prod_i Bernoulli(x_i; sigmoid(kernel_i z + bias_i)) dz."""
    z = np.linspace(-12, 12, 48_001)[:, None]
    p = 1 / (1 + np.exp(-(z * np.array(kernel) + np.array(bias))))
    likelihood = np.prod(np.where(np.array(x) == 1, p, 1 - p), axis=1)
    prior = np.exp(-0.5 * z[:, 0] ** 2) / np.sqrt(2 * np.pi)
    return -np.log(np.sum(likelihood * prior) * (z[1, 0] - z[0, 0]))


def test_importance_weighted_nll_reaches_the_exact_marginal_likelihood():
    keras.utils.set_random_seed(0)
    kernel, bias = [3.0, -2.0, 1.5, 0.5], [0.5, -1.0, 0.0, 1.0]
    vae = tiny_vae(kernel, bias)
    x = np.array([[1, 0, 1, 1], [0, 1, 0, 0], [1, 1, 1, 1]], "float32")
    expected = [exact_nll(image, kernel, bias) for image in x]
    estimated = importance_weighted_nll(vae, x, k=20_000, seed=1)
    np.testing.assert_allclose(estimated, expected, atol=0.02)


def test_importance_weighted_bound_tightens_with_k_and_beats_the_elbo():
    keras.utils.set_random_seed(0)
    vae = build_vae(latent_dim=2, hidden=(32,), seed=0)
    vae.compile()
    x = binary_images(40)
    by_k = {k: importance_weighted_nll(vae, x, k=k, seed=2).mean() for k in [1, 10, 200]}
    elbo = vae.evaluate(x, verbose=0, return_dict=True)["loss"]
    assert by_k[1] == pytest.approx(elbo, rel=0.05)  # k = 1 is a one-sample negative ELBO
    assert by_k[1] > by_k[10] > by_k[200]


def test_importance_weighted_nll_repeats_with_its_seed():
    vae = build_vae(latent_dim=2, hidden=(8,), seed=0)
    x = binary_images(5)
    first, again = (importance_weighted_nll(vae, x, k=7, images_per_batch=2, seed=3) for _ in range(2))
    np.testing.assert_array_equal(first, again)
    assert first.shape == (5,)


def test_importance_weighted_nll_rejects_bad_input():
    vae = build_vae(latent_dim=2, hidden=(8,), seed=0)
    x = binary_images(3)
    with pytest.raises(TypeError, match="expected a dlnotes VAE"):
        importance_weighted_nll(vae.decoder, x, k=5)
    with pytest.raises(ValueError, match="k must be a positive int"):
        importance_weighted_nll(vae, x, k=0)
    with pytest.raises(ValueError, match="images_per_batch must be a positive int"):
        importance_weighted_nll(vae, x, k=5, images_per_batch=1.5)
    with pytest.raises(ValueError, match="seed must be a non-negative int"):
        importance_weighted_nll(vae, x, k=5, seed=-1)
    with pytest.raises(ValueError, match=r"images of shape \(28, 28\), got an array of shape \(3, 784\)"):
        importance_weighted_nll(vae, x.reshape(3, 784), k=5)
    with pytest.raises(ValueError, match="must be binary"):
        importance_weighted_nll(vae, x * 0.5, k=5)
