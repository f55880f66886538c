"""dlnotes.roc: the ROC curve and its area, against hand computation and Keras's AUC metric."""

import numpy as np
import pytest

from dlnotes.roc import roc_auc, roc_curve


def test_hand_computed_example():
    normal, anomalous = [0.1, 0.4, 0.35], [0.8, 0.4]
    # pairs (anomaly, normal) won: 0.8 beats all three; 0.4 beats 0.1 and 0.35 and ties 0.4 -> (3 + 2.5) / 6
    assert roc_auc(normal, anomalous) == pytest.approx(5.5 / 6)
    fpr, tpr, thresholds = roc_curve(normal, anomalous)
    np.testing.assert_allclose(thresholds, [np.inf, 0.8, 0.4, 0.35, 0.1])
    np.testing.assert_allclose(fpr, [0, 0, 1 / 3, 2 / 3, 1])
    np.testing.assert_allclose(tpr, [0, 0.5, 1, 1, 1])


def test_area_under_the_curve_is_the_auc():
    rng = np.random.default_rng(0)
    normal = np.round(rng.normal(size=300), 1)  # rounded: many ties
    anomalous = np.round(rng.normal(1.0, size=200), 1)
    fpr, tpr, _ = roc_curve(normal, anomalous)
    trapezoids = np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2)
    assert roc_auc(normal, anomalous) == pytest.approx(trapezoids, abs=1e-12)


def test_agrees_with_keras_auc_metric():
    import keras

    rng = np.random.default_rng(1)
    normal, anomalous = rng.uniform(size=400), rng.uniform(0.3, 1.3, size=300) / 1.3
    metric = keras.metrics.AUC(num_thresholds=10_001)  # a fine threshold grid: Keras's approximation is close
    metric.update_state(np.r_[np.zeros(400), np.ones(300)], np.r_[normal, anomalous])
    assert roc_auc(normal, anomalous) == pytest.approx(float(metric.result()), abs=1e-3)


def test_perfect_useless_and_reversed_scores():
    assert roc_auc([1, 2, 3], [4, 5]) == 1.0
    assert roc_auc([1, 1, 1], [1, 1]) == 0.5
    assert roc_auc([4, 5], [1, 2, 3]) == 0.0


def test_curve_is_monotone_from_origin_to_corner():
    rng = np.random.default_rng(2)
    fpr, tpr, thresholds = roc_curve(rng.normal(size=50), rng.normal(size=70))
    assert (fpr[0], tpr[0], fpr[-1], tpr[-1]) == (0, 0, 1, 1)
    assert np.all(np.diff(fpr) >= 0) and np.all(np.diff(tpr) >= 0) and np.all(np.diff(thresholds) < 0)


def test_tensors_are_accepted():
    import tensorflow as tf

    assert roc_auc(tf.constant([0.1, 0.2]), tf.constant([0.3])) == 1.0


@pytest.mark.parametrize(
    "normal, anomalous, match",
    [
        ([], [1.0], r"normal_scores must be a non-empty 1-D array .*got shape \(0,\)"),
        ([1.0], [[1.0, 2.0]], r"anomaly_scores must be a non-empty 1-D array .*got shape \(1, 2\)"),
        ([1.0, np.nan], [1.0], "normal_scores contain NaN or infinite"),
        ([1.0], [np.inf], "anomaly_scores contain NaN or infinite"),
        (["a", "b"], [1.0], "must hold real numbers"),
    ],
)
@pytest.mark.parametrize("function", [roc_auc, roc_curve])
def test_rejects_bad_scores(function, normal, anomalous, match):
    with pytest.raises(ValueError, match=match):
        function(normal, anomalous)
