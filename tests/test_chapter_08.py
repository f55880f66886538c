"""Chapter 08 in FAST mode: the ruler for samples works, both GANs learn, losses stay finite, under a minute."""

import math

import pytest

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def metrics(run_fast):
    return run_fast("08").metrics


def test_the_non_saturating_loss_has_the_larger_gradient_early(metrics):
    # at D(G(z)) = 0.01 the gradients are 1 - D = 0.99 and D = 0.01
    assert metrics["gradient_ratio_at_d_001"] == pytest.approx(99, rel=0.05)


def test_the_classifier_is_accurate_and_scores_real_digits_high(metrics):
    assert metrics["classifier_accuracy"] > 0.95
    assert metrics["real_score"] > 8.0  # 10 is the most ten classes can give; the FAST classifier is less sure


def test_generated_samples_are_further_from_the_data_than_real_ones(metrics):
    for name in ["mlp_gan_fid", "dcgan_fid"]:
        assert metrics[name] > metrics["real_fid"], name


def test_both_gans_learn_in_fast_mode(metrics):
    # an untrained generator's samples are far from digits; a few hundred steps already move towards them
    assert metrics["mlp_gan_fid"] < 0.9 * metrics["untrained_fid"]
    assert metrics["dcgan_fid"] < 0.8 * metrics["untrained_fid"]


def test_losses_are_finite_and_samples_cover_several_classes(metrics):
    for name in ["mlp_gan_final_d_loss", "dcgan_final_d_loss"]:
        assert math.isfinite(metrics[name]) and 0 < metrics[name] < 5, name
    assert metrics["dcgan_score"] > 1.3, "a score near 1 means all samples look alike"
