"""A cache of trained models: a second run of a chapter loads what the first run trained instead of training again.

:func:`fit` is ``model.fit`` with the cache in front of it. It keys a training run by everything that decides
its result: the model's architecture, compile settings and initial variables, the optimizer's state, the data,
the arguments of ``fit``, the callbacks that take part, the state of the random generators, and the versions of
dlnotes, Keras and TensorFlow. The same key a second time loads the trained variables (the optimizer's too), the
history, what the callbacks measured (``cache_state`` in :mod:`dlnotes.callbacks`) and the random generators'
state after training, so that the rest of the notebook runs as if the model had just been trained. The chapter
prints which happened: ``loaded from cache: ...`` or ``trained and cached: ...``.

:func:`restore_or_train` is the same cache for any training (a custom loop, a helper that builds its model).
Entries live in ``$DLNOTES_CACHE_DIR/models`` (default ``~/.cache/dlnotes/models``), a pair of files each: the
arrays (``.npz``) and a description (``.json``, written last). ``DLNOTES_CACHE=off`` turns the cache off (the
tests do, so that they always train); ``retrain=True`` trains and overwrites. A file that cannot be read, or that
does not fit the model, is trained again, never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

CACHE_FORMAT = 1  # raise when the files' layout changes: older entries are then trained again
SWITCH = "DLNOTES_CACHE"  # "off" turns the cache off, "on" (the default) on
LOADED, TRAINED = "loaded from cache:", "trained and cached:"  # how each line the cache prints starts
FIT_ARGUMENTS = {  # the arguments of keras.Model.fit that change what is trained (verbose and callbacks do not)
    "batch_size", "epochs", "validation_split", "shuffle", "class_weight", "sample_weight", "initial_epoch",
    "steps_per_epoch", "validation_steps", "validation_batch_size", "validation_freq",
}


class CacheMiss(Exception):
    """No usable entry; the message says why (none yet, unreadable, made for another model)."""


def cache_dir() -> Path:
    """Where dlnotes keeps what it trained: ``$DLNOTES_CACHE_DIR``, else ``~/.cache/dlnotes``."""
    return Path(os.environ.get("DLNOTES_CACHE_DIR") or Path.home() / ".cache" / "dlnotes")


def count_events(text: str) -> dict:
    """How many models the printed ``text`` (a notebook's output) says were loaded and trained: a second run of a
    chapter should load every one that the first run trained."""
    lines = [line.strip() for line in text.splitlines()]
    return {"loaded": sum(line.startswith(LOADED) for line in lines), "trained": sum(line.startswith(TRAINED) for line in lines)}


def cache_enabled() -> bool:
    """False when ``DLNOTES_CACHE=off``; a value other than on or off is a mistake and raises."""
    value = os.environ.get(SWITCH, "on").strip().lower()
    if value not in ("on", "off"):
        raise ValueError(f"{SWITCH} must be 'on' or 'off', got {value!r}; unset it to use the cache")
    return value == "on"


# --- keys -----------------------------------------------------------------------------------------------------


def fingerprint(*parts) -> str:
    """A SHA-256 hex digest of ``parts``: arrays (by dtype, shape and bytes), numbers, strings, None, and lists,
    tuples and dicts of them. Anything else raises TypeError: a key must not depend on an object's address."""
    digest = hashlib.sha256()
    _feed(digest, parts)
    return digest.hexdigest()


def _feed(digest, value) -> None:
    if value is None or isinstance(value, (bool, int, float, str, bytes)):
        digest.update(f"{type(value).__name__}:{value!r};".encode())
    elif isinstance(value, dict):
        digest.update(f"dict{len(value)}:".encode())
        for key in sorted(value, key=str):
            _feed(digest, str(key))
            _feed(digest, value[key])
    elif isinstance(value, (list, tuple)):
        digest.update(f"list{len(value)}:".encode())
        for item in value:
            _feed(digest, item)
    elif isinstance(value, (np.ndarray, np.generic)) or hasattr(value, "numpy"):
        array = np.ascontiguousarray(value.numpy() if hasattr(value, "numpy") else value)
        digest.update(f"array:{array.dtype.str}:{array.shape};".encode())
        digest.update(array.tobytes())
    else:
        raise TypeError(
            f"fingerprint: cannot identify a {type(value).__name__} by its content; pass arrays, numbers, strings "
            "or lists and dicts of them"
        )


def versions() -> dict:
    import keras
    import tensorflow as tf

    return {"dlnotes": metadata.version("dlnotes"), "keras": keras.__version__, "tensorflow": tf.__version__}


# --- entries on disk ------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What :func:`restore_or_train` gives back: the model, the ``info`` and ``arrays`` that training returned
    (or that the cache kept), whether it was loaded, and the entry's files (None with the cache off)."""

    model: object
    info: dict
    arrays: dict
    loaded: bool
    path: Path | None


def restore_or_train(name: str, key_parts, build, train, retrain: bool = False, directory=None, echo=print) -> Outcome:
    """The model that ``train()`` makes, from the cache when ``key_parts`` were trained before.

    ``build()`` returns the model to fill from the cache (the same architecture, untrained); ``train()`` trains and
    returns ``(model, info, arrays)``: ``info`` a JSON-able dict and ``arrays`` a dict of NumPy arrays that the
    caller needs again after a load (a history, a log). The model's variables and those of each optimizer it holds
    are stored, and so is the state of the random generators after training, which a load restores: the cells
    after it draw the same numbers as after training. ``directory`` overrides :func:`cache_dir`; ``echo=None``
    prints nothing.
    """
    from dlnotes.validation import bool_flag

    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"restore_or_train: name must be a non-empty str (it names the model and its file), got {name!r}")
    retrain = bool_flag("restore_or_train", "retrain", retrain)
    echo = echo or (lambda text: None)
    explicit = directory is not None
    if not explicit and not cache_enabled():
        model, info, arrays = train()
        echo(f"trained: {name} (the cache is off: {SWITCH}=off)")
        return Outcome(model, info, arrays, loaded=False, path=None)
    key = fingerprint(CACHE_FORMAT, versions(), key_parts)
    file_name = re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_")  # "GD (full batch)" -> GD_full_batch
    stem = Path(directory if explicit else cache_dir() / "models") / f"{file_name}-{key[:20]}"
    if not retrain:
        try:
            model = build()
            info, arrays = _load_into(model, stem)
            echo(f"{LOADED} {name} ({_shown(stem)}.npz; RETRAIN = True trains it again)")
            return Outcome(model, info, arrays, loaded=True, path=stem)
        except CacheMiss as miss:
            if str(miss):
                echo(f"the cached {name} is not usable ({miss}): training it again")
    start = time.perf_counter()
    model, info, arrays = train()
    _save(model, info, arrays, stem, seconds=time.perf_counter() - start, key_parts=key_parts)
    echo(f"{TRAINED} {name} ({_shown(stem)}.npz)")
    return Outcome(model, info, arrays, loaded=False, path=stem)


def _shown(path: Path) -> str:
    """``path`` with the home folder written ``~``: shorter, and the same on every account."""
    try:
        return "~/" + str(Path(path).relative_to(Path.home()))
    except ValueError:
        return str(path)


def _optimizers(model) -> dict:
    """The optimizers a model holds, by attribute name (``optimizer``; a GAN's two)."""
    import keras

    return {name: value for name, value in sorted(vars(model).items()) if isinstance(value, keras.optimizers.Optimizer)}


def _save(model, info: dict, arrays: dict, stem: Path, seconds: float, key_parts) -> None:
    stored = {f"extra/{key}": np.asarray(value) for key, value in arrays.items()}
    stored |= {f"variable/{i:04d}": np.asarray(v.numpy()) for i, v in enumerate(model.variables)}
    for attribute, optimizer in _optimizers(model).items():
        stored |= {f"optimizer/{attribute}/{i:04d}": np.asarray(v.numpy()) for i, v in enumerate(optimizer.variables)}
    description = {"format": CACHE_FORMAT, **versions(), "trained_seconds": round(seconds, 1),
                   "created": time.strftime("%Y-%m-%d %H:%M:%S"), "info": info, "random_after": _random_state(),
                   # which part of the key changed, when a run trains where it was expected to load
                   "key_parts": {part: fingerprint(value)[:12] for part, value in key_parts.items()}
                   if isinstance(key_parts, dict) else fingerprint(key_parts)[:12],
                   "optimized_variables": _optimized_variables(model)}
    stem.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write(stem.with_suffix(".npz"), lambda path: np.savez(path, **stored))
    # the description last: a reader finds it only once the arrays are complete
    _atomic_write(stem.with_suffix(".json"), lambda path: Path(path).write_text(json.dumps(description, indent=1)))


def _optimized_variables(model) -> dict:
    """For each optimizer that has stepped, the positions in ``model.trainable_variables`` of the variables it
    updates (a GAN's two optimizers each update one network): a load builds it for the same ones. An optimizer
    that never stepped (the GAN's unused default one) has no state to load and is left out."""
    position = {id(variable): i for i, variable in enumerate(model.trainable_variables)}
    return {attribute: [position[id(v)] for v in optimizer._trainable_variables]  # Keras keeps no public list
            for attribute, optimizer in _optimizers(model).items() if optimizer.built}


def _load_into(model, stem: Path) -> tuple[dict, dict]:
    """Assign the stored variables to ``model`` (and its optimizers); CacheMiss when anything does not fit.

    Everything is read and checked before the first assignment, so a bad file leaves the model untouched.
    """
    description, npz = stem.with_suffix(".json"), stem.with_suffix(".npz")
    if not description.is_file() or not npz.is_file():
        raise CacheMiss("")  # nothing cached yet: not worth a message
    try:
        described = json.loads(description.read_text(encoding="utf-8"))
        info, random_after, optimized = described["info"], described["random_after"], described["optimized_variables"]
        with np.load(npz, allow_pickle=False) as archive:
            stored = {key: archive[key] for key in archive.files}
    except Exception as exc:  # a truncated zip, bad JSON, a missing key: all mean "train again"
        raise CacheMiss(f"{type(exc).__name__}: {exc}") from None
    assignments = _matching(stored, "variable/", list(model.variables))
    for attribute, optimizer in _optimizers(model).items():
        if attribute in optimized and not optimizer.built:
            trainable = model.trainable_variables
            optimizer.build([trainable[i] for i in optimized[attribute]])
        assignments += _matching(stored, f"optimizer/{attribute}/", list(optimizer.variables))
    for variable, value in assignments:
        variable.assign(value)
    _set_random_state(random_after)
    arrays = {key.removeprefix("extra/"): value for key, value in stored.items() if key.startswith("extra/")}
    return info, arrays


def _matching(stored: dict, prefix: str, variables: list) -> list:
    values = [stored[key] for key in sorted(stored) if key.startswith(prefix)]
    if len(values) != len(variables) or any(tuple(v.shape) != value.shape for v, value in zip(variables, values)):
        raise CacheMiss(f"its {prefix.rstrip('/')} arrays do not match the model's ({len(values)} vs {len(variables)})")
    return list(zip(variables, values))


def _atomic_write(path: Path, write) -> None:
    """Write through a temporary file in the same folder, so that a concurrent reader never sees half a file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=path.suffix)
    os.close(handle)
    try:
        write(temporary)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; a cache is as readable as any other file
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


# --- fit with the cache ---------------------------------------------------------------------------------------


def fit(model, x=None, y=None, *, name: str | None = None, retrain: bool = False, data_key=None, progress=True,
        callbacks=None, validation_data=None, **fit_arguments):
    """``model.fit(x, y, ...)``, or the same training loaded from the cache; returns a ``keras.callbacks.History``.

    ``name`` labels the progress lines and the cache file (default: the model's name). ``data_key`` identifies
    data that cannot be read without consuming it (a ``tf.data.Dataset``, a generator): the arrays it is made
    from, with its batch size and seed. Such a pipeline may keep state that the key cannot see: one that reshuffles
    every epoch draws another order after each epoch. A loaded model draws nothing, so when a later model on the
    same pipeline is trained (its entry missing), it sees another order than in the run that cached the first;
    put what came before into its ``data_key`` when that matters, or ``retrain``.

    ``progress`` prints a line per epoch (:class:`~dlnotes.callbacks.EpochProgress`); the callbacks must be Keras's
    own or have ``cache_state`` (:mod:`dlnotes.callbacks`), so that what they measured comes back with a loaded model.
    """
    import keras

    from dlnotes.callbacks import EpochProgress
    from dlnotes.validation import bool_flag

    if not isinstance(model, keras.Model):
        raise TypeError(f"fit: model must be a keras.Model, got {type(model).__name__}")
    if getattr(model, "optimizer", None) is None:
        raise ValueError(f"fit: compile {model.name!r} before fitting it (model.compile(optimizer=..., loss=...))")
    unknown = set(fit_arguments) - FIT_ARGUMENTS - {"verbose"}
    if unknown:
        raise TypeError(f"fit: unexpected argument(s) {sorted(unknown)}; keras.Model.fit takes {sorted(FIT_ARGUMENTS)}")
    name = model.name if name is None else name
    progress = bool_flag("fit", "progress", progress)
    callbacks = list(callbacks or [])
    for callback in callbacks:
        if not hasattr(callback, "cache_state") and (
            not type(callback).__module__.startswith("keras.") or isinstance(callback, keras.callbacks.LambdaCallback)
        ):
            raise TypeError(
                f"fit: the callback {type(callback).__name__} has no cache_state(), so what it collects would be "
                "missing when the model comes from the cache; use one of dlnotes.callbacks (EpochScore computes a "
                "number per epoch) or give it cache_state() and restore_cache_state(state)"
            )
    data = {"x": x, "y": y, "validation_data": validation_data} if data_key is None else {"data_key": data_key}
    try:
        data_id = fingerprint(data)
    except TypeError:
        raise ValueError(
            f"fit: the data of {name!r} cannot be identified by its content (a tf.data.Dataset or a generator); "
            "pass data_key=(the arrays it is made from, its batch size, its seed)"
        ) from None
    key_parts = {
        "model": _architecture(model),
        "compile": _canonical_names(json.loads(json.dumps(model.get_compile_config(), default=_qualified_name))),
        "jit_compile": str(model.jit_compile),
        "variables": [v.numpy() for v in model.variables],
        "optimizers": {a: [v.numpy() for v in o.variables] for a, o in _optimizers(model).items()},
        "data": data_id,
        "fit": {key: value for key, value in fit_arguments.items() if key != "verbose"},
        "callbacks": [[type(c).__qualname__, c.cache_key() if hasattr(c, "cache_key") else None] for c in callbacks],
        "random": _random_state(),
    }
    watched = callbacks + ([EpochProgress(label=name)] if progress else [])

    def train():
        history = trained["history"] = model.fit(x, y, validation_data=validation_data, callbacks=watched,
                            **{"verbose": 0, **fit_arguments})
        arrays = {f"history/{key}": np.array(values, dtype=np.float64) for key, values in history.history.items()}
        for i, callback in enumerate(c for c in callbacks if hasattr(c, "cache_state")):
            arrays |= _flatten(f"callback/{i}", callback.cache_state())
        info = {"epoch": history.epoch, "params": history.params}
        return model, info, arrays

    trained = {}
    outcome = restore_or_train(name, key_parts, build=lambda: model, train=train, retrain=retrain)
    if not outcome.loaded:
        return trained["history"]
    for i, callback in enumerate(c for c in callbacks if hasattr(c, "cache_state")):
        callback.restore_cache_state(_unflatten(f"callback/{i}", outcome.arrays))
    history = keras.callbacks.History()
    history.set_model(model)
    history.history = {key.removeprefix("history/"): [float(v) for v in values]
                       for key, values in outcome.arrays.items() if key.startswith("history/")}
    history.epoch, history.params = outcome.info["epoch"], outcome.info["params"]
    model.history = history
    return history


def _qualified_name(value) -> str:
    """A function or other object in a compile config, named by what it is, not by where it lives in memory."""
    return getattr(value, "__qualname__", type(value).__qualname__)


def _architecture(model):
    try:
        return _canonical_names(json.loads(model.to_json()))
    except (NotImplementedError, TypeError, ValueError):  # a subclassed model without a full config
        return [type(model).__qualname__, [(list(v.shape), str(v.dtype)) for v in model.variables]]


def _canonical_names(config):
    """``config`` with every name replaced by its order of appearance (``#0``, ``#1``, ...), references included.

    Keras numbers default names (dense, dense_1, ...; adam, adam_1) by how many objects the session made before,
    which changes nothing in training but would change the key; renaming them in order keeps the structure that
    the names carry (which layer feeds which) and drops the numbering.
    """
    names = {}

    def collect(value):
        if isinstance(value, dict):
            if isinstance(value.get("name"), str):
                names.setdefault(value["name"], f"#{len(names)}")
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    def rename(value):
        if isinstance(value, dict):
            return {key: rename(item) for key, item in value.items()}
        if isinstance(value, list):
            return [rename(item) for item in value]
        return names.get(value, value) if isinstance(value, str) else value

    collect(config)
    return rename(config)


def _flatten(prefix: str, state: dict) -> dict:
    """A callback's state as named arrays: ``callback/0/weights/0003`` for the 4th array of a list."""
    arrays = {}
    for key, value in state.items():
        if isinstance(value, list) and value and isinstance(value[0], np.ndarray):
            arrays |= {f"{prefix}/{key}/{j:04d}": item for j, item in enumerate(value)}
        else:
            arrays[f"{prefix}/{key}"] = np.asarray(value)
    return arrays


def _unflatten(prefix: str, arrays: dict) -> dict:
    state = {}
    for key in sorted(arrays):
        if key.startswith(prefix + "/"):
            parts = key[len(prefix) + 1:].split("/")
            if len(parts) == 2:
                state.setdefault(parts[0], []).append(arrays[key])
            else:
                state[parts[0]] = arrays[key]
    return state


# --- the random generators --------------------------------------------------------------------------------------


def _random_state() -> dict:
    """The state of every generator that training draws from: Python's, NumPy's, TensorFlow's op seeds, Keras's."""
    from tensorflow.python.eager import context  # op seeds come from a Random that tf.random.set_seed makes

    numpy_state = np.random.get_state(legacy=False)
    tensorflow_random = getattr(context.context(), "_rng", None)
    keras_generator = _keras_seed_generator()
    return {
        "python": _jsonable(random.getstate()),
        "numpy": {"key": numpy_state["state"]["key"].tolist(), "pos": numpy_state["state"]["pos"],
                  "has_gauss": numpy_state["has_gauss"], "gauss": numpy_state["gauss"]},
        "tensorflow": None if tensorflow_random is None else _jsonable(tensorflow_random.getstate()),
        "keras": None if keras_generator is None else keras_generator.state.numpy().tolist(),
    }


def _set_random_state(state: dict) -> None:
    from tensorflow.python.eager import context

    random.setstate(_as_tuples(state["python"]))
    numpy = state["numpy"]
    np.random.set_state({"bit_generator": "MT19937", "state": {"key": np.array(numpy["key"], np.uint32),
                         "pos": numpy["pos"]}, "has_gauss": numpy["has_gauss"], "gauss": numpy["gauss"]})
    tensorflow_random = getattr(context.context(), "_rng", None)
    if state["tensorflow"] is not None and tensorflow_random is not None:
        tensorflow_random.setstate(_as_tuples(state["tensorflow"]))
    keras_generator = _keras_seed_generator()
    if state["keras"] is not None and keras_generator is not None:
        keras_generator.state.assign(np.array(state["keras"], dtype=keras_generator.state.dtype))


def _keras_seed_generator():
    """Keras's global seed generator when one exists (looking it up must not create one: that draws a seed)."""
    from keras.src.backend.common import global_state

    return global_state.get_global_attribute("global_seed_generator")


def _jsonable(value):
    return [_jsonable(v) for v in value] if isinstance(value, (list, tuple)) else value


def _as_tuples(value):
    return tuple(_as_tuples(v) for v in value) if isinstance(value, list) else value
