"""Chapter 07 in FAST mode: the VAE learns, a larger latent space explains the data better, a fixed prior samples well."""

import pytest

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def metrics(run_fast):
    return run_fast("07").metrics


def test_vae_learns_in_fast_mode(metrics):
    # an untrained VAE sits near 784 * log 2 = 543 nats per image (dynamically binarised digits, 3 short epochs)
    assert metrics["neg_elbo_2d"] < 220
    assert metrics["neg_elbo_large"] < 210
    # the importance-weighted estimate (first 200 test digits) is a bound at least as tight as the ELBO
    assert metrics["vae_iw_nll_large"] < metrics["neg_elbo_large"] + 5


def test_larger_latent_stores_more_and_explains_more(metrics):
    assert metrics["neg_elbo_large"] < metrics["neg_elbo_2d"]
    assert metrics["kl_large"] > metrics["kl_2d"]


def test_vae_code_is_on_the_prior_scale(metrics):
    assert 0.3 < metrics["vae_code_std"] < 1.5


def test_a_fixed_prior_or_a_fitted_density_reaches_more_digits_than_n01_through_a_plain_autoencoder(metrics):
    # coverage: mean squared distance from a real test digit to the nearest of 1,000 decoded samples (lower is better)
    assert metrics["ae_fitted_sample_coverage"] < metrics["ae_prior_sample_coverage"]
    assert metrics["vae_prior_sample_coverage"] < metrics["ae_prior_sample_coverage"]
    assert metrics["real_digit_coverage"] < metrics["vae_prior_sample_coverage"]
