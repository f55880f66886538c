"""Custom Keras layers and RNN cells, each registered for saving and loading."""
