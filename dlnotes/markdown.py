"""Markdown tables, written once for the notebooks (shown with ``IPython.display.Markdown``) and the reports."""

from __future__ import annotations

ALIGNMENTS = {"l": "---", "r": "---:"}  # "l": Markdown's default (left), "r": right, for numbers


def markdown_table(columns, rows, align: str | None = None) -> str:
    """A Markdown table: a header of ``columns``, then one line per row; cells are shown with ``str``.

    ``align`` gives one letter per column, ``"l"`` or ``"r"`` (``"lrr"``: text, then two numbers); None leaves
    every column at the default. Format numbers before passing them (``f"{accuracy:.4f}"``): the table shows
    each cell as given. A cell may not contain ``|`` or a line break, which would break the table's layout.
    """
    columns = list(columns) if isinstance(columns, (list, tuple)) else columns
    if not isinstance(columns, list) or not columns:
        raise ValueError(f"markdown_table: expected a non-empty list of column names, got {columns!r}")
    align = "l" * len(columns) if align is None else align
    if not isinstance(align, str) or len(align) != len(columns) or set(align) - set(ALIGNMENTS):
        raise ValueError(
            f"markdown_table: align must be a string of {len(columns)} letters, each 'l' or 'r' (one per column), got {align!r}"
        )
    lines = [_line("the header", columns), "|" + "|".join(ALIGNMENTS[a] for a in align) + "|"]
    for number, row in enumerate(rows):
        row = list(row)
        if len(row) != len(columns):
            raise ValueError(f"markdown_table: row {number} has {len(row)} cells for {len(columns)} columns: {row!r}")
        lines.append(_line(f"row {number}", row))
    return "\n".join(lines)


def _line(where: str, cells: list) -> str:
    texts = [str(cell) for cell in cells]
    for text in texts:
        if "|" in text or "\n" in text:
            raise ValueError(f"markdown_table: a cell of {where} contains '|' or a line break: {text!r}; replace it first")
    return "| " + " | ".join(texts) + " |"
