"""Chapter 07 in FAST mode: the VAE learns, a larger latent space explains the data better."""

import pytest

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def metrics(run_fast):
    return run_fast("07").metrics


def test_vae_learns_in_fast_mode(metrics):
    # an untrained VAE sits near 784 * log 2 = 543 nats per image
    assert metrics["neg_elbo_2d"] < 200
    assert metrics["neg_elbo_large"] < 190


def test_larger_latent_stores_more_and_explains_more(metrics):
    assert metrics["neg_elbo_large"] < metrics["neg_elbo_2d"]
    assert metrics["kl_large"] > metrics["kl_2d"]


def test_vae_code_is_on_the_prior_scale(metrics):
    assert 0.3 < metrics["vae_code_std"] < 1.5
