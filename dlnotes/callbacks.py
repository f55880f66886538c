"""Keras callbacks that the chapters use to watch and measure a training run: a progress line per epoch, epoch
times, weight snapshots, gradient norms, a score per epoch.

A callback whose results a chapter reads after ``fit`` keeps them in plain attributes and gives them to the model
cache (:mod:`dlnotes.model_cache`) through ``cache_state()`` and ``restore_cache_state(state)``: a model loaded
from the cache then comes with the same epoch times, snapshots and norms as the run that trained it.
"""

from __future__ import annotations

import time
from functools import partial

import keras
import numpy as np

from dlnotes.validation import positive_int, positive_number


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

    def cache_state(self) -> dict:
        return {"seconds": np.array(self.seconds, dtype=np.float64)}

    def restore_cache_state(self, state: dict) -> None:
        self.seconds = [float(s) for s in state["seconds"]]


class EpochProgress(EpochTimer):
    """One line per epoch: ``epoch 3/20: loss 0.1234, accuracy 0.9712, val_loss 0.1502 (4.1 s)``.

    An epoch that runs longer than ``every_seconds`` also gets a line at that interval, with the step reached and
    the running loss, so that no cell stays silent for longer. ``label`` starts every line (a model's name when a
    cell trains several). ``fit(verbose=0, callbacks=[EpochProgress()])`` replaces Keras's two lines an epoch
    (``verbose=2``) or its progress bar, which an executed notebook stores as thousands of carriage returns.
    """

    def __init__(self, label: str = "", every_seconds: float = 30.0, echo=None):
        super().__init__()
        if not isinstance(label, str):
            raise TypeError(f"EpochProgress: label must be a str, got {label!r}")
        self.label = f"{label}: " if label else ""
        self.every_seconds = positive_number("EpochProgress", "every_seconds", every_seconds)
        self.echo = echo or partial(print, flush=True)  # flushed: the line shows while the cell still runs
        self._last_line = self._epoch = None

    def on_epoch_begin(self, epoch, logs=None):
        super().on_epoch_begin(epoch, logs)
        self._last_line, self._epoch = self._start, epoch + 1  # epoch counts from fit's initial_epoch

    def on_train_batch_end(self, batch, logs=None):
        now = time.perf_counter()  # cheap enough for every step; a line only every every_seconds
        if now - self._last_line >= self.every_seconds:
            self._last_line = now
            steps = self.params.get("steps")
            of = f"/{steps}" if steps else ""
            loss = f", loss {logs['loss']:.4g}" if logs and "loss" in logs else ""
            self.echo(f"{self.label}epoch {self._epoch}/{self.params.get('epochs')}: step {batch + 1}{of}"
                      f"{loss} ({now - self._start:.0f} s)")

    def on_epoch_end(self, epoch, logs=None):
        super().on_epoch_end(epoch, logs)
        self.echo(f"{self.label}epoch {epoch + 1}/{self.params.get('epochs')}: {format_logs(logs)} "
                  f"({self.seconds[-1]:.1f} s)")


def format_logs(logs: dict | None) -> str:
    """``loss 0.1234, accuracy 0.9712``: every number Keras logged, four significant digits."""
    return ", ".join(f"{name} {float(value):.4g}" for name, value in (logs or {}).items())


class WeightsAtEpoch(keras.callbacks.Callback):
    """Keeps a copy of the model's weights at the end of epoch ``epoch`` (1-based), in ``weights``.

    One run then answers "how good was it after fewer epochs?" without training again.
    """

    def __init__(self, epoch: int):
        super().__init__()
        self.epoch = positive_int("WeightsAtEpoch", "epoch (1 = after the first epoch)", epoch)
        self.weights = None

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.epoch:  # Keras counts epochs from 0
            self.weights = [np.copy(w) for w in self.model.get_weights()]

    def cache_state(self) -> dict:
        return {} if self.weights is None else {"weights": self.weights}

    def restore_cache_state(self, state: dict) -> None:
        self.weights = state.get("weights")

    def cache_key(self) -> int:
        return self.epoch


class GradientNormLog(keras.callbacks.Callback):
    """The global norm of every training step's gradient, in ``norms`` (one float per step, all epochs in order).

    The global norm is the norm of all the gradients taken together, sqrt(sum of every squared entry): the
    quantity that ``global_clipnorm`` compares with its threshold. It is logged as the model computed it,
    before the optimizer clips it, so a run with clipping shows how often and by how much clipping acts.
    Under a multi-replica strategy it is the norm of the gradient summed over the replicas (the one applied).

    Keras hands callbacks no gradients, so for the duration of ``fit`` the optimizer's ``apply`` is wrapped to
    write the norm into a buffer before it updates the weights; the step is retraced to include the wrapper, and
    ``on_train_end`` restores the optimizer. The buffer is read once an epoch: a per-step hook would make Keras
    stop and hand over its logs at every step, which costs more than the step's own norm. The update itself is
    unchanged (a test checks the weights bit for bit), so logging does not alter the recipe being observed.
    """

    def __init__(self):
        super().__init__()
        self.norms: list[float] = []
        self._buffer = self._count = self._optimizer = None

    def on_train_begin(self, logs=None):
        import tensorflow as tf

        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is None:
            raise RuntimeError("GradientNormLog: the model has no optimizer; compile it before fit(callbacks=[...])")
        steps = self.params.get("steps")
        if not steps:
            raise ValueError(
                f"GradientNormLog: fit must know the number of steps per epoch, got {steps!r}; pass data of known "
                "length (arrays, or a tf.data.Dataset whose len() works) or fit(..., steps_per_epoch=N)"
            )
        strategy = self.model.distribute_strategy
        replicas = strategy.num_replicas_in_sync
        with strategy.scope():
            # every replica writes the same all-reduced norm, so reading the first replica's copy is enough
            sync = (
                dict(synchronization=tf.VariableSynchronization.ON_READ, aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)
                if replicas > 1
                else {}
            )
            self._buffer = tf.Variable(tf.zeros(steps), trainable=False, **sync)
            self._count = tf.Variable(0, trainable=False, dtype=tf.int32, **sync)
        apply = optimizer.apply

        def apply_and_log(grads, trainable_variables=None):
            present = [tf.cast(g, tf.float32) for g in grads if g is not None]
            context = tf.distribute.get_replica_context()
            if replicas > 1 and context is not None:
                present = context.all_reduce(tf.distribute.ReduceOp.SUM, present)
            norm = tf.linalg.global_norm(present)
            self._buffer.assign(tf.tensor_scatter_nd_update(self._buffer, [[self._count]], [norm]))
            self._count.assign_add(1)
            return apply(grads, trainable_variables)

        optimizer.apply = apply_and_log  # the instance attribute shadows the class's method
        self._optimizer = optimizer
        self.model.make_train_function(force=True)  # a step traced before would not call the wrapper

    def on_epoch_end(self, epoch, logs=None):
        steps = int(self._count.read_value())
        self.norms += [float(norm) for norm in self._buffer.read_value()[:steps].numpy()]
        self._count.assign(0)

    def cache_state(self) -> dict:
        return {"norms": np.array(self.norms, dtype=np.float64)}

    def restore_cache_state(self, state: dict) -> None:
        self.norms = [float(n) for n in state["norms"]]

    def on_train_end(self, logs=None):
        if self._optimizer is not None:
            del self._optimizer.apply  # back to the class's method
            self._optimizer = None
            self.model.make_train_function(force=True)  # later fits run without the wrapper


class EpochScore(keras.callbacks.Callback):
    """``score(model)`` after every epoch, in ``scores``: a test-set number per epoch that Keras does not compute
    (``EpochScore(lambda model: adding_score(y_test, model.predict(x_test, verbose=0)))``).

    ``name`` identifies the score for the model cache, which cannot look inside the function: give another name
    when the function measures something else.
    """

    def __init__(self, score, name: str):
        super().__init__()
        if not callable(score):
            raise TypeError(f"EpochScore: score must be a function of the model, got {score!r}")
        if not isinstance(name, str) or not name:
            raise ValueError(f"EpochScore: name must be a non-empty str naming what score measures, got {name!r}")
        self.score, self.name = score, name
        self.scores: list[float] = []

    def on_epoch_end(self, epoch, logs=None):
        self.scores.append(float(self.score(self.model)))

    def cache_state(self) -> dict:
        return {"scores": np.array(self.scores, dtype=np.float64)}

    def restore_cache_state(self, state: dict) -> None:
        self.scores = [float(s) for s in state["scores"]]

    def cache_key(self) -> str:
        return self.name
