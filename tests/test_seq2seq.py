"""dlnotes.seq2seq: digit-string tasks, padding, per-length accuracy and generation by feeding back."""

import numpy as np
import pytest

from dlnotes.seq2seq import (
    GO,
    PAD,
    VOCABULARY_SIZE,
    accuracy_by_length,
    digit_sequences,
    digits_to_tokens,
    feed_back,
    reversal_task,
    sum_task,
)


def test_digit_sequences_lengths_values_and_seed():
    sequences = digit_sequences(2_000, 3, 7, seed=4)
    lengths = [len(s) for s in sequences]
    assert min(lengths) == 3 and max(lengths) == 7 and len(set(lengths)) == 5
    assert all(s.min() >= 0 and s.max() <= 9 for s in sequences)
    assert set(np.concatenate(sequences)) == set(range(10))
    again = digit_sequences(2_000, 3, 7, seed=4)
    assert all(np.array_equal(a, b) for a, b in zip(sequences, again))
    assert not all(np.array_equal(a, b) for a, b in zip(sequences, digit_sequences(2_000, 3, 7, seed=5)))


def test_tokens_are_digits_plus_one_padded_at_the_end():
    tokens = digits_to_tokens([np.array([0, 9, 3]), np.array([5])], length=4)
    np.testing.assert_array_equal(tokens, [[1, 10, 4, PAD], [6, PAD, PAD, PAD]])
    assert tokens.dtype == np.int32
    assert digits_to_tokens([np.array([1, 2])]).shape == (1, 2)  # default: the longest sequence
    assert PAD not in range(1, 11) and GO not in range(1, 11) and VOCABULARY_SIZE == 12


def test_reversal_task_by_hand():
    task = reversal_task(300, 1, 5, seed=0)
    index = int(np.argmax(task.lengths == 3))
    digits = task.encoder_input[index][:3]
    np.testing.assert_array_equal(task.encoder_input[index], [*digits, PAD, PAD])
    np.testing.assert_array_equal(task.target[index], [*digits[::-1], PAD, PAD])
    # teacher forcing: GO, then the answer shifted right; its last digit is never an input
    np.testing.assert_array_equal(task.decoder_input[index], [GO, digits[2], digits[1], PAD, PAD])


def test_reversal_task_masks_agree():
    task = reversal_task(500, 2, 9, seed=1)
    for array in (task.encoder_input, task.decoder_input, task.target):
        np.testing.assert_array_equal((array != PAD).sum(axis=1), task.lengths)
    # a full-length sequence fills every step, with nothing to pad
    full = task.lengths == 9
    assert full.any() and np.all(task.decoder_input[full] != PAD)


def test_sum_task():
    tokens, sums = sum_task(100, 1, 6, seed=2)
    np.testing.assert_allclose(sums, np.where(tokens == PAD, 0, tokens - 1).sum(axis=1))
    assert tokens.shape == (100, 6) and sums.dtype == np.float32


def test_accuracy_by_length_ignores_padding():
    target = np.array([[1, 2, 3], [4, 5, PAD], [6, PAD, PAD], [7, 8, PAD]])
    predicted = np.array([[1, 2, 9], [4, 9, 7], [6, 3, 3], [7, 8, 1]])
    # length 3: 2 of 3 right; length 2: 1 of 2 and 2 of 2 -> 3 of 4; length 1: 1 of 1 (the padding guesses do not count)
    assert accuracy_by_length(target, predicted, np.array([3, 2, 1, 2])) == {1: 1.0, 2: 0.75, 3: pytest.approx(2 / 3)}


def test_feed_back_appends_each_prediction_and_sees_all_of_it():
    seen = []

    def next_is_sum(sequence):
        seen.append(sequence.shape[1])
        return sequence.sum(axis=1)

    out = feed_back(next_is_sum, np.array([[1], [2]]), steps=3)
    np.testing.assert_array_equal(out, [[1, 1, 2, 4], [2, 2, 4, 8]])
    assert seen == [1, 2, 3]
    rows = feed_back(lambda s: s[:, -1] * 0.5, np.ones((4, 2, 28)), steps=2)  # MNIST-like rows (n, t, 28)
    assert rows.shape == (4, 4, 28) and np.allclose(rows[:, -1], 0.25)
    assert feed_back(next_is_sum, np.array([[1]]), steps=0).shape == (1, 1)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: digit_sequences(0, 1, 2), "n must be a positive int, got 0"),
        (lambda: digit_sequences(5, 0, 2), "min_length must be a positive int, got 0"),
        (lambda: digit_sequences(5, 4, 2), r"max_length \(2\) must be at least min_length \(4\)"),
        (lambda: reversal_task(5, 1, 2.5), "max_length must be a positive int, got 2.5"),
        (lambda: digits_to_tokens([]), "non-empty list of digit sequences"),
        (lambda: digits_to_tokens([np.array([1, 12])]), "outside the digits 0-9"),
        (lambda: digits_to_tokens([np.array([0.5])]), "non-empty 1-D int array"),
        (lambda: digits_to_tokens([np.array([1, 2, 3])], length=2), "more than length=2; raise length"),
        (lambda: accuracy_by_length(np.ones((2, 3)), np.ones((2, 4)), np.array([1, 1])), "one shape"),
        (lambda: accuracy_by_length(np.ones((2, 3)), np.ones((2, 3)), np.array([1, 4])), r"ints in \[1, 3\]"),
        (lambda: feed_back(lambda s: s[:, -1], np.ones(3), 2), r"start must be \(n, steps, ...\)"),
        (lambda: feed_back(lambda s: s, np.ones((2, 1)), 2), "must return one step of shape"),
        (lambda: feed_back(lambda s: s[:, -1], np.ones((2, 1)), -1), "steps must be a non-negative int, got -1"),
    ],
)
def test_bad_input_is_refused_with_the_fix(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_feed_back_needs_a_function():
    with pytest.raises(TypeError, match="predict_next must be a function"):
        feed_back("model", np.ones((2, 1)), 2)
