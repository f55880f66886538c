"""The data channel between a student's kernel and the judge: answers as plain data, never verdicts.

The grader never lets a submission's kernel decide a score. In that kernel, in place of each official check
cell, the grader runs :func:`export_answers`: it writes the exercise's answer names (the names the solution
code assigns and the check reads) to a JSON file, as plain data: numbers, strings, tuples, lists, dicts and
arrays. An answer that is a function cannot travel as data, so it is called, in the student's kernel, on the
inputs the official check gave the reference solution (recorded by :func:`start_recording` in the judge), and
its outputs travel instead. The judge (:mod:`dlnotes.course.grading.judge`), a kernel that runs only the
teacher's notebook, reads that data back with :func:`bind_answers` and runs the official check cell on it.

Whatever a submission patches in its own kernel (the checker, NumPy, builtins) can only change the data it
sends, which is no more than an answer it could have written by hand. Decoding is data only: no pickle, no
code, unknown tags refused.

This module is imported by both kernels: it imports NumPy and the standard library only (TensorFlow only when
the kernel has already loaded it).
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import numpy as np

BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")  # np.random's, rebuilt from their state
MAX_DEPTH = 20  # nesting of lists and dicts an answer may have
MAX_ANSWER_BYTES = 64 * 2**20  # one exercise's answers file; bigger ones are not read


class UnreadableAnswer(Exception):
    """An answer the grader cannot carry as data (a model, an object of the student's own class, ...)."""


# --- values to plain data and back ----------------------------------------------------------------------


def to_data(value, depth: int = 0):
    """``value`` as JSON-safe data with a type tag; a value of any other type becomes ``{"t": "unreadable"}``."""
    if depth > MAX_DEPTH:
        return {"t": "unreadable", "type": f"a structure nested deeper than {MAX_DEPTH} levels"}
    if value is None or value is Ellipsis:
        return {"t": "none" if value is None else "ellipsis"}
    if isinstance(value, (np.ndarray, np.generic)) or _is_tensor(value):
        return _array_data(value)
    # a subclass (of int, tuple, ...) could redefine ==: it is converted to its base type
    for kind in (bool, int, float, str):
        if isinstance(value, kind):
            return {"t": kind.__name__, "v": kind(value)}
    if isinstance(value, (list, tuple)):
        return {"t": type(value).__name__ if type(value) in (list, tuple) else "list",
                "v": [to_data(item, depth + 1) for item in list(value)]}
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            return {"t": "unreadable", "type": "a dict whose keys are not all strings"}
        return {"t": "dict", "v": {str(key): to_data(item, depth + 1) for key, item in dict(value).items()}}
    if isinstance(value, np.random.Generator) and type(value.bit_generator).__name__ in BIT_GENERATORS:
        return {"t": "generator", "bit_generator": type(value.bit_generator).__name__, "state": value.bit_generator.state}
    return {"t": "unreadable", "type": f"a {type(value).__name__}"}


def _array_data(value) -> dict:
    array = np.asarray(value.numpy() if _is_tensor(value) else value)
    if array.dtype.kind not in "biuf":
        return {"t": "unreadable", "type": f"an array of dtype {array.dtype}"}
    tag = "tensor" if _is_tensor(value) else "scalar" if isinstance(value, np.generic) else "array"
    # tobytes() writes C order whatever the layout (np.ascontiguousarray would make a 0-d answer 1-d)
    return {"t": tag, "dtype": array.dtype.str, "shape": list(array.shape), "b64": base64.b64encode(array.tobytes()).decode()}


def _is_tensor(value) -> bool:
    tensorflow = sys.modules.get("tensorflow")
    return tensorflow is not None and isinstance(value, (tensorflow.Tensor, tensorflow.Variable))


def from_data(data, depth: int = 0):
    """The value that :func:`to_data` encoded; an ``unreadable`` one becomes an :class:`Unreadable` stand-in."""
    if depth > MAX_DEPTH + 1 or not isinstance(data, dict) or not isinstance(data.get("t"), str):
        raise ValueError(f"not an encoded answer: {str(data)[:80]}")
    tag, value = data["t"], data.get("v")
    simple = {"none": None, "ellipsis": Ellipsis}
    if tag in simple:
        return simple[tag]
    kinds = {"bool": bool, "int": int, "float": float, "str": str}
    if tag in kinds and type(value) is kinds[tag] or tag == "float" and type(value) is int:
        return kinds[tag](value)
    if tag in ("list", "tuple") and isinstance(value, list):
        items = [from_data(item, depth + 1) for item in value]
        return items if tag == "list" else tuple(items)
    if tag == "dict" and isinstance(value, dict):
        return {key: from_data(item, depth + 1) for key, item in value.items()}
    if tag == "generator" and data.get("bit_generator") in BIT_GENERATORS:
        bit_generator = getattr(np.random, data["bit_generator"])()
        bit_generator.state = data["state"]
        return np.random.Generator(bit_generator)
    if tag in ("array", "scalar", "tensor"):
        return _decode_array(data, tag)
    if tag == "unreadable":
        return Unreadable(str(data.get("type", "an object"))[:100])
    raise ValueError(f"not an encoded answer: tag {tag!r}")


def _decode_array(data: dict, tag: str):
    dtype, shape = np.dtype(str(data["dtype"])), tuple(int(n) for n in data["shape"])
    if dtype.kind not in "biuf" or any(n < 0 for n in shape):
        raise ValueError(f"not an encoded answer: array of dtype {dtype}, shape {shape}")
    array = np.frombuffer(base64.b64decode(data["b64"]), dtype=dtype).reshape(shape).copy()
    if tag == "scalar":
        return array[()]
    tensorflow = sys.modules.get("tensorflow")
    return tensorflow.constant(array) if tag == "tensor" and tensorflow is not None else array


class Unreadable:
    """Stands in the judge for an answer that did not travel: any use of it fails the check with the reason."""

    def __init__(self, what: str):
        self._what = what

    def _refuse(self, *args, **kwargs):
        raise UnreadableAnswer(f"the answer is {self._what}; the grader reads numbers, strings, tuples, lists, dicts and arrays")

    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __call__ = __array__ = __bool__ = __float__ = __int__ = _refuse
    __iter__ = __len__ = __getitem__ = __add__ = __sub__ = __mul__ = __truediv__ = __index__ = _refuse
    __hash__ = None


# --- recording the inputs a check gives the answer functions (the judge's reference run) ------------------

_recorded: dict[str, dict[str, list]] = {}  # exercise -> function name -> [{"args": ..., "kwargs": ...}]
_originals: dict[str, object] = {}


def start_recording(exercise_id: str, names: list[str], namespace: dict) -> None:
    """Wrap each answer function among ``names`` so that the calls the next check cell makes are recorded."""
    calls = _recorded.setdefault(exercise_id, {})
    for name in names:
        function = namespace.get(name)
        if not callable(function) or isinstance(function, type):
            continue
        calls[name] = []

        def recorder(*args, _function=function, _calls=calls[name], **kwargs):
            _calls.append({"args": to_data(list(args)), "kwargs": to_data(kwargs)})
            return _function(*args, **kwargs)

        _originals[name] = function
        namespace[name] = recorder


def stop_recording(namespace: dict) -> None:
    """Put the answer functions wrapped by :func:`start_recording` back."""
    for name, function in _originals.items():
        namespace[name] = function
    _originals.clear()


def save_inputs(path: str) -> None:
    """Write the recorded calls of every exercise, for the students' kernels."""
    Path(path).write_text(json.dumps(_recorded), encoding="utf-8")


# --- the student's side ------------------------------------------------------------------------------


def export_answers(exercise_id: str, names: list[str], namespace: dict, inputs_path: str, answers_dir: str) -> None:
    """Write ``answers_dir/<exercise_id>.json``: each name's value as data, or its outputs on the recorded inputs."""
    inputs = json.loads(Path(inputs_path).read_text(encoding="utf-8")).get(exercise_id, {})
    answers = {}
    for name in names:
        if name not in namespace:
            answers[name] = {"missing": True}
        elif name in inputs:
            answers[name] = {"calls": [_call(namespace[name], call) for call in inputs[name]]}
        else:
            answers[name] = {"value": to_data(namespace[name])}
    target = Path(answers_dir) / f"{exercise_id}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(answers), encoding="utf-8")
    print(f"{exercise_id}: answers saved for the grader ({', '.join(names) or 'none'})")


def _call(function, call: dict) -> dict:
    """The outputs of ``function`` on one recorded input, or the exception it raised (as its name and message)."""
    args, kwargs = from_data(call["args"]), from_data(call["kwargs"])
    before = to_data([args, kwargs])
    try:
        output = function(*args, **kwargs)
    except Exception as error:  # the student's bug: the judge raises it again inside the check
        return {"raised": type(error).__name__, "message": " ".join(str(error).split())[:300]}
    changed = to_data([args, kwargs]) != before
    return {"output": to_data(output), "changed_inputs": changed}


# --- the judge's side ---------------------------------------------------------------------------------


def read_answers(path: str) -> dict:
    """The answers file of one exercise, checked for size and form; an unreadable file raises ValueError."""
    path = Path(path)
    if not path.is_file():
        return {}
    if path.stat().st_size > MAX_ANSWER_BYTES:
        raise ValueError(f"the answers file is larger than {MAX_ANSWER_BYTES // 2**20} MB")
    try:
        answers = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, RecursionError) as error:
        raise ValueError(f"the answers file is not JSON ({type(error).__name__})") from None
    if not isinstance(answers, dict):
        raise ValueError("the answers file does not hold a dict")
    return answers


def bind_answers(namespace: dict, names: list[str], path: str) -> None:
    """Set each of ``names`` in ``namespace`` to the student's answer read from ``path`` (removed when missing)."""
    answers = read_answers(path)
    for name in names:
        answer = answers.get(name)
        if not isinstance(answer, dict) or answer.get("missing"):
            namespace.pop(name, None)  # the check then fails with a NameError, as it would in the notebook
        elif "calls" in answer:
            namespace[name] = _Replayed(name, answer["calls"])
        else:
            namespace[name] = from_data(answer.get("value"))


class _Replayed:
    """An answer function in the judge: its n-th call returns what the student's function returned on the n-th
    recorded input (or raises what it raised)."""

    def __init__(self, name: str, calls: list):
        self.name, self.calls, self.count = name, calls, 0

    def __call__(self, *args, **kwargs):
        if self.count >= len(self.calls):
            raise UnreadableAnswer(f"{self.name} was called more often than when the reference solution was checked")
        call, self.count = self.calls[self.count], self.count + 1
        if not isinstance(call, dict):
            raise UnreadableAnswer(f"{self.name}: a recorded output is not in the grader's format")
        if "raised" in call:
            name = str(call["raised"]) if str(call["raised"]).isidentifier() else "Exception"
            raise type(name, (Exception,), {})(str(call.get("message", ""))[:300])
        if call.get("changed_inputs"):
            raise UnreadableAnswer(f"{self.name} changed the arrays it was given; work on a copy")
        return from_data(call.get("output"))
