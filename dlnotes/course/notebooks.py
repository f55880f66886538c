"""A notebook on disk, for all of the course machinery: finding the chapters, reading a notebook, naming a cell.

- :data:`NOTEBOOK_DIR` and :func:`find_chapters`: the chapter notebooks (``NN_name.ipynb``), in course order;
- :func:`load_notebook` (the parsed JSON, checked) and :func:`read_cells` (the cells as text, for the linter and
  the glossary); :func:`read_notebook` for the grader, which edits notebooks with nbformat;
- :func:`cell_number` and :func:`describe_cell`: a cell as a reader of the source notebook knows it, not counting
  the cells that a tool inserted (papermill's parameters and error cells, the grader's cells), named by its
  section heading and the line that says what it does (:func:`naming_line`, :func:`section_heading`);
- :func:`read_metrics`: what ``dlnotes.record`` stored in an executed notebook;
- :func:`headings` and :func:`without_code_blocks`: the markdown that the linter and the glossary read.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from dlnotes.recording import MIME_TYPE as METRIC_MIME_TYPE

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
CHAPTER_GLOB = "[0-9][0-9]_*.ipynb"
# Where dlnotes marks the cells it adds or recognises: {"role": "check" | "answer" | "mode" | "grader", ...}
METADATA_KEY = "dlnotes"
INSERTED_BY_PAPERMILL = {"injected-parameters", "papermill-error-cell-tag"}  # cell tags
INSERTED_BY_GRADER = "grader"  # the role of a cell the grader adds
KEY_FIGURE_TAG = "key-figure"  # a cell whose figure shows a chapter's main result (the linter, the HTML report)

FENCE = re.compile(r"^ {0,3}(```|~~~)")
ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")
SETEXT_H1_UNDERLINE = re.compile(r"^ {0,3}=+[ \t]*$")
# First lines that say nothing about what a cell does: imports, re-seeding, IPython magics and shell escapes
BOILERPLATE = re.compile(r"^(import |from \S+ import |keras\.utils\.set_random_seed\(|%|!)")


class NotebookError(ValueError):
    """The file is missing, is not JSON, or is not a Jupyter notebook (nbformat 4); the message names the file."""


# --- the chapters ----------------------------------------------------------------------------------------------


def find_chapters(only: str | list[str] | None = None, notebook_dir: str | Path = NOTEBOOK_DIR) -> list[Path]:
    """The chapter notebooks, in order; ``only`` selects by number ("01") or name ("01_perceptron_xor")."""
    notebook_dir = Path(notebook_dir)
    chapters = sorted(notebook_dir.glob(CHAPTER_GLOB))
    if not chapters:
        raise FileNotFoundError(f"no chapter notebooks (NN_name.ipynb) in {notebook_dir}")
    if not only:
        return chapters
    wanted = [w.strip() for w in (only.split(",") if isinstance(only, str) else only) if w.strip()]
    selected = []
    for want in wanted:
        matches = [p for p in chapters if p.stem == want or chapter_label(p) == want]
        if not matches:
            names = ", ".join(p.stem for p in chapters)
            raise ValueError(f"no chapter matches {want!r}; available: {names}")
        selected += [p for p in matches if p not in selected]
    return selected


def chapter_label(path: str | Path) -> str:
    """``"01"`` for ``01_perceptron_xor.ipynb``; the file's stem for a notebook outside the NN_name scheme."""
    stem = Path(path).stem
    match = re.match(r"^(\d\d)_", stem)
    return match.group(1) if match else stem


# --- reading a notebook ------------------------------------------------------------------------------------------


def load_notebook(path: str | Path) -> dict:
    """The parsed JSON of the notebook at ``path``, checked to be nbformat 4 with a list of cells."""
    path = Path(path)
    if not path.is_file():
        raise NotebookError(f"{path}: no such notebook file")
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise NotebookError(f"{path}: not a notebook (not UTF-8 text: {exc.reason})") from None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise NotebookError(f"{path}: not a notebook (invalid JSON at {where}: {exc.msg})") from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise NotebookError(f"{path}: not a notebook (JSON without a 'cells' list)")
    if notebook.get("nbformat") != 4:
        raise NotebookError(f"{path}: expected nbformat 4, found nbformat {notebook.get('nbformat')!r}")
    for number, cell in enumerate(notebook["cells"], 1):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise NotebookError(f"{path}: cell {number} is not a notebook cell (no valid 'cell_type')")
    return notebook


def read_notebook(path: str | Path):
    """The notebook at ``path`` as an ``nbformat.NotebookNode`` (sources joined into strings), checked as by load_notebook."""
    import nbformat  # its JSON-schema validators take seconds to load: only the grader pays for them

    return nbformat.v4.to_notebook_json(load_notebook(path))


@dataclass
class Cell:
    """One cell: ``number`` is 1-based, as JupyterLab shows it."""

    number: int
    kind: str  # "code", "markdown" or "raw"
    source: str
    tags: list[str] = field(default_factory=list)
    outputs: list = field(default_factory=list)
    execution_count: int | None = None


def cell_source(cell: dict) -> str:
    """A cell's source as one string (nbformat allows a list of lines on disk)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def read_cells(path: str | Path) -> list[Cell]:
    """The cells of the notebook at ``path``; raises NotebookError naming the file when it is not a notebook."""
    return [
        Cell(
            number=number,
            kind=raw["cell_type"],
            source=cell_source(raw),
            tags=list(raw.get("metadata", {}).get("tags", [])),
            outputs=list(raw.get("outputs", [])),
            execution_count=raw.get("execution_count"),
        )
        for number, raw in enumerate(load_notebook(path)["cells"], 1)
    ]


# --- naming a cell -------------------------------------------------------------------------------------------------


def inserted_by_a_tool(cell: dict) -> bool:
    """Whether papermill or the grader added ``cell`` to the source notebook."""
    metadata = cell.get("metadata", {})
    return bool(INSERTED_BY_PAPERMILL & set(metadata.get("tags", []))) or (
        metadata.get(METADATA_KEY, {}).get("role") == INSERTED_BY_GRADER
    )


def cell_number(cells: list, index: int) -> int:
    """The 1-based number, in the source notebook, of cell ``index`` of an executed copy (tools insert cells)."""
    return index - sum(1 for cell in cells[:index] if inserted_by_a_tool(cell)) + 1


def naming_line(source: str) -> str:
    """The line of a cell's source that says what it does: its first line, unless that is boilerplate (an import,
    the seed, a magic); then its first comment, else its first line that is not boilerplate."""
    lines = [line.strip() for line in source.splitlines() if line.strip()]
    if not lines or not BOILERPLATE.match(lines[0]):
        return lines[0] if lines else ""
    comment = next((line for line in lines if line.startswith("#")), None)
    return comment or next((line for line in lines if not BOILERPLATE.match(line)), lines[0])


def section_heading(cells: list, index: int) -> str | None:
    """The text of the last markdown heading before cell ``index``: the section the cell belongs to."""
    for cell in reversed(cells[:index]):
        found = headings(cell_source(cell)) if cell.get("cell_type") == "markdown" else []
        if found:
            return found[-1][1]
    return None


def describe_cell(cells: list, index: int) -> str:
    """``cell 3 (`the line that names it`) in “its section heading”``: enough to find the cell in the source notebook."""
    where = f"cell {cell_number(cells, index)} (`{naming_line(cell_source(cells[index]))[:60]}`)"
    section = section_heading(cells, index)
    return f"{where} in “{section}”" if section else where


# --- what a notebook holds -----------------------------------------------------------------------------------------


def read_metrics(notebook: str | Path | dict) -> dict[str, float | int]:
    """The metrics recorded in an executed notebook (a path or its parsed JSON); the last value of a name wins."""
    if isinstance(notebook, (str, Path)):
        try:
            notebook = load_notebook(notebook)
        except NotebookError as exc:
            raise ValueError(f"read_metrics: cannot read notebook {exc}") from None
    if not isinstance(notebook, dict) or "cells" not in notebook:
        raise ValueError("read_metrics: expected a notebook path or a notebook dict with 'cells'")
    metrics = {}
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            entry = output.get("data", {}).get(METRIC_MIME_TYPE)
            if entry is not None:
                metrics[entry["name"]] = entry["value"]
    return metrics


def without_code_blocks(markdown: str) -> str:
    """``markdown`` with fenced code blocks blanked out: a ``# comment`` in a code sample is not a heading."""
    lines, inside = [], False
    for line in markdown.splitlines():
        if FENCE.match(line):
            inside = not inside
            lines.append("")
        else:
            lines.append("" if inside else line)
    return "\n".join(lines)


def headings(markdown: str) -> list[tuple[int, str]]:
    """The (level, text) of each heading in ``markdown``, in order; ATX (``## Text``) and setext H1 (``===``)."""
    found = []
    lines = without_code_blocks(markdown).splitlines()
    for index, line in enumerate(lines):
        match = ATX_HEADING.match(line)
        if match:
            found.append((len(match.group(1)), match.group(2).strip()))
        elif SETEXT_H1_UNDERLINE.match(line) and index > 0 and lines[index - 1].strip():
            found.append((1, lines[index - 1].strip()))
    return found
