"""Datasets for the course: MNIST (offline first, verified) and small generated ones."""

from dlnotes.data.mnist import load_mnist
from dlnotes.data.pipelines import mnist_row_datasets
from dlnotes.data.toy import as_row_sequences, logic_gate, xor

__all__ = ["as_row_sequences", "load_mnist", "logic_gate", "mnist_row_datasets", "xor"]
