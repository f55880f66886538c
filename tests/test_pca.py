"""PCA in NumPy: agrees with the SVD of the data, reconstructs optimally, rejects bad input."""

import numpy as np
import pytest

from dlnotes.pca import fit_pca, subspace_similarity


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    # 500 samples in 12 dimensions with clearly separated variances
    return rng.normal(size=(500, 12)) * np.linspace(3, 0.2, 12) + rng.normal(size=12)


def test_components_match_the_svd_of_the_centred_data(data):
    pca = fit_pca(data, 4)
    _, s, vt = np.linalg.svd(data - data.mean(axis=0), full_matrices=False)
    assert pca.components.shape == (4, 12)
    np.testing.assert_allclose(np.abs(pca.components @ vt[:4].T), np.eye(4), atol=1e-8)  # same directions, up to sign
    np.testing.assert_allclose(pca.explained_variance, s[:4] ** 2 / len(data), rtol=1e-8)
    np.testing.assert_allclose(pca.components @ pca.components.T, np.eye(4), atol=1e-10)


def test_encode_decode_shapes_and_round_trip(data):
    pca = fit_pca(data, 3)
    codes = pca.encode(data[:7])
    assert codes.shape == (7, 3) and pca.decode(codes).shape == (7, 12)
    full = fit_pca(data, 12)
    np.testing.assert_allclose(full.reconstruct(data), data, atol=1e-8)  # all components: exact


def test_reconstruction_error_is_the_sum_of_the_dropped_variances(data):
    pca = fit_pca(data, 5)
    error = np.mean(np.sum((data - pca.reconstruct(data)) ** 2, axis=1))
    all_variances = fit_pca(data, 12).explained_variance
    np.testing.assert_allclose(error, all_variances[5:].sum(), rtol=1e-8)


def test_pca_beats_a_random_subspace(data):
    pca = fit_pca(data, 3)
    q, _ = np.linalg.qr(np.random.default_rng(1).normal(size=(12, 3)))
    centred = data - pca.mean
    random_error = np.mean(np.sum((centred - centred @ q @ q.T) ** 2, axis=1))
    pca_error = np.mean(np.sum((data - pca.reconstruct(data)) ** 2, axis=1))
    assert pca_error < random_error


def test_signs_are_deterministic(data):
    first, second = fit_pca(data, 3), fit_pca(data[::-1], 3)
    np.testing.assert_allclose(first.components, second.components, atol=1e-8)


def test_subspace_similarity_ignores_mixing_and_sees_orthogonality():
    rng = np.random.default_rng(2)
    basis = rng.normal(size=(10, 3))
    mixed = basis @ rng.normal(size=(3, 3))  # same column space
    assert subspace_similarity(basis, mixed) == pytest.approx(1.0, abs=1e-10)
    e = np.eye(10)
    assert subspace_similarity(e[:, :3], e[:, 3:6]) == pytest.approx(0.0, abs=1e-12)
    assert subspace_similarity(e[:, :2], e[:, [0, 5]]) == pytest.approx(0.5)  # one direction shared of two


@pytest.mark.parametrize(
    "x, k, error, match",
    [
        (np.zeros(5), 1, ValueError, "2-D array"),
        (np.zeros((0, 3)), 1, ValueError, "2-D array"),
        (np.array([["a", "b"]]), 1, ValueError, "real numbers"),
        (np.array([[1.0, np.nan], [0.0, 1.0]]), 1, ValueError, "NaN or infinite"),
        (np.ones((4, 3)), 0, ValueError, "between 1 and"),
        (np.ones((4, 3)), 4, ValueError, "between 1 and"),
        (np.ones((4, 3)), 2.0, TypeError, "must be an int"),
        (np.ones((4, 3)), True, TypeError, "must be an int"),
    ],
)
def test_fit_pca_rejects_bad_input(x, k, error, match):
    with pytest.raises(error, match=match):
        fit_pca(x, k)


def test_encode_and_decode_reject_the_wrong_width(data):
    pca = fit_pca(data, 3)
    with pytest.raises(ValueError, match="expected 12 features"):
        pca.encode(np.zeros((2, 11)))
    with pytest.raises(ValueError, match="expected 3 features"):
        pca.decode(np.zeros((2, 4)))


def test_subspace_similarity_rejects_bad_bases():
    with pytest.raises(ValueError, match="same shape"):
        subspace_similarity(np.eye(4)[:, :2], np.eye(4)[:, :3])
    with pytest.raises(ValueError, match="k <= d"):
        subspace_similarity(np.ones((2, 3)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="linearly dependent"):
        subspace_similarity(np.eye(4)[:, :2], np.ones((4, 2)))


def test_leading_components_equal_a_smaller_fit(data):
    big, small = fit_pca(data, 6), fit_pca(data, 2)
    np.testing.assert_allclose(big.leading(2).components, small.components, atol=1e-10)
    np.testing.assert_allclose(big.leading(2).reconstruct(data), small.reconstruct(data), atol=1e-10)
    with pytest.raises(ValueError, match="between 1 and 6"):
        big.leading(7)
    with pytest.raises(TypeError, match="must be an int"):
        big.leading(2.5)
