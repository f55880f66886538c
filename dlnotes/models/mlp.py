"""Chapter 01's MNIST MLP, so that later chapters compare against the same recipe instead of a new one."""

from __future__ import annotations

import keras

from dlnotes.validation import bool_flag, number_in_range, positive_int


def mnist_mlp(dropout: float = 0.3, batch_norm: bool = True, width: int = 256, name: str = "mnist_mlp") -> keras.Sequential:
    """Two hidden layers of ``width`` ReLU units on the 784 pixels, each optionally with batch norm (which replaces
    the bias) and dropout; softmax over 10 digits. Uncompiled; chapter 01 trains it with Adam, batch 128."""
    dropout = number_in_range("mnist_mlp", "dropout", dropout, low=0, high=1)
    batch_norm = bool_flag("mnist_mlp", "batch_norm", batch_norm)
    width = positive_int("mnist_mlp", "width", width)
    layers = [keras.Input(shape=(784,), name="pixels")]
    for _ in range(2):
        layers.append(keras.layers.Dense(width, use_bias=not batch_norm))  # BN's beta replaces the bias
        if batch_norm:
            layers.append(keras.layers.BatchNormalization())
        layers.append(keras.layers.Activation("relu"))
        if dropout:
            layers.append(keras.layers.Dropout(dropout))
    layers.append(keras.layers.Dense(10, activation="softmax"))
    return keras.Sequential(layers, name=name)
