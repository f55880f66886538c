"""The solution markers inside a code cell, and the student version of that cell.

Two forms, the same as otter-grader's so that a teacher who knows one knows the other:

- a block: the lines between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` become one ``...`` line (at the
  indentation of ``# BEGIN SOLUTION``), followed by ``# YOUR CODE HERE``;
- a line ending in ``# SOLUTION``: ``name = value  # SOLUTION`` becomes ``name = ...`` (``a, b = ..., ...``
  for several names) and ``return value  # SOLUTION`` becomes ``return ...``, so the student sees what to
  define while the student version still runs top to bottom.
"""

from __future__ import annotations

import re

BEGIN = re.compile(r"^(?P<indent>\s*)# BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*# END SOLUTION\s*$")
SOLUTION_LINE = re.compile(r"^(?P<code>.*?)\s*#\s*SOLUTION\s*$")
# `target = value`, not `==`, `<=`, keyword arguments inside a call, or augmented assignment
ASSIGNMENT = re.compile(r"^(?P<target>\s*[A-Za-z_][\w\s,.\[\]]*?)\s*=(?!=)\s*\S")
RETURN = re.compile(r"^(?P<indent>\s*)return\b")
PLACEHOLDER = "...  # YOUR CODE HERE"


class MarkerError(ValueError):
    """A code cell's solution markers are unbalanced, nested, or on a line that cannot become a prompt."""


def has_solution(source: str) -> bool:
    """Whether ``source`` (one cell) holds a solution block or a ``# SOLUTION`` line."""
    if not isinstance(source, str):
        raise TypeError(f"has_solution: expected the cell source as str, got {type(source).__name__}")
    return any(BEGIN.match(line) or END.match(line) or SOLUTION_LINE.match(line) for line in source.splitlines())


def strip_solutions(source: str, where: str = "cell") -> str:
    """``source`` with every solution replaced by its prompt; raise MarkerError on malformed markers."""
    if not isinstance(source, str):
        raise TypeError(f"strip_solutions: expected the cell source as str, got {type(source).__name__}")
    output, opened_at = [], None
    for number, line in enumerate(source.splitlines(), 1):
        begin, end = BEGIN.match(line), END.match(line)
        if begin:
            if opened_at is not None:
                raise MarkerError(f"{where}, line {number}: `# BEGIN SOLUTION` inside the block opened on line {opened_at}")
            opened_at = number
            output.append(begin["indent"] + PLACEHOLDER)
        elif end:
            if opened_at is None:
                raise MarkerError(f"{where}, line {number}: `# END SOLUTION` without a `# BEGIN SOLUTION` before it")
            opened_at = None
        elif opened_at is None:
            output.append(_prompt_for_line(line, f"{where}, line {number}"))
    if opened_at is not None:
        raise MarkerError(f"{where}, line {opened_at}: `# BEGIN SOLUTION` is never closed by `# END SOLUTION`")
    return "\n".join(output)


def _prompt_for_line(line: str, where: str) -> str:
    marked = SOLUTION_LINE.match(line)
    if not marked:
        return line
    code = marked["code"]
    if RETURN.match(code):
        return RETURN.match(code)["indent"] + "return ..."
    assignment = ASSIGNMENT.match(code)
    if assignment:
        target = assignment["target"].rstrip()
        # `a, b = ...` would fail to unpack: give each name its own placeholder
        names = [part for part in target.split(",") if part.strip()]
        return f"{target} = {', '.join(['...'] * len(names))}" if len(names) > 1 else f"{target} = ..."
    raise MarkerError(
        f"{where}: `# SOLUTION` ends a line that is neither `name = value` nor `return value`; "
        f"use a `# BEGIN SOLUTION` / `# END SOLUTION` block instead: {line.strip()!r}"
    )


def solution_line_numbers(source: str) -> set[int]:
    """The 1-based numbers of the lines that are solution code (inside a block, or ending in ``# SOLUTION``)."""
    strip_solutions(source)  # validates the markers
    numbers, inside = set(), False
    for number, line in enumerate(source.splitlines(), 1):
        if BEGIN.match(line) or END.match(line):
            inside = bool(BEGIN.match(line))
        elif inside or SOLUTION_LINE.match(line):
            numbers.add(number)
    return numbers


def solution_lines(source: str) -> list[str]:
    """The code that the student version hides: each line of a block, and each ``# SOLUTION`` line without
    its marker (stripped, non-empty). Tests use it to prove that no solution leaks."""
    strip_solutions(source)  # validates the markers
    hidden, inside = [], False
    for line in source.splitlines():
        if BEGIN.match(line) or END.match(line):
            inside = bool(BEGIN.match(line))
        elif inside and line.strip():
            hidden.append(line.strip())
        elif SOLUTION_LINE.match(line):
            hidden.append(SOLUTION_LINE.match(line)["code"].strip())
    return hidden
