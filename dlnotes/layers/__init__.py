"""Custom Keras layers and RNN cells, each registered for saving and loading."""

from dlnotes.layers.recurrent import GRUCell, LSTMCell, gate_activations
from dlnotes.layers.sampling import Sampling
from dlnotes.layers.tied import TiedDense

__all__ = ["GRUCell", "LSTMCell", "Sampling", "TiedDense", "gate_activations"]
