"""Keras callbacks that the chapters use to measure a training run."""

from __future__ import annotations

import time

import keras
import numpy as np


class EpochTimer(keras.callbacks.Callback):
    """Wall-clock seconds of every epoch (validation included), in ``seconds``.

    :meth:`steady_seconds` leaves out the first epoch, which also pays for tracing and compilation.
    """

    def __init__(self):
        super().__init__()
        self.seconds: list[float] = []
        self._start = None

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)

    def steady_seconds(self) -> float:
        """The median epoch time after the first one (the first one alone if only one ran)."""
        if not self.seconds:
            raise RuntimeError("EpochTimer: no epoch has finished yet; pass the timer to fit(callbacks=[...])")
        later = self.seconds[1:] or self.seconds
        return float(np.median(later))


class WeightsAtEpoch(keras.callbacks.Callback):
    """Keeps a copy of the model's weights at the end of epoch ``epoch`` (1-based), in ``weights``.

    One run then answers "how good was it after fewer epochs?" without training again.
    """

    def __init__(self, epoch: int):
        super().__init__()
        if not isinstance(epoch, int) or isinstance(epoch, bool) or epoch < 1:
            raise ValueError(f"WeightsAtEpoch: epoch must be a positive int (1 = after the first epoch), got {epoch!r}")
        self.epoch = epoch
        self.weights = None

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.epoch:  # Keras counts epochs from 0
            self.weights = [np.copy(w) for w in self.model.get_weights()]
