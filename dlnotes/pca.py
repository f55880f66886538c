"""Principal component analysis (주성분 분석) in NumPy: the linear baseline every autoencoder is compared with.

PCA keeps the ``k`` directions of largest variance of the centred data. With the centred data matrix
``X - mu = U S V^T`` (singular value decomposition), those directions are the first ``k`` rows of
``V^T``. The same ``V`` diagonalises the scatter matrix ``(X - mu)^T (X - mu) = V S^2 V^T``, and for
MNIST that matrix is only 784 x 784, so :func:`fit_pca` takes the SVD of it: seconds instead of the
half a minute an SVD of the 60,000 x 784 data matrix takes on two CPU cores, with the same components.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlnotes._threads import one_blas_thread
from dlnotes.validation import int_value, real_matrix


@dataclass(frozen=True)
class PCA:
    """A fitted PCA: the training mean, the components (k, d) with orthonormal rows, and their variances."""

    mean: np.ndarray  # (d,)
    components: np.ndarray  # (k, d), largest variance first
    explained_variance: np.ndarray  # (k,), variance of the data along each component

    @property
    def n_components(self) -> int:
        return self.components.shape[0]

    def encode(self, x) -> np.ndarray:
        """The k coordinates of each sample in the principal subspace: ``(x - mean) V_k``."""
        x = real_matrix("PCA.encode", x, self.components.shape[1])
        return (x - self.mean) @ self.components.T

    def decode(self, codes) -> np.ndarray:
        """Back to data space: ``mean + z V_k^T``."""
        codes = real_matrix("PCA.decode", codes, self.n_components)
        return self.mean + codes @ self.components

    def reconstruct(self, x) -> np.ndarray:
        """Project onto the principal subspace: the best rank-k linear reconstruction in squared error."""
        return self.decode(self.encode(x))

    def leading(self, k: int) -> PCA:
        """The same PCA with only its first ``k`` components: one fit serves every smaller code size."""
        k = int_value("PCA.leading", "k", k)
        if not 1 <= k <= self.n_components:
            raise ValueError(f"PCA.leading: k must be between 1 and {self.n_components}, got {k}")
        return PCA(mean=self.mean, components=self.components[:k], explained_variance=self.explained_variance[:k])


def fit_pca(x, n_components: int) -> PCA:
    """Fit PCA with ``n_components`` components to ``x`` (samples, features); see the module docstring."""
    x = real_matrix("fit_pca", x)
    n_samples, n_features = x.shape
    n_components = int_value("fit_pca", "n_components", n_components)
    if not 1 <= n_components <= min(n_samples, n_features):
        raise ValueError(
            f"fit_pca: n_components must be between 1 and min(samples, features) = {min(n_samples, n_features)}, "
            f"got {n_components}"
        )
    mean = x.mean(axis=0)
    centred = x - mean
    scatter = centred.T @ centred
    # the singular values of the scatter matrix are the squared singular values of the centred data
    with one_blas_thread():
        _, squared_singular_values, vt = np.linalg.svd(scatter, hermitian=True)
    components = vt[:n_components]
    # SVD fixes each direction only up to its sign; make the largest entry positive so that results repeat
    signs = np.sign(components[np.arange(n_components), np.argmax(np.abs(components), axis=1)])
    components = components * signs[:, None]
    return PCA(mean=mean, components=components, explained_variance=squared_singular_values[:n_components] / n_samples)


def subspace_similarity(a, b) -> float:
    """How well the column spaces of ``a`` (d, k) and ``b`` (d, k) agree: 1 when equal, 0 when orthogonal.

    The mean squared cosine of the principal angles between the two k-dimensional subspaces,
    ``||Q_a^T Q_b||_F^2 / k`` with ``Q`` an orthonormal basis of each. It ignores any invertible mixing
    of the columns, which is exactly the freedom a linear autoencoder has compared with PCA.
    """
    a, b = real_matrix("subspace_similarity", a), real_matrix("subspace_similarity", b)
    if a.shape != b.shape:
        raise ValueError(f"subspace_similarity: both bases must have the same shape (d, k), got {a.shape} and {b.shape}")
    if a.shape[1] > a.shape[0]:
        raise ValueError(f"subspace_similarity: expected columns spanning a subspace, shape (d, k) with k <= d, got {a.shape}")
    q_a, r_a = np.linalg.qr(a)
    q_b, r_b = np.linalg.qr(b)
    for name, r in (("a", r_a), ("b", r_b)):
        diagonal = np.abs(np.diag(r))
        if diagonal.min() <= 1e-10 * max(diagonal.max(), 1e-300):
            raise ValueError(f"subspace_similarity: the columns of {name} are linearly dependent (rank < {a.shape[1]})")
    return float(np.sum((q_a.T @ q_b) ** 2) / a.shape[1])
