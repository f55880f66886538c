"""Custom Keras layers and RNN cells, each registered for saving and loading."""

from dlnotes.layers.recurrent import GRUCell, LSTMCell, gate_activations

__all__ = ["GRUCell", "LSTMCell", "gate_activations"]
