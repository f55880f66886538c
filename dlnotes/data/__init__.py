"""Datasets for the course: MNIST (offline first, verified) and small generated ones."""

from dlnotes.data.binarize import binarize, dynamically_binarized
from dlnotes.data.mnist import load_mnist
from dlnotes.data.pipelines import mnist_row_datasets
from dlnotes.data.pixels import to_unit_range
from dlnotes.data.shift import shift_images
from dlnotes.data.toy import as_row_sequences, logic_gate, xor

__all__ = [
    "as_row_sequences",
    "binarize",
    "dynamically_binarized",
    "load_mnist",
    "logic_gate",
    "mnist_row_datasets",
    "shift_images",
    "to_unit_range",
    "xor",
]
