"""Generated sequence-to-sequence tasks on digit strings, and generation that feeds a model's output back.

Digits become tokens so that an ``Embedding(mask_zero=True)`` can tell padding from data: digit ``d`` is
token ``d + 1`` (1 to 10), token 0 (``PAD``) fills the end of a shorter sequence, and token 11 (``GO``)
tells a decoder to start writing. Every sequence is padded at the end ("post"), so step ``t`` of every
sequence in a batch is its ``t``-th digit.

The task is reversal: the input 3 1 4 asks for 4 1 3. The answer has as many digits as the question, and
the first digit to write is the last one read, so a decoder that starts from a fixed-size summary of the
input has to keep every digit of it in that summary.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from dlnotes.validation import non_negative_int, positive_int

__all__ = [
    "GO",
    "PAD",
    "VOCABULARY_SIZE",
    "ReversalTask",
    "accuracy_by_length",
    "digit_sequences",
    "digits_to_tokens",
    "feed_back",
    "reversal_task",
    "sum_task",
]

PAD = 0  # padding: masked, never a digit
GO = 11  # the decoder's first input
VOCABULARY_SIZE = 12  # PAD, the ten digits (tokens 1-10), GO


def _lengths(function: str, min_length, max_length) -> tuple[int, int]:
    min_length = positive_int(function, "min_length", min_length)
    max_length = positive_int(function, "max_length", max_length)
    if max_length < min_length:
        raise ValueError(f"{function}: max_length ({max_length}) must be at least min_length ({min_length})")
    return min_length, max_length


def digit_sequences(n: int, min_length: int, max_length: int, seed: int | None = 0) -> list[np.ndarray]:
    """``n`` random digit strings (int arrays of digits 0-9), each of a length drawn uniformly in [min_length, max_length]."""
    n = positive_int("digit_sequences", "n", n)
    min_length, max_length = _lengths("digit_sequences", min_length, max_length)
    rng = np.random.default_rng(seed)
    lengths = rng.integers(min_length, max_length + 1, size=n)
    return [rng.integers(0, 10, size=length) for length in lengths]


def digits_to_tokens(sequences, length: int | None = None) -> np.ndarray:
    """Digit strings as one (n, length) int32 array of tokens (digit + 1), padded with PAD at the end.

    ``length`` defaults to the longest sequence; a longer sequence is refused rather than cut.
    """
    if isinstance(sequences, np.ndarray) and sequences.ndim == 2:
        sequences = list(sequences)
    if not isinstance(sequences, (list, tuple)) or not sequences:
        raise ValueError("digits_to_tokens: expected a non-empty list of digit sequences (1-D int arrays)")
    arrays = [np.asarray(s) for s in sequences]
    for index, digits in enumerate(arrays):
        if digits.ndim != 1 or digits.size == 0 or not np.issubdtype(digits.dtype, np.integer):
            raise ValueError(f"digits_to_tokens: sequence {index} must be a non-empty 1-D int array, got {digits!r}")
        if digits.min() < 0 or digits.max() > 9:
            raise ValueError(f"digits_to_tokens: sequence {index} holds values outside the digits 0-9: {digits!r}")
    longest = max(len(digits) for digits in arrays)
    length = longest if length is None else positive_int("digits_to_tokens", "length", length)
    if longest > length:
        raise ValueError(f"digits_to_tokens: a sequence has {longest} digits, more than length={length}; raise length")
    tokens = np.full((len(arrays), length), PAD, dtype=np.int32)
    for row, digits in zip(tokens, arrays):
        row[: len(digits)] = digits + 1
    return tokens


class ReversalTask(NamedTuple):
    """The arrays of a reversal task; all token arrays are (n, max_length) int32, padded with PAD."""

    encoder_input: np.ndarray  # the digits to reverse
    decoder_input: np.ndarray  # GO, then the answer shifted right by one step: the teacher-forcing input
    target: np.ndarray  # the answer: the input's digits in reverse order
    lengths: np.ndarray  # (n,) digits in each sequence


def reversal_task(n: int, min_length: int, max_length: int, seed: int | None = 0) -> ReversalTask:
    """``n`` random digit strings and their reversals, ready for an encoder-decoder with teacher forcing."""
    sequences = digit_sequences(n, min_length, max_length, seed)
    target = digits_to_tokens([digits[::-1] for digits in sequences], max_length)
    lengths = np.array([len(digits) for digits in sequences])
    decoder_input = np.concatenate([np.full((n, 1), GO, np.int32), target[:, :-1]], axis=1)
    decoder_input[np.arange(max_length) >= lengths[:, None]] = PAD  # the last digit of the answer is never an input
    return ReversalTask(digits_to_tokens(sequences, max_length), decoder_input, target, lengths)


def sum_task(n: int, min_length: int, max_length: int, seed: int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """Digit strings as padded tokens (n, max_length) and the sum of each string's digits (n,) float32."""
    sequences = digit_sequences(n, min_length, max_length, seed)
    sums = np.array([digits.sum() for digits in sequences], dtype=np.float32)
    return digits_to_tokens(sequences, max_length), sums


def accuracy_by_length(target, predicted, lengths) -> dict[int, float]:
    """For each sequence length, the share of digits predicted right (padding positions are not counted).

    ``target`` and ``predicted`` are (n, steps) token arrays, ``lengths`` the digits in each sequence.
    """
    target, predicted, lengths = np.asarray(target), np.asarray(predicted), np.asarray(lengths)
    if target.ndim != 2 or target.shape != predicted.shape or lengths.shape != (len(target),) or len(target) == 0:
        raise ValueError(
            f"accuracy_by_length: expected target and predicted of one shape (n, steps) with n >= 1 and lengths (n,), "
            f"got {target.shape}, {predicted.shape} and {lengths.shape}"
        )
    if not np.issubdtype(lengths.dtype, np.integer) or lengths.min() < 1 or lengths.max() > target.shape[1]:
        raise ValueError(f"accuracy_by_length: lengths must be ints in [1, {target.shape[1]}], got {lengths!r}")
    within = np.arange(target.shape[1]) < lengths[:, None]  # the positions that hold a digit
    right = (target == predicted) & within
    return {int(length): float(right[lengths == length].sum() / within[lengths == length].sum()) for length in np.unique(lengths)}


def feed_back(predict_next, start, steps: int) -> np.ndarray:
    """Generation: extend ``start`` (n, t0, ...) by ``steps`` steps, each computed from all steps so far.

    ``predict_next(sequence)`` gets the (n, t, ...) sequence written so far and returns the next step
    (n, ...); that step is appended and fed back. Returns the (n, t0 + steps, ...) sequence.
    """
    if not callable(predict_next):
        raise TypeError(f"feed_back: predict_next must be a function of the sequence so far, got {predict_next!r}")
    sequence = np.asarray(start)
    if sequence.ndim < 2 or sequence.shape[0] == 0 or sequence.shape[1] == 0:
        raise ValueError(f"feed_back: start must be (n, steps, ...) with n >= 1 and at least one step, got {sequence.shape}")
    steps = non_negative_int("feed_back", "steps", steps)
    for _ in range(steps):
        following = np.asarray(predict_next(sequence))
        if following.shape != sequence.shape[:1] + sequence.shape[2:]:
            raise ValueError(
                f"feed_back: predict_next must return one step of shape {sequence.shape[:1] + sequence.shape[2:]}, "
                f"got {following.shape}"
            )
        sequence = np.concatenate([sequence, following[:, None].astype(sequence.dtype)], axis=1)
    return sequence
