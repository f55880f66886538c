"""The course machinery: what runs, checks, reports and grades the notebooks. No notebook imports it.

- :mod:`~dlnotes.course.notebooks`: a notebook on disk (the chapters, reading one, naming a cell, its metrics);
- :mod:`~dlnotes.course.runner` and :mod:`~dlnotes.course.reports` (with :mod:`~dlnotes.course.html_report` and
  the thresholds of :mod:`~dlnotes.course.thresholds`): ``python -m dlnotes run``;
- :mod:`~dlnotes.course.lint` and :mod:`~dlnotes.course.glossary`: the chapter template and GLOSSARY.md;
- :mod:`~dlnotes.course.grading`: student versions and grading;
- :mod:`~dlnotes.course.cli`: ``python -m dlnotes``.

It may import the teaching modules of ``dlnotes`` (``record``'s MIME type, ``quiet_tensorflow``); they never
import it (tests/test_layout.py).
"""
