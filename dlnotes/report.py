"""Record a notebook's key results so that the runner and the tests can read them back.

``record("test_accuracy", 0.97)`` prints the value and stores it in the cell's
output under a dedicated MIME type; :func:`read_metrics` finds it again in the
executed ``.ipynb``.
"""

from __future__ import annotations

import json
import math
import numbers
import re
from pathlib import Path

MIME_TYPE = "application/vnd.dlnotes.metric+json"
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")

_recorded: dict[str, float | int] = {}


def _as_number(name: str, value) -> float | int:
    if hasattr(value, "numpy"):  # a TensorFlow or Keras scalar tensor
        value = value.numpy()
    if hasattr(value, "item") and getattr(value, "shape", None) == ():  # a NumPy scalar
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"record({name!r}): expected a real number, got {type(value).__name__} {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"record({name!r}): expected a finite number, got {value!r}")
    return int(value) if isinstance(value, numbers.Integral) else float(value)


def record(name: str, value) -> float | int:
    """Record ``value`` (a finite number) under ``name`` (lower_snake_case) and show it."""
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise ValueError(f"record: name must be lower_snake_case like 'test_accuracy', got {name!r}")
    value = _as_number(name, value)
    _recorded[name] = value
    text = f"[recorded] {name} = {value:.6g}" if isinstance(value, float) else f"[recorded] {name} = {value}"
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # plain Python without IPython
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display({MIME_TYPE: {"name": name, "value": value}, "text/plain": text}, raw=True)
    else:
        print(text)
    return value


def recorded() -> dict[str, float | int]:
    """The metrics recorded so far in this process."""
    return dict(_recorded)


def read_metrics(notebook: str | Path | dict) -> dict[str, float | int]:
    """The metrics recorded in an executed notebook (a path or its parsed JSON); the last value of a name wins."""
    if isinstance(notebook, (str, Path)):
        path = Path(notebook)
        try:
            notebook = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ValueError(f"read_metrics: cannot read notebook {path}: {exc}") from None
    if not isinstance(notebook, dict) or "cells" not in notebook:
        raise ValueError("read_metrics: expected a notebook path or a notebook dict with 'cells'")
    metrics = {}
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            entry = output.get("data", {}).get(MIME_TYPE)
            if entry is not None:
                metrics[entry["name"]] = entry["value"]
    return metrics
