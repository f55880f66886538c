"""A callback that keeps the generator's images for one fixed noise batch after every epoch."""

from __future__ import annotations

import time

import keras
import numpy as np


class TrainingSnapshots(keras.callbacks.Callback):
    """After every epoch: the generator's images for a fixed noise batch (in ``images``), and one progress line.

    Watching the same ``z`` over training shows what the generator learns, and whether its outputs
    all drift to the same picture (mode collapse).
    """

    def __init__(self, noise, verbose: bool = True):
        super().__init__()
        noise = np.asarray(noise, dtype="float32")
        if noise.ndim != 2 or len(noise) == 0:
            raise ValueError(f"TrainingSnapshots: noise must have shape (n, latent_dim), got {noise.shape}")
        self.noise, self.verbose = noise, verbose
        self.images: list[np.ndarray] = []
        self._start = None

    def on_train_begin(self, logs=None):
        self._start = time.perf_counter()

    def cache_state(self) -> dict:
        """The images so far, for dlnotes.model_cache: a GAN loaded from the cache comes with its snapshots."""
        return {"images": list(self.images)}

    def restore_cache_state(self, state: dict) -> None:
        self.images = list(state.get("images", []))

    def on_epoch_end(self, epoch, logs=None):
        self.images.append(keras.ops.convert_to_numpy(self.model.generator(self.noise, training=False)))
        if self.verbose:
            numbers = "  ".join(f"{name} {value:.3f}" for name, value in (logs or {}).items())
            print(f"epoch {epoch + 1:>3}  {numbers}  ({time.perf_counter() - self._start:.0f} s)", flush=True)
