"""Record a notebook's key results so that the runner and the tests can read them back.

``record("test_accuracy", 0.97)`` prints the value and stores it in the cell's
output under a dedicated MIME type; the course runner finds it again in the
executed ``.ipynb`` (``dlnotes.course.notebooks.read_metrics``).
"""

from __future__ import annotations

import re

from dlnotes.display import show
from dlnotes.validation import finite_number

MIME_TYPE = "application/vnd.dlnotes.metric+json"
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")

_recorded: dict[str, float | int] = {}


def _as_number(name: str, value) -> float | int:
    if hasattr(value, "numpy"):  # a TensorFlow or Keras scalar tensor
        value = value.numpy()
    if hasattr(value, "item") and getattr(value, "shape", None) == ():  # a NumPy scalar
        value = value.item()
    return finite_number(f"record({name!r})", value)


def record(name: str, value) -> float | int:
    """Record ``value`` (a finite number) under ``name`` (lower_snake_case) and show it."""
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise ValueError(f"record: name must be lower_snake_case like 'test_accuracy', got {name!r}")
    value = _as_number(name, value)
    _recorded[name] = value
    text = f"[recorded] {name} = {value:.6g}" if isinstance(value, float) else f"[recorded] {name} = {value}"
    show(text, MIME_TYPE, {"name": name, "value": value})
    return value


def recorded() -> dict[str, float | int]:
    """The metrics recorded so far in this process."""
    return dict(_recorded)

