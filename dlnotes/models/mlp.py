"""Chapter 01's MNIST MLP, so that later chapters compare against the same recipe instead of a new one."""

from __future__ import annotations

import numbers

import keras


def mnist_mlp(dropout: float = 0.3, batch_norm: bool = True, width: int = 256, name: str = "mnist_mlp") -> keras.Sequential:
    """Two hidden layers of ``width`` ReLU units on the 784 pixels, each optionally with batch norm (which replaces
    the bias) and dropout; softmax over 10 digits. Uncompiled; chapter 01 trains it with Adam, batch 128."""
    if not isinstance(dropout, numbers.Real) or isinstance(dropout, bool) or not 0 <= dropout < 1:
        raise ValueError(f"mnist_mlp: dropout must be a drop rate in [0, 1), got {dropout!r}")
    if not isinstance(batch_norm, bool):
        raise TypeError(f"mnist_mlp: batch_norm must be True or False, got {batch_norm!r}")
    if not isinstance(width, int) or isinstance(width, bool) or width < 1:
        raise ValueError(f"mnist_mlp: width must be a positive int, got {width!r}")
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
