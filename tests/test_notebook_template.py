"""Every chapter follows the template and has a FAST-mode test (the full linter is issue 11)."""

import json
import re
from pathlib import Path

import pytest

from dlnotes.runner import find_chapters

CHAPTERS = find_chapters()
TESTS = Path(__file__).parent


def cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def source(cell):
    return "".join(cell["source"])


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_outputs_are_stripped(path):
    dirty = [i + 1 for i, c in enumerate(cells(path)) if c["cell_type"] == "code" and (c["outputs"] or c["execution_count"])]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs; run `make strip`"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_template(path):
    notebook = cells(path)
    first = source(notebook[0])
    assert notebook[0]["cell_type"] == "markdown" and first.startswith("# "), f"{path.name}: cell 1 must be the H1 title"
    assert "You will learn" in first and "Time on two CPU cores" in first, f"{path.name}: cell 1 lacks the summary"
    h1 = [i + 1 for i, c in enumerate(notebook) if c["cell_type"] == "markdown" and re.search(r"^# ", source(c), re.M)]
    assert h1 == [1], f"{path.name}: exactly one H1 expected, found in cells {h1}"
    parameters = [c for c in notebook if "parameters" in c["metadata"].get("tags", [])]
    assert len(parameters) == 1, f"{path.name}: needs one cell tagged 'parameters'"
    assert re.search(r"^FAST = False", source(parameters[0]), re.M) and re.search(r"^SEED = ", source(parameters[0]), re.M)
    assert any("dlnotes.setup(seed=SEED" in source(c) for c in notebook), f"{path.name}: no dlnotes.setup(seed=SEED...) call"
    assert any(c["cell_type"] == "markdown" and "## Exercises" in source(c) for c in notebook), f"{path.name}: no Exercises"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_each_chapter_has_a_notebook_test(path):
    number = path.stem.split("_")[0]
    assert (TESTS / f"test_chapter_{number}.py").is_file(), f"{path.name} has no tests/test_chapter_{number}.py"
