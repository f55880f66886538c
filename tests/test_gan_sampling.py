"""Sampling that trades diversity for quality: narrowed and truncated noise, discriminator rejection sampling."""

import keras
import numpy as np
import pytest

from dlnotes.models import GAN
from dlnotes.models.gan import acceptance_logits, latent_noise, rejection_sample


def test_latent_noise_is_the_training_distribution_by_default_and_narrows_with_sigma():
    z = latent_noise(20_000, 8, seed=1)
    assert z.shape == (20_000, 8) and z.dtype == np.float32
    assert z.std() == pytest.approx(1.0, abs=0.02)
    assert latent_noise(20_000, 8, sigma=0.5, seed=1).std() == pytest.approx(0.5, abs=0.01)
    np.testing.assert_array_equal(latent_noise(5, 3, seed=2), latent_noise(5, 3, seed=2))


def test_truncated_noise_stays_inside_the_threshold_and_keeps_its_centre():
    z = latent_noise(5_000, 4, sigma=2.0, threshold=1.0, seed=3)
    assert np.abs(z).max() <= 2.0  # threshold 1 in units of sigma 2
    # a standard normal truncated to [-1, 1] has standard deviation 0.538; times sigma
    assert z.std() == pytest.approx(2.0 * 0.538, abs=0.03)
    assert abs(z.mean()) < 0.05


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n": 0}, "n must be a positive int, got 0"),
        ({"sigma": 0}, "sigma must be a positive"),
        ({"threshold": 0.01}, "threshold"),
    ],
)
def test_latent_noise_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        latent_noise(**{"n": 4, "latent_dim": 2, **kwargs})


def test_acceptance_probability_is_exp_of_the_logit_gap_when_gamma_is_zero():
    logits = np.array([-3.0, -1.0, 0.5, 2.0])
    probability = 1 / (1 + np.exp(-acceptance_logits(logits, max_logit=2.0, gamma=0.0)))
    np.testing.assert_allclose(probability, np.exp(logits - 2.0), rtol=1e-4)
    # gamma shifts every sample's logit of acceptance down by the same amount
    np.testing.assert_allclose(acceptance_logits(logits, 2.0, 1.5), acceptance_logits(logits, 2.0, 0.0) - 1.5)


def brightness_gan():
    """A GAN whose 'images' are its 2-D noise, and whose discriminator's logit is 3 times the first component."""
    generator = keras.Sequential([keras.Input((2,)), keras.layers.Identity()])
    discriminator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, use_bias=False)])
    discriminator.layers[-1].set_weights([np.array([[3.0], [0.0]], "float32")])
    return GAN(generator, discriminator, seed=0)


def test_rejection_sampling_keeps_what_the_discriminator_prefers():
    gan = brightness_gan()
    mild, mild_rate = rejection_sample(gan, 2_000, keep_quantile=0.5, burn_in=2_000, seed=0, batch_size=2_000)
    strict, strict_rate = rejection_sample(gan, 2_000, keep_quantile=0.9, burn_in=2_000, seed=0, batch_size=2_000)
    assert mild.shape == strict.shape == (2_000, 2)
    # the logit depends on the first component only: kept samples move up along it, and the second is untouched
    assert 0.3 < mild[:, 0].mean() < strict[:, 0].mean()
    assert abs(strict[:, 1].mean()) < 0.1 and strict[:, 1].std() == pytest.approx(1.0, abs=0.1)
    assert 0 < strict_rate < mild_rate < 1


def test_rejection_sampling_stops_instead_of_looping_for_ever():
    with pytest.raises(RuntimeError, match="raise max_draws"):
        rejection_sample(brightness_gan(), 1_000, keep_quantile=1.0, burn_in=500, max_draws=1_000, seed=0)
    with pytest.raises(TypeError, match="dlnotes.models.GAN"):
        rejection_sample(keras.Sequential([keras.Input((2,)), keras.layers.Identity()]), 10)
    with pytest.raises(ValueError, match="keep_quantile"):
        rejection_sample(brightness_gan(), 10, keep_quantile=1.5)
