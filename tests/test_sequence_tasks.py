"""dlnotes.sequence_tasks: the adding problem's data and its chance-rescaled score."""

import numpy as np
import pytest

from dlnotes.sequence_tasks import CHANCE_MSE, adding_problem, adding_score, marked_step_gradients


def test_shapes_types_and_ranges():
    x, y = adding_problem(50, length=120, seed=3)
    assert x.shape == (50, 120, 2) and y.shape == (50,)
    assert x.dtype == y.dtype == np.float32
    assert np.all((x[..., 0] >= 0) & (x[..., 0] < 1))
    assert set(np.unique(x[..., 1])) == {0.0, 1.0}
    assert np.all((y >= 0) & (y < 2))


def test_exactly_one_marker_in_each_half_and_the_target_is_their_sum():
    length = 101
    x, y = adding_problem(200, length=length, seed=1)
    markers = x[..., 1]
    half = length // 2
    np.testing.assert_array_equal(markers[:, :half].sum(axis=1), 1)
    np.testing.assert_array_equal(markers[:, half:].sum(axis=1), 1)
    np.testing.assert_allclose(y, (x[..., 0] * markers).sum(axis=1), rtol=1e-6)


def test_marker_positions_cover_both_halves():
    x, _ = adding_problem(2000, length=100, seed=0)
    positions = np.argwhere(x[..., 1] == 1)[:, 1]
    assert positions.min() == 0 and positions.max() == 99
    assert len(np.unique(positions)) == 100


def test_seed_repeats_and_different_seeds_differ():
    a, b = adding_problem(10, seed=5), adding_problem(10, seed=5)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], adding_problem(10, seed=6)[0])


def test_always_answering_one_scores_about_zero_and_the_true_sum_scores_one():
    _, y = adding_problem(20_000, seed=0)
    assert abs(np.var(y) - CHANCE_MSE) < 0.01
    assert abs(adding_score(y, np.ones_like(y))) < 0.03
    assert adding_score(y, y) == 1.0
    assert adding_score(y, y[:, None]) == 1.0  # the (n, 1) output of a Dense(1)
    assert adding_score(y, np.zeros_like(y)) < -1  # worse than chance is negative


def test_remembering_only_the_second_number_scores_about_half():
    # A model that forgets the first marked value can still answer 0.5 + second value:
    # its error is Var(U) = 1/12, half of chance. That is the trap a SimpleRNN falls into.
    x, y = adding_problem(20_000, seed=0)
    second = (x[:, 50:, 0] * x[:, 50:, 1]).sum(axis=1)
    assert abs(adding_score(y, 0.5 + second) - 0.5) < 0.03


@pytest.mark.parametrize("kwargs", [{"n": 0}, {"n": 2.5}, {"n": True}, {"n": 4, "length": 1}, {"n": 4, "length": "100"}])
def test_bad_sizes_are_refused(kwargs):
    with pytest.raises(ValueError, match="must be (a positive int|an int >= 2), got"):
        adding_problem(**kwargs)


@pytest.mark.parametrize(
    "targets, predictions",
    [(np.ones(3), np.ones(4)), (np.ones((3, 2)), np.ones((3, 2))), (np.ones(0), np.ones(0)), (np.ones(3), np.ones((3, 2)))],
)
def test_score_refuses_mismatched_shapes(targets, predictions):
    with pytest.raises(ValueError, match=r"expected targets \(n,\)"):
        adding_score(targets, predictions)


def test_score_refuses_non_finite_values():
    with pytest.raises(ValueError, match="finite"):
        adding_score(np.ones(3), np.array([1.0, np.nan, 1.0]))


def test_marked_step_gradients_of_a_model_that_adds_exactly():
    # answer = sum over steps of value * marker: the gradient at a marked step is (marker, value), norm sqrt(1 + v^2)
    import keras

    x, _ = adding_problem(40, length=30, seed=2)
    adds_marked_values = keras.layers.Lambda(lambda s: keras.ops.sum(s[..., :1] * s[..., 1:], axis=1))
    adder = keras.Sequential([keras.Input((30, 2)), adds_marked_values])
    norms, distances = marked_step_gradients(adder, x)
    assert norms.shape == distances.shape == (40, 2)
    first, second = np.argwhere(x[..., 1] == 1)[:, 1].reshape(40, 2).T
    np.testing.assert_array_equal(distances, np.stack([29 - first, 29 - second], axis=1))
    values = np.stack([x[np.arange(40), first, 0], x[np.arange(40), second, 0]], axis=1)
    np.testing.assert_allclose(norms, np.sqrt(1 + values**2), rtol=1e-6)


def test_marked_step_gradients_see_a_memory_that_fades():
    # a linear recurrence h_t = 0.5 h_{t-1} + value_t: the answer's gradient at step t is 0.5^distance
    import keras

    x, _ = adding_problem(20, length=12, seed=4)
    steps = np.arange(12)[::-1].astype("float32")
    fades = keras.layers.Lambda(lambda s: keras.ops.sum(s[..., 0] * 0.5**steps, axis=1))
    fading = keras.Sequential([keras.Input((12, 2)), fades])
    norms, distances = marked_step_gradients(fading, x)
    np.testing.assert_allclose(norms, 0.5**distances, rtol=1e-6)
    assert np.all(norms[:, 0] < norms[:, 1]), "the first marker is further from the answer"


def test_marked_step_gradients_refuse_bad_inputs():
    import keras

    x, _ = adding_problem(4, length=10, seed=0)
    model = keras.Sequential([keras.Input((10, 2)), keras.layers.Flatten(), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match=r"shape \(n, length, 2\)"):
        marked_step_gradients(model, x[..., :1])
    with pytest.raises(ValueError, match="mark exactly two steps"):
        marked_step_gradients(model, np.concatenate([x[..., :1], np.zeros_like(x[..., 1:])], axis=-1))
    two_outputs = keras.Sequential([keras.Input((10, 2)), keras.layers.Flatten(), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="one number per sequence"):
        marked_step_gradients(two_outputs, x)
