"""Read a notebook's cells as text, with clear errors, for the linter and the glossary (no execution)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

FENCE = re.compile(r"^ {0,3}(```|~~~)")
ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")
SETEXT_H1_UNDERLINE = re.compile(r"^ {0,3}=+[ \t]*$")


class NotebookError(ValueError):
    """The file is missing, is not JSON, or is not a Jupyter notebook (nbformat 4)."""


@dataclass
class Cell:
    """One cell: ``number`` is 1-based, as JupyterLab shows it."""

    number: int
    kind: str  # "code", "markdown" or "raw"
    source: str
    tags: list[str] = field(default_factory=list)
    outputs: list = field(default_factory=list)
    execution_count: int | None = None


def read_cells(path: str | Path) -> list[Cell]:
    """The cells of the notebook at ``path``; raises NotebookError naming the file when it is not a notebook."""
    path = Path(path)
    if not path.is_file():
        raise NotebookError(f"{path}: no such notebook file")
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise NotebookError(f"{path}: not a notebook (not UTF-8 text: {exc.reason})") from exc
    except json.JSONDecodeError as exc:
        raise NotebookError(f"{path}: not a notebook (invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise NotebookError(f"{path}: not a notebook (JSON without a 'cells' list)")
    if notebook.get("nbformat") != 4:
        raise NotebookError(f"{path}: expected nbformat 4, found nbformat {notebook.get('nbformat')!r}")
    cells = []
    for number, raw in enumerate(notebook["cells"], 1):
        if not isinstance(raw, dict) or raw.get("cell_type") not in ("code", "markdown", "raw"):
            raise NotebookError(f"{path}: cell {number} is not a notebook cell (no valid 'cell_type')")
        source = raw.get("source", "")
        cells.append(
            Cell(
                number=number,
                kind=raw["cell_type"],
                source="".join(source) if isinstance(source, list) else str(source),
                tags=list(raw.get("metadata", {}).get("tags", [])),
                outputs=list(raw.get("outputs", [])),
                execution_count=raw.get("execution_count"),
            )
        )
    return cells


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


def chapter_label(path: str | Path) -> str:
    """``"01"`` for ``01_perceptron_xor.ipynb``; the file's stem for a notebook outside the NN_name scheme."""
    stem = Path(path).stem
    match = re.match(r"^(\d\d)_", stem)
    return match.group(1) if match else stem


NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"


def course_notebooks(notebook_dir: str | Path = NOTEBOOK_DIR) -> list[Path]:
    """Every notebook of the course, in chapter order (the file names start with the chapter number)."""
    notebooks = sorted(Path(notebook_dir).glob("*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"no notebooks (*.ipynb) in {notebook_dir}")
    return notebooks
