"""The chapters as a learner meets them: opened in JupyterLab in Chromium, FAST set in the parameters cell,
Run All; and the student version, whose blank exercises must say "not answered yet" rather than fail."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import lab_page
import nbformat
import pytest

from dlnotes.course.grading.chapter import parse_assignment
from dlnotes.course.notebooks import find_chapters, read_notebook

pytestmark = pytest.mark.browser

REPOSITORY = Path(__file__).resolve().parents[2]
PYTHON_KERNEL = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def exercise_ids(notebook: Path) -> list[str]:
    """The exercises a chapter notebook defines, from its check cells."""
    return list(parse_assignment(read_notebook(notebook), notebook.stem).points)


def run_in_lab(page, lab, path: str) -> nbformat.NotebookNode:
    """Open ``path``, set FAST, Run All and save; check what every run must show; return the saved notebook."""
    lab_page.open_notebook(page, lab, path)
    parameters = lab_page.set_fast(page)
    assert parameters.startswith("FAST = True"), f"the parameters cell after the edit reads:\n{parameters}"
    lab_page.run_all(page)
    lab_page.save(page)
    saved = nbformat.read(lab.root / path, as_version=4)

    not_run = [i + 1 for i, count in enumerate(lab_page.execution_counts(page)) if count is None]
    assert not not_run, f"{path}: code cells {not_run} never ran: Run All stopped (the error is above them)"
    tracebacks = [text for mime, text in lab_page.outputs(page) if mime == lab_page.STDERR and "Traceback" in text]
    assert not tracebacks, f"{path}: a traceback in the page:\n{tracebacks[0][:2000]}"
    errors = [out for cell in saved.cells for out in cell.get("outputs", []) if out.output_type == "error"]
    assert not errors, f"{path}: error output {errors[0].ename}: {errors[0].evalue}"

    widths = lab_page.image_widths(page)
    saved_images = sum("image/png" in out.get("data", {}) for cell in saved.cells for out in cell.get("outputs", []))
    assert saved_images > 0, f"{path}: no figure in the saved notebook"
    assert len(widths) == saved_images, f"{path}: {saved_images} figures saved, {len(widths)} shown in the page"
    assert all(width > 0 for width in widths), f"{path}: images that did not load (width 0): {widths}"
    return saved


@pytest.mark.parametrize("chapter", ["01", "05"])
def test_chapter_runs_all_in_jupyterlab_in_fast_mode(lab, page, chapter):
    (source,) = find_chapters(chapter)
    run_in_lab(page, lab, f"notebooks/{source.name}")

    assert lab_page.verdicts(page) == {exercise: "passed" for exercise in exercise_ids(source)}


def test_student_version_says_not_yet_without_a_traceback(lab, page):
    (source,) = find_chapters("01")
    out = lab.root / "assignments"
    made = subprocess.run(
        [sys.executable, "-m", "dlnotes", "student", "--only", "01", "--out", str(out)],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert made.returncode == 0, f"python -m dlnotes student failed:\n{made.stdout}{made.stderr}"
    student = out / source.stem / "student" / source.name

    run_in_lab(page, lab, str(student.relative_to(lab.root)))

    # every answer cell of the student version still holds `...`
    assert lab_page.verdicts(page) == {exercise: "not answered yet" for exercise in exercise_ids(source)}


@pytest.mark.parametrize(
    ("cells", "message"),
    [(["1 / 0", "print('after')"], r"code cells \[4\] never ran"), (["print('before')", "1 / 0"], "a traceback")],
    ids=["error-stops-run-all", "error-in-last-cell"],
)
def test_a_failing_cell_fails_the_check(lab, page, cells, message):
    code = ["FAST = False\nSEED = 0", "import matplotlib.pyplot as plt\nplt.plot([0, 1])\nplt.show()", *cells]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in code])
    notebook.metadata["kernelspec"] = PYTHON_KERNEL
    name = f"broken_{len(list(lab.root.glob('broken_*')))}.ipynb"
    nbformat.write(notebook, lab.root / name)

    with pytest.raises(AssertionError, match=message):
        run_in_lab(page, lab, name)
