"""Papermill-style parameters for the runner: ``-p SEED 3`` parsed as papermill parses it, and checked against the
``parameters`` cell of every chapter it is meant for before anything runs."""

from __future__ import annotations

import ast
from pathlib import Path

from dlnotes.course.notebooks import cell_source, load_notebook

SET_BY_THE_RUNNER = {"FAST": "--fast", "RETRAIN": "--retrain"}  # parameters with a flag of their own


def parse_value(text: str):
    """``"3"`` -> 3, ``"0.5"`` -> 0.5, ``"True"``/``"False"`` -> bool, ``"None"`` -> None, anything else the string
    itself: the rules of ``papermill -p``."""
    if not isinstance(text, str):
        raise TypeError(f"parse_value: expected the text of a value, got {type(text).__name__} {text!r}")
    literals = {"True": True, "False": False, "None": None}
    if text in literals:
        return literals[text]
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def chapter_parameters(notebook: str | Path) -> list[str]:
    """The names the ``parameters`` cell of ``notebook`` assigns, in order; ValueError when it has no such cell."""
    cells = [cell for cell in load_notebook(notebook)["cells"] if "parameters" in cell.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ValueError(f"{Path(notebook).name}: expected one cell tagged 'parameters', found {len(cells)}")
    names = []
    for statement in ast.parse(cell_source(cells[0])).body:
        targets = statement.targets if isinstance(statement, ast.Assign) else [getattr(statement, "target", None)]
        for target in targets:
            for node in ast.walk(target) if target is not None else []:
                if isinstance(node, ast.Name) and node.id not in names:
                    names.append(node.id)
    return names


def check_parameters(parameters: dict, notebooks: list[Path]) -> dict:
    """``parameters`` when every name is a parameter of every notebook; else ValueError naming the chapters that
    lack it and the parameters they have."""
    for name, flag in SET_BY_THE_RUNNER.items():
        if name in parameters:
            raise ValueError(f"-p {name}: the runner sets {name} itself; use {flag}")
    if not parameters:  # nothing to check: a broken notebook is then the runner's to report, as a failed chapter
        return parameters
    known = {path.stem: chapter_parameters(path) for path in notebooks}
    for name in parameters:
        lacking = {stem: names for stem, names in known.items() if name not in names}
        if lacking:
            stem, names = next(iter(lacking.items()))
            others = f" (and {len(lacking) - 1} more chapter(s))" if len(lacking) > 1 else ""
            raise ValueError(
                f"-p {name}: {stem}{others} has no parameter {name}; its parameters are {', '.join(names)}. "
                "Choose the chapters that have it with --only, or check the spelling"
            )
    return parameters
