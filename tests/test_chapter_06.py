"""Chapter 06 in FAST mode: every autoencoder learns, the linear one finds PCA, tying halves the weights."""

import pytest

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def metrics(run_fast):
    return run_fast("06").metrics


def test_pca_baseline_is_in_the_published_range(metrics):
    # FAST fits PCA on 5,000 training images and tests on 2,000; the full-data value is 13.87
    assert 13.0 < metrics["pca30_sq_error"] < 16.0


def test_autoencoders_learn_far_beyond_the_mean_image(metrics):
    # answering the mean image scores about 50; an untrained or broken autoencoder scores that or worse
    ceiling = 0.6 * metrics["mean_image_sq_error"]
    for name in ["plain_sq_error", "tied_sq_error", "deep30_sq_error", "sparse_sq_error", "conv_sq_error"]:
        assert metrics[name] < ceiling, name
    assert metrics["plain_mse"] == pytest.approx(metrics["plain_sq_error"] / 784, rel=1e-4)
    assert metrics["code2_sq_error"] < metrics["mean_image_sq_error"]


def test_linear_autoencoder_matches_pca(metrics):
    assert abs(metrics["linear_vs_pca_relative_gap"]) < 0.1
    assert metrics["linear_pca_subspace_overlap"] > 0.85


def test_tied_weights_halve_the_kernel_parameters(metrics):
    assert metrics["untied_params"] == 2 * 784 * 32 + 32 + 784
    assert metrics["tied_params"] == 784 * 32 + 32 + 784


def test_denoising_autoencoder_cleans_noisy_digits_better(metrics):
    assert metrics["denoising_mse_on_noisy"] < metrics["plain_mse_on_noisy"]


def test_sparse_penalty_switches_code_units_off(metrics):
    assert metrics["sparse_active_units_per_digit"] < 0.8 * metrics["unpenalised_active_units_per_digit"]


def test_convolutional_autoencoder_keeps_most_weights_in_its_dense_code_layers(metrics):
    # the chapter's text quotes these counts: 9,569 weights in filters, 91% in the two dense layers
    assert metrics["conv_params"] == 111_521
    assert metrics["conv_dense_share"] == pytest.approx(1 - 9_569 / 111_521)


def test_codes_and_pixels_both_feed_a_few_label_classifier(metrics):
    # chance is 0.1; which of the two wins is the chapter's finding, not an invariant
    assert metrics["codes_few_label_accuracy"] > 0.3
    assert metrics["pixels_few_label_accuracy"] > 0.6


def test_rare_class_recall_is_measured_against_its_references(metrics):
    assert metrics["rare_class_recall_all_real"] > metrics["rare_class_recall_without"]
    for name in ["rare_class_recall_without", "rare_class_recall_with_generated", "rare_class_recall_with_copies"]:
        assert 0.0 <= metrics[name] <= 1.0, name
