"""Truth tables, MNIST rows and the reference tf.data pipeline."""

import numpy as np
import pytest

from dlnotes.data import as_row_sequences, logic_gate, mnist_row_datasets, xor


@pytest.mark.parametrize(
    "gate, targets", [("and", [0, 0, 0, 1]), ("or", [0, 1, 1, 1]), ("nand", [1, 1, 1, 0]), ("XOR", [0, 1, 1, 0])]
)
def test_logic_gates(gate, targets):
    x, y = logic_gate(gate)
    assert x.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert y.tolist() == targets
    assert x.dtype == y.dtype == np.float32


def test_xor_is_the_xor_gate():
    np.testing.assert_array_equal(xor()[1], logic_gate("xor")[1])


@pytest.mark.parametrize("bad", ["nor", "", None, 3])
def test_unknown_gate(bad):
    with pytest.raises(ValueError, match="expected one of"):
        logic_gate(bad)


def test_row_sequences_scale_to_unit_interval():
    images = np.array([[[0, 255], [51, 102]]], dtype=np.uint8)
    rows = as_row_sequences(images)
    assert rows.dtype == np.float32 and rows.shape == (1, 2, 2)
    np.testing.assert_allclose(rows[0], [[0, 1], [0.2, 0.4]])


@pytest.mark.parametrize("bad", [np.zeros((28, 28), np.uint8), np.zeros((2, 28, 28), np.float32)])
def test_row_sequences_reject_bad_input(bad):
    with pytest.raises(ValueError, match="expected uint8 images of shape"):
        as_row_sequences(bad)


def test_reference_pipeline_splits_70_30():
    train, validation, test = mnist_row_datasets(train_limit=1000, test_limit=256, batch_size=32)
    x, y = next(iter(train))
    assert x.shape == (32, 28, 28) and y.shape == (32,)
    assert 0.0 <= float(x.numpy().min()) and float(x.numpy().max()) <= 1.0
    assert sum(len(b[1]) for b in train) == 700
    assert sum(len(b[1]) for b in validation) == 300
    assert [len(b[1]) for b in test] == [128, 128]


def test_validation_is_the_tail_of_the_training_set():
    from dlnotes.data import load_mnist

    (_, y_train), _ = load_mnist()
    _, validation, _ = mnist_row_datasets(train_limit=1000)
    np.testing.assert_array_equal(np.concatenate([b[1].numpy() for b in validation]), y_train[700:1000])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"train_fraction": 1.0}, "train_fraction must be in"),
        ({"batch_size": 0}, "batch_size must be a positive int"),
        ({"batch_size": True}, "batch_size must be a positive int, got True"),
        ({"train_limit": 5}, "train_limit must be an int >= 10, got 5"),
    ],
)
def test_pipeline_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        mnist_row_datasets(**kwargs)
