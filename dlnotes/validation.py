"""The argument checks that dlnotes repeats everywhere, written once, each with a message that says what to pass.

Every check names the function and the argument (``"split_cpu: count must be a positive int, got 0"``) and
returns the value in the form the caller uses (a plain ``int``, a ``tuple``). ``True`` is not an int here,
although Python says ``isinstance(True, int)``: ``epochs=True`` is a mistake, not 1. NumPy integers are ints.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

# How an int with this lower bound is described in a message
_AT_LEAST = {0: "a non-negative int", 1: "a positive int"}


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def int_at_least(where: str, name: str, value, minimum: int) -> int:
    """``value`` as an int when it is an int (not a bool) and at least ``minimum``; else ValueError."""
    if not _is_int(value) or value < minimum:
        wanted = _AT_LEAST.get(minimum, f"an int >= {minimum}")
        raise ValueError(f"{where}: {name} must be {wanted}, got {value!r}")
    return int(value)


def positive_int(where: str, name: str, value) -> int:
    """``value`` as an int when it is an int >= 1 (not a bool); else ValueError."""
    return int_at_least(where, name, value, 1)


def non_negative_int(where: str, name: str, value) -> int:
    """``value`` as an int when it is an int >= 0 (not a bool); else ValueError."""
    return int_at_least(where, name, value, 0)


def int_value(where: str, name: str, value) -> int:
    """``value`` as an int when it is an int of any sign (not a bool); else TypeError. For ints whose range the
    caller checks itself (an offset, an index bounded by the data)."""
    if not _is_int(value):
        raise TypeError(f"{where}: {name} must be an int, got {value!r}")
    return int(value)


def optional_seed(where: str, seed) -> int | None:
    """A random seed: an int (not a bool) or None (a fresh draw each time); else TypeError."""
    if seed is not None and not _is_int(seed):
        raise TypeError(f"{where}: seed must be an int or None, got {seed!r}")
    return None if seed is None else int(seed)


def bool_flag(where: str, name: str, value) -> bool:
    """``value`` as a ``bool`` when it is True or False (a NumPy bool too); else TypeError: 1 or "False" is a mistake."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where}: {name} must be True or False, got {value!r}")
    return bool(value)


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def positive_number(where: str, name: str, value) -> int | float:
    """``value`` (int or float, as given) when it is a real number > 0 (not a bool); else ValueError."""
    if not (_is_real(value) and value > 0):  # NaN fails "> 0"
        raise ValueError(f"{where}: {name} must be a positive number, got {value!r}")
    return int(value) if isinstance(value, numbers.Integral) else float(value)


def number_in_range(where: str, name: str, value, low: float, high: float = math.inf, closed: bool = False) -> float:
    """``value`` as a float when it is a real number (not a bool) in [low, high), or [low, high] when ``closed``;
    else ValueError. With no ``high``: any number >= ``low``."""
    if high == math.inf:
        inside, wanted = _is_real(value) and value >= low, "a non-negative number" if low == 0 else f"a number >= {low:g}"
    else:
        inside = _is_real(value) and low <= value and (value <= high if closed else value < high)
        wanted = f"a number in [{low:g}, {high:g}{']' if closed else ')'}"
    if not inside:  # NaN is inside no range
        raise ValueError(f"{where}: {name} must be {wanted}, got {value!r}")
    return float(value)


def finite_number(where: str, value) -> int | float:
    """``value`` as a Python int or float when it is a finite real number (not a bool); else TypeError or ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where}: expected a real number, got {type(value).__name__} {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{where}: expected a finite number, got {value!r}")
    return int(value) if isinstance(value, numbers.Integral) else float(value)


def layer_sizes(where: str, name: str, sizes, allow_empty: bool = False) -> tuple[int, ...]:
    """Layer widths or filter counts: a tuple or list of positive ints, empty only when ``allow_empty``."""
    wanted = "a sequence of positive ints" if allow_empty else "a non-empty sequence of positive ints"
    if not isinstance(sizes, (tuple, list)) or not (sizes or allow_empty) or not all(_is_int(s) and s > 0 for s in sizes):
        raise ValueError(f"{where}: {name} must be {wanted}, got {sizes!r}")
    return tuple(int(size) for size in sizes)


def real_matrix(where: str, x, n_features: int | None = None):
    """``x`` as a finite float64 (examples, features) array, or a ValueError naming ``where`` and the problem.

    ``n_features``: the width the caller was fitted on; a matrix of another width is rejected.
    """
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"{where}: expected a non-empty 2-D array (examples, features), got shape {x.shape}")
    if not np.issubdtype(x.dtype, np.number) or np.issubdtype(x.dtype, np.complexfloating):
        raise ValueError(f"{where}: expected real numbers, got dtype {x.dtype}")
    x = x.astype(np.float64)
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{where}: the data contains NaN or infinite values")
    if n_features is not None and x.shape[1] != n_features:
        raise ValueError(f"{where}: expected {n_features} features per example (the width it was fitted on), got {x.shape[1]}")
    return x
