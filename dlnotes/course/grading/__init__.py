"""The teacher's side of the exercises: student and grading versions of a chapter, grading a folder of submissions.

- :mod:`~dlnotes.course.grading.markers`: the solution markers in an answer cell, and its student version;
- :mod:`~dlnotes.course.grading.chapter`: a chapter's exercises found, its student and grading versions written;
- :mod:`~dlnotes.course.grading.grade`: a folder of submissions graded into a CSV table, each submission run by
  :mod:`~dlnotes.course.grading.execute` in its own process;
- :mod:`~dlnotes.course.grading.cli`: ``python -m dlnotes student`` and ``grade``.

The check cells themselves call :mod:`dlnotes.assignments`, which runs in every student's kernel; these modules
import nbformat, whose JSON-schema validators take seconds to load, so nothing here is imported by a notebook.
"""
