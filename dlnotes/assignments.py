"""The check cells' helper: run an exercise's checks and show a readable verdict instead of a traceback.

A check cell in a chapter notebook reads::

    from dlnotes.assignments import exercise

    with exercise("ex1", hint="NAND is linearly separable: the perceptron rule converges") as ex:
        ex.check("nand_accuracy is a number between 0 and 1", 0 <= nand_accuracy <= 1)
        ex.check("all four NAND rows right", nand_accuracy == 1.0, hint="train on logic_gate('nand')")

Inside the block, ``ex.check`` and ``ex.close`` name each check; plain ``assert`` statements work too (the
failing line is shown). The first failing check ends the block, since later checks usually build on it, and the
verdict says so. An exception raised by the student's code is caught and reported as a failed check, never as a
traceback. When the block reads an answer that is still the student version's placeholder (a name bound to
``...``, a function with a ``...`` statement, a name never defined), the verdict is "not answered yet" rather
than a hint written for a wrong answer.

What happens after a failure depends on the mode:

- ``"chapter"`` (the default, the chapter notebooks with their reference solutions): the verdict is shown and
  :class:`CheckFailedError` is raised, so that the course runner and the tests fail on a broken solution;
- ``"student"`` (the generated student version, and every grading run): the verdict is shown and the
  notebook goes on.

The mode comes from the environment variable ``DLNOTES_EXERCISE_MODE`` when it is set (the grader sets it),
else from :func:`use_mode` (the student version calls it), else ``"chapter"``.

Every verdict is also stored in the cell's output under :data:`MIME_TYPE`, where the grader reads it.
This module runs inside the student's kernel: it imports nothing heavy. The teacher's side (student versions,
grading a folder: ``python -m dlnotes student`` and ``grade``) is :mod:`dlnotes.course.grading`.
"""

from __future__ import annotations

import ast
import inspect
import linecache
import os
import re
import sys
import traceback
import types
from dataclasses import asdict, dataclass, field

from dlnotes.display import show
from dlnotes.validation import positive_number

MIME_TYPE = "application/vnd.dlnotes.exercise+json"
MODES = ("chapter", "student")
MODE_VARIABLE = "DLNOTES_EXERCISE_MODE"
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
PASS_MARK, FAIL_MARK = "✓", "✗"
NOT_ANSWERED = "not answered yet"

_chosen_mode: str | None = None
_results: dict[str, dict] = {}


class CheckFailedError(AssertionError):
    """An exercise's checks failed in chapter mode: its reference solution (or the check) is wrong."""


class _StopExercise(Exception):
    """Raised by a failing ``ex.check``/``ex.close`` to skip the rest of the block (caught by the block)."""


def _validate_mode(mode, where: str) -> str:
    if mode not in MODES:
        raise ValueError(f"{where}: expected one of {', '.join(repr(m) for m in MODES)}, got {mode!r}")
    return mode


def use_mode(mode: str) -> None:
    """Choose what a failed exercise does: ``"chapter"`` raises, ``"student"`` only shows the verdict.

    Returns None, so that the cell calling it shows nothing (see :func:`current_mode` for the mode in effect).
    """
    global _chosen_mode
    _chosen_mode = _validate_mode(mode, "use_mode")


def current_mode() -> str:
    """The mode in effect: ``$DLNOTES_EXERCISE_MODE``, else :func:`use_mode`'s choice, else ``"chapter"``."""
    from_environment = os.environ.get(MODE_VARIABLE)
    if from_environment:
        return _validate_mode(from_environment, f"environment variable {MODE_VARIABLE}")
    return _chosen_mode or "chapter"


def results() -> dict[str, dict]:
    """The verdicts of the exercises checked so far in this process, by exercise id."""
    return {key: dict(value) for key, value in _results.items()}


@dataclass
class CheckOutcome:
    """One named check of an exercise."""

    description: str
    passed: bool
    hint: str | None = None


@dataclass
class ExerciseResult:
    """The verdict of one exercise, as stored in the notebook and read back by the grader."""

    exercise: str
    passed: bool
    points: float
    score: float
    checks: list[CheckOutcome] = field(default_factory=list)

    @property
    def first_failure(self) -> CheckOutcome | None:
        return next((c for c in self.checks if not c.passed), None)


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_truth_value(value) -> bool:
    # bool and NumPy boolean scalars; not arrays, whose truth value is ambiguous (use bool(...) for a tensor)
    dtype = getattr(value, "dtype", None)
    return isinstance(value, bool) or (dtype is not None and str(dtype) == "bool" and getattr(value, "shape", None) == ())


def _unanswered(value) -> str | None:
    """Why ``value`` cannot be an answer yet (the student version's placeholder, or a function without return)."""
    if value is Ellipsis:
        return f"{NOT_ANSWERED}: the value is still `...`"
    if value is None:
        return "got None: does your code (or your function) return or assign its result?"
    return None


class Exercise:
    """The context manager behind :func:`exercise`; ``ex.check`` and ``ex.close`` record named checks."""

    def __init__(self, exercise_id: str, hint: str | None = None, points: float = 1):
        if not isinstance(exercise_id, str) or not ID_PATTERN.match(exercise_id):
            raise ValueError(f"exercise: id must be lower_snake_case like 'ex1', got {exercise_id!r}")
        if hint is not None and (not isinstance(hint, str) or not hint.strip()):
            raise ValueError(f"exercise({exercise_id!r}): hint must be a non-empty string or None, got {hint!r}")
        points = positive_number(f"exercise({exercise_id!r})", "points", points)
        self.exercise_id, self.hint, self.points = exercise_id, hint, points
        self.checks: list[CheckOutcome] = []
        self.result: ExerciseResult | None = None
        self._caller = None  # the frame of the check cell while the block runs: where its answers are read

    def check(self, description: str, passed, hint: str | None = None) -> None:
        """Record the check ``description``; when ``passed`` is false, show ``hint`` and end the block."""
        if not isinstance(description, str) or not description.strip():
            raise ValueError(f"{self.exercise_id}: check description must be a non-empty string, got {description!r}")
        if not _is_truth_value(passed):
            raise TypeError(
                f"{self.exercise_id}: check {description!r} expected True or False, got {type(passed).__name__} "
                "(for arrays use ex.close, or np.all(...))"
            )
        self.checks.append(CheckOutcome(description, bool(passed), None if passed else (hint or self.hint)))
        if not passed:
            raise _StopExercise

    def close(self, description: str, actual, expected, *, rtol: float = 1e-7, atol: float = 0.0, hint=None) -> None:
        """Check that ``actual`` equals ``expected`` within tolerances; a failure reports the largest difference."""
        import numpy as np

        if _unanswered(actual):
            self._fail(description, _unanswered(actual), hint)
        actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
        if actual.shape != expected.shape:
            self._fail(description, f"shape {actual.shape} instead of {expected.shape}", hint)
        difference = np.abs(actual - expected)
        if not np.allclose(actual, expected, rtol=rtol, atol=atol):
            largest = np.nanmax(difference) if np.any(np.isfinite(difference)) else float("nan")
            self._fail(description, f"largest difference {largest:.3g} (tolerance atol={atol:g}, rtol={rtol:g})", hint)
        self.checks.append(CheckOutcome(description, True))

    def _fail(self, description: str, measured: str, hint: str | None) -> None:
        advice = hint or self.hint
        self.checks.append(CheckOutcome(description, False, f"{measured}; {advice}" if advice else measured))
        raise _StopExercise

    def __enter__(self) -> Exercise:
        self._caller = sys._getframe(1)
        return self

    def __exit__(self, kind, error, trace) -> bool:
        caller, self._caller = self._caller, None  # a frame kept alive would keep the whole notebook's objects
        if kind is not None and not issubclass(kind, Exception):
            return False  # KeyboardInterrupt and friends (a grader's timeout) go through
        if kind is not None and kind is not _StopExercise:
            self.checks.append(self._outcome_of_exception(error, trace))
        missing = _placeholders(caller, error if isinstance(error, NameError) else None) if self.checks else []
        if missing and not self.checks[-1].passed:
            failed = self.checks[-1]
            self.checks[-1] = CheckOutcome(failed.description, False, f"{NOT_ANSWERED}: {'; '.join(missing)}")
        passed = all(c.passed for c in self.checks)
        self.result = ExerciseResult(self.exercise_id, passed, self.points, self.points if passed else 0, self.checks)
        _results[self.exercise_id] = asdict(self.result)
        verdict = format_verdict(self.result)
        show(verdict, MIME_TYPE, asdict(self.result))  # the grader reads the data
        if not passed and current_mode() == "chapter":
            failure = self.result.first_failure
            hint = f" ({failure.hint})" if failure.hint else ""
            raise CheckFailedError(f"{self.exercise_id}: {failure.description}{hint}") from None
        return True

    def _outcome_of_exception(self, error: BaseException, trace) -> CheckOutcome:
        # The first frame of the traceback is the line of the check cell that was running.
        frame = traceback.extract_tb(trace)[0] if trace is not None else None
        line = (linecache.getline(frame.filename, frame.lineno).strip() if frame else "") or "the check"
        if isinstance(error, AssertionError):
            message = _one_line(str(error)) if str(error).strip() else None
            return CheckOutcome(_one_line(line, 120), False, message or self.hint)
        what = f"your code raised {type(error).__name__}: {_one_line(error, 200)} (in `{_one_line(line, 100)}`)"
        return CheckOutcome(what, False, self.hint)


def _block_reads(frame) -> tuple[list[str], set[str]]:
    """The names that the ``with exercise(...)`` block running in ``frame`` reads, and those it assigns.

    Both are empty when the block's source cannot be read (a frame without a file or notebook cell behind it).
    """
    try:
        tree = ast.parse("".join(linecache.getlines(frame.f_code.co_filename)))
    except (SyntaxError, ValueError):
        return [], set()
    for block in ast.walk(tree):
        if isinstance(block, ast.With) and block.lineno <= frame.f_lineno < block.body[0].lineno:
            names = [n for statement in block.body for n in ast.walk(statement) if isinstance(n, ast.Name)]
            assigned = {n.id for n in names if not isinstance(n.ctx, ast.Load)}
            return list(dict.fromkeys(n.id for n in names if isinstance(n.ctx, ast.Load))), assigned
    return [], set()


def _has_placeholder(function: types.FunctionType) -> bool:
    """Whether ``function`` (defined in the notebook) still has a ``...`` or ``return ...`` statement."""
    try:
        tree = ast.parse(inspect.getsource(function).strip())  # strip: a method's source is indented
    except (OSError, TypeError, SyntaxError):
        return False
    return any(
        isinstance(node, (ast.Expr, ast.Return)) and isinstance(node.value, ast.Constant) and node.value.value is Ellipsis
        for node in ast.walk(tree)
    )


def _placeholders(frame, name_error: NameError | None) -> list[str]:
    """Why the block running in ``frame`` is not answered yet: each answer it reads that is still a placeholder."""
    if frame is None:
        return []
    reads, assigned = _block_reads(frame)
    found = []
    for name in (name for name in reads if name not in assigned):  # a name the block assigns is not an answer
        if name in frame.f_locals or name in frame.f_globals:
            value = frame.f_locals[name] if name in frame.f_locals else frame.f_globals[name]
            if value is Ellipsis:
                found.append(f"`{name}` is still `...`")
            elif isinstance(value, types.FunctionType) and value.__module__ == frame.f_globals.get("__name__"):
                if _has_placeholder(value):
                    found.append(f"`{name}` still has `...` in it")
        elif name_error is not None and name == name_error.name:
            found.append(f"`{name}` is not defined: write it in the answer cell above, then run that cell")
    return found


def exercise(exercise_id: str, hint: str | None = None, points: float = 1) -> Exercise:
    """Open the checks of exercise ``exercise_id`` (``with exercise("ex1", hint=...) as ex:``).

    ``hint`` is shown under any failed check that has no hint of its own; ``points`` (default 1) is what the
    exercise is worth in the grading table (all or nothing).
    """
    return Exercise(exercise_id, hint=hint, points=points)


def format_verdict(result: ExerciseResult) -> str:
    """The text a student sees: the exercise's status, then each check with a mark and, if failed, a hint.

    Checking stops at the first failure, so a failed exercise's count is of the checks that ran, never "of N".
    """
    passed_count = sum(c.passed for c in result.checks)
    if result.passed:
        head = f"{PASS_MARK} {result.exercise}: passed ({passed_count} of {len(result.checks)} checks)"
        if not result.checks:
            head = f"{PASS_MARK} {result.exercise}: passed"
    elif (result.first_failure.hint or "").startswith(NOT_ANSWERED):
        head = f"{FAIL_MARK} {result.exercise}: {NOT_ANSWERED}"
    else:
        ran = f"{passed_count} passed, then one failed" if passed_count else "the first check failed"
        head = f"{FAIL_MARK} {result.exercise}: not yet ({ran}; any checks after it did not run)"
    lines = [head]
    for check in result.checks:
        lines.append(f"    {PASS_MARK if check.passed else FAIL_MARK} {check.description}")
        if not check.passed and check.hint:
            lines.append(f"      hint: {check.hint}")
    return "\n".join(lines)
