"""Markdown tables: header, alignment line and rows exactly as Markdown wants them, and clear errors."""

import pytest

from dlnotes.markdown import markdown_table


def test_table_lines_with_default_and_right_alignment():
    assert markdown_table(["a", "b"], [[1, "x"], ["", 2.5]]) == "| a | b |\n|---|---|\n| 1 | x |\n|  | 2.5 |"
    assert markdown_table(("model", "accuracy"), [("mlp", "0.9812")], align="lr") == (
        "| model | accuracy |\n|---|---:|\n| mlp | 0.9812 |"
    )
    assert markdown_table(["only"], []) == "| only |\n|---|"


@pytest.mark.parametrize(
    "columns, rows, align, message",
    [
        ([], [], None, "expected a non-empty list of column names, got \\[\\]"),
        ("ab", [], None, "expected a non-empty list of column names, got 'ab'"),
        (["a", "b"], [], "l", "align must be a string of 2 letters, each 'l' or 'r' \\(one per column\\), got 'l'"),
        (["a", "b"], [], "lc", "align must be a string of 2 letters"),
        (["a", "b"], [[1]], None, "row 0 has 1 cells for 2 columns: \\[1\\]"),
        (["a"], [["x|y"]], None, "a cell of row 0 contains '\\|' or a line break: 'x\\|y'; replace it first"),
        (["a\nb"], [], None, "a cell of the header contains"),
    ],
)
def test_bad_tables_are_refused_with_what_to_pass(columns, rows, align, message):
    with pytest.raises(ValueError, match="markdown_table: " + message):
        markdown_table(columns, rows, align=align)
