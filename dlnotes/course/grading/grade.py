"""Grade a folder of submitted notebooks against a chapter's official checks; write a CSV score table.

For each submission, in its own process and its own temporary folder:

1. read it (not a file, not JSON, not a notebook: 0 for every exercise, with the reason);
2. put the official check cells in place of the student's (found by their cell metadata, else by their
   ``exercise("id")`` call; a missing one is appended at the end), so an edited check cannot pass;
3. set ``FAST = True`` after the ``parameters`` cell (FAST-mode speed, as the course tests run);
4. execute it top to bottom with a per-cell and a per-notebook timeout, checks in student mode;
5. read each exercise's verdict from the official check cells' outputs.

A notebook that raises outside a check, or times out, scores 0 for every exercise with the reason: the
assignment asks for a notebook that runs top to bottom (a check never raises in student mode; an answer
that makes a check fail only loses that exercise).
"""

from __future__ import annotations

import concurrent.futures
import copy
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from dlnotes.assignments import MIME_TYPE, MODE_VARIABLE
from dlnotes.course.grading.chapter import Assignment, parse_check_cell
from dlnotes.course.notebooks import INSERTED_BY_GRADER, METADATA_KEY, read_notebook
from dlnotes.validation import positive_int

DEFAULT_CELL_TIMEOUT = 120  # seconds; a FAST-mode chapter cell stays well below
DEFAULT_NOTEBOOK_TIMEOUT = 600  # seconds; a FAST-mode chapter runs in under a minute


@dataclass
class SubmissionGrade:
    """One row of the score table."""

    student: str
    scores: dict[str, float]
    note: str = ""
    notebook: str = ""  # the executed copy, for the teacher to open
    failed_checks: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(self.scores.values())


def find_submissions(folder: str | Path) -> dict[str, Path]:
    """``{student: notebook}`` for every ``.ipynb`` under ``folder``.

    ``folder/alice.ipynb`` is student ``alice``; ``folder/alice/anything.ipynb`` too (one notebook a student
    folder). Two notebooks for one name keep their relative paths as names, so that neither is lost.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"submissions folder not found: {folder}")
    paths = sorted(p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts and p.is_file())
    if not paths:
        raise FileNotFoundError(f"no .ipynb submissions in {folder}")
    names = [p.relative_to(folder).parts[0] if len(p.relative_to(folder).parts) > 1 else p.stem for p in paths]
    return {
        (name if names.count(name) == 1 else p.relative_to(folder).with_suffix("").as_posix()): p for name, p in zip(names, paths)
    }


def prepare_submission(submission, assignment: Assignment, parameters: dict) -> tuple[nbformat.NotebookNode, list[str]]:
    """The notebook the grader runs (a copy): official checks in place, ``parameters`` set; plus notes for the table."""
    _require_notebook(submission, "prepare_submission")
    _require_assignment(assignment, "prepare_submission")
    if not isinstance(parameters, dict) or not all(isinstance(k, str) and k.isidentifier() for k in parameters):
        raise ValueError(f"prepare_submission: parameters must map variable names to values, got {parameters!r}")
    notebook, notes = copy.deepcopy(submission), []
    for spec in assignment.exercises:
        official = assignment.check_source(spec.id)
        matches = [index for index, cell in enumerate(notebook.cells) if _is_check_cell(cell, spec.id)]
        for index in matches:  # a fresh cell: whatever the student did to it (edited, made markdown) is undone
            notebook.cells[index] = _grader_cell(official, role="check", exercise_id=spec.id)
        if not matches:
            notebook.cells.append(_grader_cell(official, role="check", exercise_id=spec.id))
            notes.append(f"check cell of {spec.id} was missing: appended at the end")
    if parameters:
        index = _parameters_cell(notebook)
        assignments = "\n".join(f"{name} = {value!r}" for name, value in parameters.items())
        notebook.cells.insert(index + 1, _grader_cell(f"# set by the grader\n{assignments}", role=INSERTED_BY_GRADER))
    return notebook, notes


def _is_check_cell(cell, exercise_id: str) -> bool:
    marked = cell.get("metadata", {}).get(METADATA_KEY, {})
    if marked.get("role") == "check":
        return marked.get("exercise") == exercise_id
    if cell.get("cell_type") != "code":
        return False
    try:
        found = parse_check_cell(cell.get("source", ""), "submission")
    except ValueError:  # a check cell the student broke: recognised by its call, replaced anyway
        found = (exercise_id,) if f'exercise("{exercise_id}"' in cell.get("source", "") else None
    return found is not None and found[0] == exercise_id


def _grader_cell(source: str, role: str, exercise_id: str | None = None):
    cell = nbformat.v4.new_code_cell(source)
    cell.pop("id", None)
    cell.metadata[METADATA_KEY] = {"role": role, **({"exercise": exercise_id} if exercise_id else {})}
    return cell


def _parameters_cell(notebook) -> int:
    """Index of the cell tagged ``parameters``, else of the first cell assigning FAST; -1 for neither."""
    for index, cell in enumerate(notebook.cells):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            return index
    for index, cell in enumerate(notebook.cells):
        if cell.get("cell_type") == "code" and any(line.startswith("FAST =") for line in cell.source.splitlines()):
            return index
    return -1


def _require_notebook(notebook, where: str) -> None:
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise TypeError(f"{where}: expected a notebook (nbformat.NotebookNode), got {type(notebook).__name__}")


def _require_assignment(assignment, where: str) -> None:
    if not isinstance(assignment, Assignment):
        raise TypeError(f"{where}: expected an Assignment (see parse_assignment), got {type(assignment).__name__}")


def read_verdicts(executed, assignment: Assignment) -> dict[str, dict]:
    """The verdict of each exercise, read from the official check cells only (a forged output elsewhere is ignored)."""
    _require_notebook(executed, "read_verdicts")
    _require_assignment(assignment, "read_verdicts")
    verdicts = {}
    for cell in executed.cells:
        marked = cell.get("metadata", {}).get(METADATA_KEY, {})
        if marked.get("role") != "check" or marked.get("exercise") not in assignment.points:
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {}).get(MIME_TYPE)
            if isinstance(data, dict) and data.get("exercise") == marked["exercise"]:
                verdicts[marked["exercise"]] = data
    return verdicts


def score(verdicts: dict[str, dict], assignment: Assignment) -> tuple[dict[str, float], dict[str, str]]:
    """Points per exercise (all or nothing, from the official points) and the first failed check of each."""
    _require_assignment(assignment, "score")
    if not isinstance(verdicts, dict):
        raise TypeError(f"score: expected the verdicts as a dict (see read_verdicts), got {type(verdicts).__name__}")
    scores, failures = {}, {}
    for exercise_id, points in assignment.points.items():
        verdict = verdicts.get(exercise_id)
        passed = bool(verdict and verdict.get("passed"))
        scores[exercise_id] = points if passed else 0
        if verdict is None:
            failures[exercise_id] = "no verdict (its check cell did not run)"
        elif not passed:
            failed = next((c for c in verdict.get("checks", []) if not c.get("passed")), {})
            failures[exercise_id] = failed.get("description", "failed")
    return scores, failures


def grade_one(
    student: str,
    submission: Path,
    assignment: Assignment,
    out_dir: Path,
    parameters: dict,
    cell_timeout: int,
    notebook_timeout: int,
) -> SubmissionGrade:
    """Grade one submission in a separate process; never raises for a broken submission."""
    if not isinstance(student, str) or not student:
        raise ValueError(f"grade_one: student must be a non-empty name, got {student!r}")
    _require_assignment(assignment, "grade_one")
    for name, value in [("cell_timeout", cell_timeout), ("notebook_timeout", notebook_timeout)]:
        positive_int("grade_one", name, value)
    zero = dict.fromkeys(assignment.points, 0)
    try:
        notebook, notes = prepare_submission(read_notebook(submission), assignment, parameters)
    except (ValueError, KeyError, AttributeError) as error:  # not JSON, not a notebook, cells without sources...
        # the table names the submitted file, not the folder it was found in
        note = str(error).replace(str(submission), Path(submission).name)
        return SubmissionGrade(student, zero, note=" ".join(note.split()))
    executed = Path(out_dir) / "executed" / f"{student.replace('/', '__')}.ipynb"
    executed.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dlnotes-grade-") as workdir:
        prepared, status_file = Path(workdir) / "submission.ipynb", Path(workdir) / "status.json"
        nbformat.write(notebook, str(prepared))
        run_status = _run_isolated(prepared, executed, status_file, cell_timeout, notebook_timeout)
    if run_status["status"] != "ok":  # the partial run stays in executed/ for the teacher
        return SubmissionGrade(student, zero, note="; ".join([run_status["reason"], *notes]), notebook=str(executed))
    scores, failures = score(read_verdicts(read_notebook(executed), assignment), assignment)
    failed = [f"{exercise_id}: {description}" for exercise_id, description in failures.items()]
    return SubmissionGrade(student, scores, "; ".join(notes + failed), str(executed), failures)


def _run_isolated(prepared: Path, executed: Path, status_file: Path, cell_timeout: int, notebook_timeout: int) -> dict:
    """Run :mod:`dlnotes.course.grading.execute` in a child process; kill it and its kernel past the timeout."""
    import psutil  # a dependency of ipykernel

    command = [sys.executable, "-m", "dlnotes.course.grading.execute", str(prepared), str(executed), str(status_file)]
    command += ["--cell-timeout", str(cell_timeout)]
    environment = {**os.environ, MODE_VARIABLE: "student", "MPLBACKEND": "Agg"}
    environment.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    child = subprocess.Popen(
        command, cwd=prepared.parent, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        log, _ = child.communicate(timeout=notebook_timeout)
    except subprocess.TimeoutExpired:
        # The kernel runs in its own session: kill the whole process tree, not just the child.
        try:
            family = psutil.Process(child.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            family = []
        for process in [*family, child]:
            try:
                process.kill()
            except psutil.NoSuchProcess:
                pass
        child.communicate()
        return {"status": "timeout", "reason": f"the notebook ran longer than {notebook_timeout} s"}
    if status_file.is_file():
        return json.loads(status_file.read_text(encoding="utf-8"))
    last_line = next((line for line in reversed(log.splitlines()) if line.strip()), "no output")
    return {"status": "error", "reason": f"the grader could not run it (exit code {child.returncode}: {last_line[:200]})"}


def grade_folder(
    assignment: Assignment,
    submissions: str | Path,
    out_dir: str | Path,
    *,
    fast: bool = True,
    cell_timeout: int = DEFAULT_CELL_TIMEOUT,
    notebook_timeout: int = DEFAULT_NOTEBOOK_TIMEOUT,
    jobs: int = 1,
    echo=print,
) -> list[SubmissionGrade]:
    """Grade every notebook in ``submissions``; write ``out_dir/grades.csv`` and the executed copies."""
    _require_assignment(assignment, "grade_folder")
    for name, value in [("cell_timeout", cell_timeout), ("notebook_timeout", notebook_timeout), ("jobs", jobs)]:
        positive_int("grade_folder", name, value)
    found = find_submissions(submissions)
    out_dir = Path(out_dir)
    if (out_dir / "executed").is_dir():
        shutil.rmtree(out_dir / "executed")  # stale copies from an earlier run would mislead
    out_dir.mkdir(parents=True, exist_ok=True)
    parameters = {"FAST": True} if fast else {}
    echo(f"Grading {len(found)} submission(s) of {assignment.name} ({len(assignment.exercises)} exercises) ...")
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {
            student: pool.submit(grade_one, student, path, assignment, out_dir, parameters, cell_timeout, notebook_timeout)
            for student, path in found.items()
        }
        grades = []
        for student, future in futures.items():
            grade = future.result()
            grades.append(grade)
            note = f" ({grade.note})" if grade.note else ""
            echo(f"  {student}: {grade.total:g} of {sum(assignment.points.values()):g}{note}")
    table = write_table(grades, assignment, out_dir / "grades.csv")
    echo(f"Score table: {table}")
    return grades


def write_table(grades: list[SubmissionGrade], assignment: Assignment, path: str | Path) -> Path:
    """CSV: one row per student; columns student, one per exercise (points earned), total, note."""
    _require_assignment(assignment, "write_table")
    if not all(isinstance(grade, SubmissionGrade) for grade in grades):
        raise TypeError("write_table: expected a list of SubmissionGrade (see grade_folder)")
    path = Path(path)
    columns = ["student", *assignment.points, "total", "note"]
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(columns)
        for grade in sorted(grades, key=lambda g: g.student):
            row = [_number(grade.scores.get(e, 0)) for e in assignment.points]
            writer.writerow([grade.student, *row, _number(grade.total), grade.note])
    return path


def _number(value: float) -> str:
    return f"{value:g}"
