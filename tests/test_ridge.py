"""The ridge classifier: the closed form by hand, a separable problem, every bad input."""

import numpy as np
import pytest

from dlnotes.ridge import fit_ridge_classifier


def test_weights_solve_the_penalised_normal_equations():
    rng = np.random.default_rng(0)
    x, labels = rng.normal(size=(50, 4)) * 3 + 1, rng.integers(0, 3, 50)
    model = fit_ridge_classifier(x, labels, n_classes=3, penalty_per_example=0.2)
    design = np.hstack([(x - x.mean(axis=0)) / x.std(), np.ones((50, 1))])
    by_hand = np.linalg.inv(design.T @ design + 0.2 * 50 * np.eye(5)) @ design.T @ np.eye(3)[labels]
    np.testing.assert_allclose(model.weights, by_hand, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(model.scores(x), design @ by_hand, rtol=1e-8, atol=1e-10)


def test_separates_well_separated_classes():
    rng = np.random.default_rng(1)
    centres = np.array([[0, 0], [10, 0], [0, 10]])
    labels = rng.integers(0, 3, 300)
    x = centres[labels] + rng.normal(size=(300, 2))
    model = fit_ridge_classifier(x, labels, n_classes=3, penalty_per_example=0.01)
    assert np.mean(model.predict(x) == labels) > 0.99


def test_rejects_bad_input():
    x, labels = np.zeros((4, 2)) + np.arange(2), np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match=r"non-empty 2-D array \(examples, features\), got shape \(4,\)"):
        fit_ridge_classifier(np.zeros(4), labels)
    with pytest.raises(ValueError, match="NaN or infinite"):
        fit_ridge_classifier(np.full((4, 2), np.nan), labels)
    with pytest.raises(ValueError, match="expected 4 integer labels"):
        fit_ridge_classifier(x, labels[:3])
    with pytest.raises(ValueError, match=r"labels must be in 0 .. 1, found 0 .. 2"):
        fit_ridge_classifier(x, np.array([0, 1, 2, 1]), n_classes=2)
    with pytest.raises(ValueError, match="n_classes must be an int >= 2"):
        fit_ridge_classifier(x, labels, n_classes=1)
    with pytest.raises(ValueError, match="penalty_per_example must be a positive number"):
        fit_ridge_classifier(x, labels, penalty_per_example=0)
    model = fit_ridge_classifier(x, labels, n_classes=2)
    with pytest.raises(ValueError, match="expected 2 features per example"):
        model.predict(np.zeros((1, 3)))
