"""mnist_mlp: chapter 01's MLP recipe as a builder."""

import keras
import pytest

from dlnotes.models.mlp import mnist_mlp


def test_layers_and_parameters():
    model = mnist_mlp()
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Dense", "BatchNormalization", "Activation", "Dropout"] * 2 + ["Dense"]
    assert model.count_params() == 784 * 256 + 4 * 256 + 256 * 256 + 4 * 256 + 256 * 10 + 10
    plain = mnist_mlp(dropout=0.0, batch_norm=False, width=32)
    assert [type(layer).__name__ for layer in plain.layers] == ["Dense", "Activation"] * 2 + ["Dense"]
    assert plain.count_params() == (784 * 32 + 32) + (32 * 32 + 32) + (32 * 10 + 10)


def test_saves_and_reloads(tmp_path):
    model = mnist_mlp()
    model.save(tmp_path / "mlp.keras")
    assert keras.saving.load_model(tmp_path / "mlp.keras").count_params() == model.count_params()


def test_bad_input_is_rejected():
    with pytest.raises(ValueError, match=r"mnist_mlp: dropout must be a number in \[0, 1\), got"):
        mnist_mlp(dropout=1)
    with pytest.raises(TypeError, match="batch_norm must be True or False"):
        mnist_mlp(batch_norm=1)
    with pytest.raises(ValueError, match="width must be a positive int"):
        mnist_mlp(width=0)
