"""Sample quality of generated MNIST digits, measured with a small MNIST classifier.

Three numbers, each computed from the classifier ``C``, chapter 02's modern small CNN (built and trained by
``dlnotes.models.cnn``, once, then cached):

- the Fréchet distance (FID-style) between generated and real images in the feature space of C's
  penultimate layer: both sets are summarised by a Gaussian (mean, covariance), and
  ``|m1 - m2|^2 + tr(S1 + S2 - 2 (S1^1/2 S2 S1^1/2)^1/2)`` compares them; 0 for identical sets;
- the Inception-style score ``exp(E_x KL(p(y|x) || p(y)))``: high (up to 10) when every sample is
  classified confidently *and* the classes are balanced; 1 when all samples look alike;
- the share of each digit class among the samples, whose minimum shows a missing mode.

The classifier is kept, with what it was trained on, in the model cache (:mod:`dlnotes.model_cache`).
"""

from __future__ import annotations

import os
import time

import keras
import numpy as np

from dlnotes._threads import one_blas_thread
from dlnotes.callbacks import EpochProgress
from dlnotes.model_cache import restore_or_train
from dlnotes.models.cnn import FEATURES_LAYER, SMALL_CNN_BATCH_SIZE, SMALL_CNN_EPOCHS, fit_one_cycle, small_cnn
from dlnotes.validation import non_negative_int, positive_int

# What each classifier variant is trained on: the keyword arguments of train_classifier. They are the cache's key:
# another recipe is trained anew; ARCHITECTURE names the network, so that a change of small_cnn changes the key.
# "full" is chapter 02's recipe; "fast" a few hundred steps of it, for FAST runs and the unit tests.
ARCHITECTURE = "dlnotes.models.cnn.small_cnn, one-cycle Adam (chapter 02), v2"
CLASSIFIER_RECIPES = {
    "full": {"train_size": 60_000, "epochs": SMALL_CNN_EPOCHS, "batch_size": SMALL_CNN_BATCH_SIZE, "augment": False, "seed": 0},
    "fast": {"train_size": 6_000, "epochs": 2, "batch_size": 64, "augment": False, "seed": 0},
}


# --- the numbers --------------------------------------------------------------------------------------------------


def frechet_distance(features_a, features_b) -> float:
    """Fréchet distance between Gaussians fitted to two sets of feature vectors, shapes (n, d) and (m, d)."""
    a, b = _feature_matrix(features_a, "features_a"), _feature_matrix(features_b, "features_b")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"frechet_distance: features of different sizes, {a.shape[1]} and {b.shape[1]}")
    return frechet_distance_from_moments(*gaussian_moments(a), *gaussian_moments(b))


def gaussian_moments(features) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance (float64) of feature vectors of shape (n, d)."""
    features = _feature_matrix(features, "features")
    return features.mean(axis=0), np.cov(features, rowvar=False)


def frechet_distance_from_moments(mean_a, cov_a, mean_b, cov_b) -> float:
    """|m_a - m_b|^2 + tr(S_a) + tr(S_b) - 2 tr((S_a^1/2 S_b S_a^1/2)^1/2)."""
    mean_a, mean_b = np.asarray(mean_a, np.float64), np.asarray(mean_b, np.float64)
    cov_a, cov_b = np.asarray(cov_a, np.float64), np.asarray(cov_b, np.float64)
    d = len(mean_a)
    if mean_b.shape != (d,) or cov_a.shape != (d, d) or cov_b.shape != (d, d):
        raise ValueError(
            f"frechet_distance_from_moments: expected means ({d},) and covariances ({d}, {d}), got "
            f"{mean_a.shape}, {cov_a.shape}, {mean_b.shape}, {cov_b.shape}"
        )
    with one_blas_thread():  # small eigen-decompositions: one thread is faster on a busy machine
        root_a = _psd_sqrt(cov_a)
        # S_a^1/2 S_b S_a^1/2 is symmetric and has the eigenvalues of S_a S_b: tr sqrt(S_a S_b) is the sum of their roots
        cross = np.sqrt(np.clip(np.linalg.eigvalsh(root_a @ cov_b @ root_a), 0.0, None)).sum()
    distance = np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2.0 * cross
    return float(max(distance, 0.0))  # rounding can leave -1e-12 for identical sets


def classifier_score(probabilities) -> float:
    """exp(mean over samples of KL(p(y|x) || p(y))), p(y) the mean of the rows; between 1 and the number of classes."""
    p = _probability_matrix(probabilities)
    marginal = p.mean(axis=0, keepdims=True)
    eps = 1e-12
    kl = np.sum(p * (np.log(p + eps) - np.log(marginal + eps)), axis=1)
    return float(np.exp(kl.mean()))


def class_shares(probabilities) -> np.ndarray:
    """Share of the samples assigned (argmax) to each class; sums to 1."""
    p = _probability_matrix(probabilities)
    return np.bincount(p.argmax(axis=1), minlength=p.shape[1]) / len(p)


# --- the classifier -----------------------------------------------------------------------------------------------


def load_classifier(variant: str = "full", directory: str | os.PathLike | None = None, verbose: bool = True,
                    retrain: bool = False):
    """The MNIST classifier of ``variant`` ("full" or "fast"), from the model cache or trained now (and cached).

    Returns ``(classifier, info)``; ``info`` says what it was trained on and its test accuracy. The cache
    (:mod:`dlnotes.model_cache`) keys it by the recipe, the network and the versions; ``directory`` overrides the
    cache's folder, ``retrain=True`` trains it again.
    """
    if variant not in CLASSIFIER_RECIPES:
        raise ValueError(f"load_classifier: variant must be one of {sorted(CLASSIFIER_RECIPES)}, got {variant!r}")
    recipe = CLASSIFIER_RECIPES[variant]

    def train():
        classifier, info = train_classifier(**recipe, verbose=verbose)
        return classifier, {**info, "recipe": recipe, "architecture": ARCHITECTURE}, {}

    outcome = restore_or_train(
        f"mnist_small_cnn_{variant}",
        {"recipe": recipe, "architecture": ARCHITECTURE},
        build=lambda: small_cnn(augment=recipe["augment"], seed=recipe["seed"]),
        train=train,
        retrain=retrain,
        directory=directory,
        echo=print if verbose else None,
    )
    if verbose and outcome.loaded:
        print(f"MNIST classifier ({variant}): test accuracy {outcome.info['test_accuracy']:.4f}")
    return outcome.model, outcome.info


def train_classifier(
    train_size: int = 60_000,
    epochs: int = SMALL_CNN_EPOCHS,
    batch_size: int = SMALL_CNN_BATCH_SIZE,
    augment: bool = False,
    seed: int = 0,
    verbose: bool = True,
):
    """Train chapter 02's small CNN (:func:`dlnotes.models.cnn.small_cnn`, with its one-cycle recipe) on the first
    ``train_size`` MNIST training images; returns (model, info). ``verbose`` prints a line per epoch."""
    from dlnotes.data import load_mnist, to_unit_range

    train_size = positive_int("train_classifier", "train_size", train_size)
    epochs = positive_int("train_classifier", "epochs", epochs)
    batch_size = positive_int("train_classifier", "batch_size", batch_size)
    seed = non_negative_int("train_classifier", "seed", seed)
    (x_train, y_train), (x_test, y_test) = load_mnist()
    x_train, y_train = to_unit_range(x_train[:train_size])[..., None], y_train[:train_size]
    keras.utils.set_random_seed(seed)
    classifier = small_cnn(augment=augment, seed=seed)
    started = time.perf_counter()
    progress = [EpochProgress(label="MNIST classifier")] if verbose else None  # a line per epoch, and every 30 s
    fit_one_cycle(classifier, x_train, y_train, epochs=epochs, batch_size=batch_size, callbacks=progress)
    train_seconds = time.perf_counter() - started
    probabilities = classifier.predict(to_unit_range(x_test)[..., None], batch_size=1000, verbose=0)
    accuracy = float(np.mean(probabilities.argmax(axis=1) == y_test))
    if verbose:
        print(f"trained an MNIST classifier on {train_size:,} images for {epochs} epoch(s): test accuracy {accuracy:.4f}")
    info = {
        "trained_on": f"MNIST training images [:{train_size}]",
        "train_size": train_size,
        "epochs": epochs,
        "augment": augment,
        "seed": seed,
        "test_accuracy": accuracy,
        "train_seconds": round(train_seconds, 1),  # wall clock of the fit alone; depends on the machine and its load
        "load_average_at_end": round(os.getloadavg()[0], 2),
        "keras": keras.__version__,
    }
    return classifier, info


class SampleQuality:
    """Scores sets of 28x28 images in [0, 1] against reference images (e.g. the MNIST test set) with a classifier.

    ``SampleQuality(classifier, reference).evaluate(images)`` returns a dict with ``fid`` (Fréchet distance to
    the reference in the classifier's feature space), ``score`` (Inception-style), ``class_shares`` and
    ``min_class_share``. The reference's feature statistics are computed once.
    """

    def __init__(self, classifier, reference_images):
        if not isinstance(classifier, keras.Model):
            raise TypeError(f"SampleQuality: classifier must be a keras.Model, got {type(classifier).__name__}")
        try:
            features = classifier.get_layer(FEATURES_LAYER).output
        except ValueError:
            raise ValueError(
                f"SampleQuality: the classifier has no layer named {FEATURES_LAYER!r} "
                "(use dlnotes.sample_quality.load_classifier or dlnotes.models.cnn.small_cnn)"
            ) from None
        # one pass gives both the penultimate features and the class probabilities
        self.network = keras.Model(classifier.inputs, [features, classifier.outputs[0]])
        self.reference_moments = gaussian_moments(self.features_and_probabilities(reference_images)[0])

    def features_and_probabilities(self, images) -> tuple[np.ndarray, np.ndarray]:
        images = _image_batch(images)
        features, probabilities = self.network.predict(images, batch_size=1000, verbose=0)
        return features.astype(np.float64), probabilities.astype(np.float64)

    def evaluate(self, images) -> dict:
        features, probabilities = self.features_and_probabilities(images)
        shares = class_shares(probabilities)
        return {
            "fid": frechet_distance_from_moments(*gaussian_moments(features), *self.reference_moments),
            "score": classifier_score(probabilities),
            "class_shares": shares,
            "min_class_share": float(shares.min()),
        }


# --- input checks -------------------------------------------------------------------------------------------------


def _feature_matrix(features, name) -> np.ndarray:
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 2 or len(features) < 2:
        raise ValueError(f"{name}: expected a matrix of at least 2 feature vectors, shape (n >= 2, d), got {features.shape}")
    if not np.all(np.isfinite(features)):
        raise ValueError(f"{name}: the features contain NaN or infinite values")
    return features


def _probability_matrix(probabilities) -> np.ndarray:
    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim != 2 or len(p) == 0:
        raise ValueError(f"expected class probabilities of shape (n, classes), got {p.shape}")
    if np.any(p < -1e-6) or not np.allclose(p.sum(axis=1), 1.0, atol=1e-3):
        raise ValueError("expected class probabilities: non-negative rows that sum to 1 (apply softmax to logits)")
    return np.clip(p, 0.0, 1.0)


def _image_batch(images) -> np.ndarray:
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4 or images.shape[1:] != (28, 28, 1) or len(images) < 2:
        raise ValueError(f"expected at least 2 images of shape (28, 28) or (28, 28, 1), got an array of shape {images.shape}")
    if not np.all(np.isfinite(images)) or images.min() < -1e-3 or images.max() > 1 + 1e-3:
        raise ValueError(
            f"expected pixels in [0, 1] (convert a tanh generator's output with from_tanh_range), got values in "
            f"[{np.nanmin(images):.3g}, {np.nanmax(images):.3g}]"
        )
    return images


def _psd_sqrt(matrix: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T
