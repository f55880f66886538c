"""Course assignments: exercises marked in the chapter notebooks, a student version, automatic grading.

In a notebook (the check cells)::

    from dlnotes.assignments import exercise

    with exercise("ex1", hint="...") as ex:
        ex.check("what this check proves", condition)

For a teacher: ``python -m dlnotes student --only 01`` writes the student and grading versions,
``python -m dlnotes grade 01 submissions/`` grades a folder into a CSV table (see the README).

Importing this package loads only the check helpers: they run inside every student's kernel, and the
teacher-side modules import nbformat, whose JSON-schema validators take seconds to load.
"""

import importlib

from dlnotes.assignments.checks import CheckFailedError, current_mode, exercise, results, use_mode

# name -> module, imported on first use (PEP 562)
_LAZY = {
    "Assignment": "chapter",
    "FormatError": "chapter",
    "grading_version": "chapter",
    "parse_assignment": "chapter",
    "read_notebook": "chapter",
    "student_version": "chapter",
    "write_versions": "chapter",
    "SubmissionGrade": "grading",
    "grade_folder": "grading",
    "MarkerError": "markers",
    "strip_solutions": "markers",
}

__all__ = ["CheckFailedError", "current_mode", "exercise", "results", "use_mode", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(f"dlnotes.assignments.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'dlnotes.assignments' has no attribute {name!r}")
