"""tf.data pipelines for MNIST read row by row (chapters 02 and 03)."""

from __future__ import annotations

from dlnotes.data.mnist import load_mnist
from dlnotes.data.toy import as_row_sequences
from dlnotes.validation import int_at_least, positive_int


def mnist_row_datasets(
    train_fraction: float = 0.7,
    batch_size: int = 32,
    eval_batch_size: int = 128,
    shuffle_buffer: int = 1024,
    train_limit: int | None = None,
    test_limit: int | None = None,
    seed: int = 0,
):
    """The reference recipe's datasets: ``(train, validation, test)`` of (rows, label) batches.

    The first ``train_fraction`` of the MNIST training images train (shuffled with
    a buffer of ``shuffle_buffer``, batches of ``batch_size``), the rest validate,
    and the test set is batched for evaluation; pixels are scaled to [0, 1] and
    each image is 28 time steps of 28 pixels. ``train_limit`` / ``test_limit``
    keep only the first images of each set (FAST mode).
    """
    import tensorflow as tf

    if not 0 < train_fraction < 1:
        raise ValueError(f"mnist_row_datasets: train_fraction must be in (0, 1), got {train_fraction!r}")
    for name, value in [("batch_size", batch_size), ("eval_batch_size", eval_batch_size), ("shuffle_buffer", shuffle_buffer)]:
        positive_int("mnist_row_datasets", name, value)
    for name, value in [("train_limit", train_limit), ("test_limit", test_limit)]:
        if value is not None:  # None: every image
            int_at_least("mnist_row_datasets", name, value, 10)
    (x_train, y_train), (x_test, y_test) = load_mnist()
    x_train, y_train = x_train[:train_limit], y_train[:train_limit]
    x_test, y_test = x_test[:test_limit], y_test[:test_limit]
    n_train = len(x_train) * int(round(train_fraction * 100)) // 100
    x_rows, x_test_rows = as_row_sequences(x_train), as_row_sequences(x_test)
    train = (
        tf.data.Dataset.from_tensor_slices((x_rows[:n_train], y_train[:n_train]))
        .shuffle(shuffle_buffer, seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
        .prefetch(tf.data.AUTOTUNE)
    )
    validation = (
        tf.data.Dataset.from_tensor_slices((x_rows[n_train:], y_train[n_train:]))
        .batch(eval_batch_size)
        .cache()
        .prefetch(tf.data.AUTOTUNE)
    )
    test = tf.data.Dataset.from_tensor_slices((x_test_rows, y_test)).batch(eval_batch_size).cache().prefetch(tf.data.AUTOTUNE)
    return train, validation, test
