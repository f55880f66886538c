"""Sample-quality metrics: Fréchet distance, classifier score and class shares on known cases; the cached classifier."""

import json
import shutil

import keras
import numpy as np
import pytest

from dlnotes import sample_quality
from dlnotes.data import load_mnist
from dlnotes.models.cnn import small_cnn
from dlnotes.sample_quality import (
    SampleQuality,
    class_shares,
    classifier_score,
    frechet_distance,
    frechet_distance_from_moments,
    load_classifier,
    train_classifier,
)


def test_identical_sets_are_at_distance_zero():
    features = np.random.default_rng(0).standard_normal((500, 16))
    assert frechet_distance(features, features) == pytest.approx(0.0, abs=1e-8)
    assert frechet_distance(features, features[::-1]) == pytest.approx(0.0, abs=1e-8)  # order does not matter


def test_frechet_distance_of_diagonal_gaussians_by_hand():
    # with commuting covariances the formula reduces to |m1 - m2|^2 + sum (s1 - s2)^2 over standard deviations
    distance = frechet_distance_from_moments([0.0, 0.0], np.diag([1.0, 4.0]), [3.0, 4.0], np.diag([4.0, 1.0]))
    assert distance == pytest.approx(25 + (1 - 2) ** 2 + (2 - 1) ** 2)


def test_frechet_distance_with_non_commuting_covariances():
    # for 2x2 matrices, tr sqrt(M) = sqrt(tr M + 2 sqrt(det M)) with M = S_a S_b
    cov_a, cov_b = np.array([[2.0, 0.5], [0.5, 1.0]]), np.array([[1.0, -0.3], [-0.3, 3.0]])
    product = cov_a @ cov_b
    cross = np.sqrt(np.trace(product) + 2 * np.sqrt(np.linalg.det(product)))
    expected = np.trace(cov_a) + np.trace(cov_b) - 2 * cross
    assert frechet_distance_from_moments([1.0, 0.0], cov_a, [1.0, 0.0], cov_b) == pytest.approx(expected, rel=1e-10)
    assert expected > 0.5  # the case is not trivially zero


def test_frechet_distance_estimated_from_samples_grows_with_the_shift():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((20_000, 4)), rng.standard_normal((20_000, 4))
    assert frechet_distance(a, b) < 0.01
    assert frechet_distance(a, b + 2.0) == pytest.approx(4 * 2.0**2, rel=0.02)


def test_classifier_score_on_known_cases():
    confident_balanced = np.eye(10)[np.arange(1000) % 10]
    assert classifier_score(confident_balanced) == pytest.approx(10.0, rel=1e-6)
    all_the_same = np.tile(np.eye(10)[3], (100, 1))
    assert classifier_score(all_the_same) == pytest.approx(1.0, abs=1e-6)
    undecided = np.full((100, 10), 0.1)
    assert classifier_score(undecided) == pytest.approx(1.0, abs=1e-6)
    two_classes = np.eye(10)[np.arange(100) % 2]
    assert classifier_score(two_classes) == pytest.approx(2.0, rel=1e-6)


def test_class_shares_count_the_argmax():
    probabilities = np.array([[0.9, 0.1, 0.0], [0.2, 0.7, 0.1], [0.6, 0.3, 0.1], [0.1, 0.1, 0.8]])
    np.testing.assert_allclose(class_shares(probabilities), [0.5, 0.25, 0.25])


def test_metrics_reject_bad_input():
    with pytest.raises(ValueError, match=r"at least 2 feature vectors"):
        frechet_distance(np.zeros((1, 3)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="features of different sizes, 3 and 4"):
        frechet_distance(np.zeros((5, 3)), np.zeros((5, 4)))
    with pytest.raises(ValueError, match="NaN or infinite"):
        frechet_distance(np.full((5, 3), np.nan), np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"expected means \(2,\) and covariances"):
        frechet_distance_from_moments(np.zeros(2), np.eye(2), np.zeros(3), np.eye(3))
    with pytest.raises(ValueError, match="rows that sum to 1"):
        classifier_score(np.array([[2.0, -1.0]]))
    with pytest.raises(ValueError, match=r"shape \(n, classes\)"):
        class_shares(np.array([0.5, 0.5]))
    with pytest.raises(ValueError, match="variant must be one of"):
        load_classifier("huge")
    with pytest.raises(ValueError, match="epochs must be a positive int"):
        train_classifier(epochs=0)
    with pytest.raises(ValueError, match="seed must be a non-negative int"):
        train_classifier(seed=-1)
    with pytest.raises(TypeError, match="epoch"):  # a misspelt keyword raises instead of being ignored
        train_classifier(epoch=3)


@pytest.fixture(scope="module")
def fast_classifier(tmp_path_factory):
    directory = tmp_path_factory.mktemp("classifier_cache")
    classifier, info = load_classifier("fast", directory=directory, verbose=False)
    return classifier, info, directory


@pytest.fixture(scope="module")
def test_images():
    _, (x_test, y_test) = load_mnist()
    return x_test[:2000] / 255.0, y_test[:2000]


@pytest.mark.slow  # trains a model
def test_the_fast_classifier_is_accurate_and_cached_with_its_recipe(fast_classifier, test_images):
    classifier, info, directory = fast_classifier
    assert info["test_accuracy"] > 0.95
    (description,) = directory.glob("mnist_small_cnn_fast-*.json")
    stored = json.loads(description.read_text())["info"]
    assert stored["recipe"] == sample_quality.CLASSIFIER_RECIPES["fast"] and stored["train_size"] == 6000
    assert stored["architecture"] == sample_quality.ARCHITECTURE
    reloaded, reloaded_info = load_classifier("fast", directory=directory, verbose=False)
    assert reloaded_info == stored
    images = test_images[0][:50, ..., None].astype("float32")
    np.testing.assert_allclose(reloaded.predict(images, verbose=0), classifier.predict(images, verbose=0), atol=1e-6)


@pytest.mark.slow  # trains a model
@pytest.mark.parametrize("change", ["recipe", "architecture"])
def test_another_recipe_or_network_is_trained_anew(fast_classifier, monkeypatch, tmp_path, change):
    classifier, info, directory = fast_classifier
    shutil.copytree(directory, tmp_path, dirs_exist_ok=True)
    calls = []

    def fake_training(**recipe):
        calls.append(recipe)
        return classifier, dict(info)

    monkeypatch.setattr(sample_quality, "train_classifier", fake_training)
    load_classifier("fast", directory=tmp_path, verbose=False)
    assert calls == []  # the same recipe and network: loaded
    recipe = {**sample_quality.CLASSIFIER_RECIPES["fast"], "epochs": 3}
    if change == "recipe":
        monkeypatch.setitem(sample_quality.CLASSIFIER_RECIPES, "fast", recipe)
    else:
        monkeypatch.setattr(sample_quality, "ARCHITECTURE", "another network")
    load_classifier("fast", directory=tmp_path, verbose=False)
    assert calls == [{**sample_quality.CLASSIFIER_RECIPES["fast"], "verbose": False}]
    assert len(list(tmp_path.glob("mnist_small_cnn_fast-*.npz"))) == 2


@pytest.mark.slow  # trains a model
def test_the_classifier_is_chapter_02s_small_cnn(fast_classifier):
    classifier = fast_classifier[0]
    reference = small_cnn(augment=sample_quality.CLASSIFIER_RECIPES["fast"]["augment"])
    assert [type(layer).__name__ for layer in classifier.layers] == [type(layer).__name__ for layer in reference.layers]
    assert classifier.count_params() == reference.count_params()


@pytest.mark.slow  # trains a model
def test_sample_quality_on_real_identical_and_collapsed_sets(fast_classifier, test_images):
    classifier = fast_classifier[0]
    images, labels = test_images
    quality = SampleQuality(classifier, images[:1000])
    same = quality.evaluate(images[:1000])
    assert same["fid"] == pytest.approx(0.0, abs=1e-4)
    assert same["score"] > 8.0, "real digits are classified confidently and are balanced"
    assert same["min_class_share"] > 0.05
    other_real = quality.evaluate(images[1000:2000])
    one_image = quality.evaluate(np.repeat(images[:1], 500, axis=0))
    assert one_image["score"] == pytest.approx(1.0, abs=1e-3)
    assert one_image["class_shares"][labels[0]] == 1.0 and one_image["min_class_share"] == 0.0
    assert one_image["fid"] > 10 * other_real["fid"] > 0
    noise = quality.evaluate(np.random.default_rng(0).random((1000, 28, 28)))
    assert noise["fid"] > 10 * other_real["fid"]


@pytest.mark.slow  # trains a model
def test_sample_quality_rejects_bad_images_and_classifiers(fast_classifier):
    quality = SampleQuality(fast_classifier[0], np.random.default_rng(0).random((20, 28, 28)))
    with pytest.raises(ValueError, match=r"pixels in \[0, 1\].*from_tanh_range"):
        quality.evaluate(np.full((10, 28, 28), -1.0))
    with pytest.raises(ValueError, match=r"images of shape \(28, 28\)"):
        quality.evaluate(np.zeros((10, 32, 32)))
    with pytest.raises(TypeError, match="classifier must be a keras.Model"):
        SampleQuality("classifier", np.zeros((4, 28, 28)))
    plain = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
    with pytest.raises(ValueError, match="no layer named 'features'"):
        SampleQuality(plain, np.zeros((4, 28, 28)))
