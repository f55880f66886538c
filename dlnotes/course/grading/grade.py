"""Grade a folder of submitted notebooks against a chapter's official checks; write a CSV score table.

First the judge (:mod:`dlnotes.course.grading.judge`) runs the teacher's notebook once. Then, for each
submission, in its own process, its own work folder and (on Linux with bubblewrap) its own sandbox
(:mod:`dlnotes.course.grading.sandbox`):

1. read it (not a file, not JSON, not a notebook: 0 for every exercise, with the reason);
2. put an export cell in place of each official check cell (found by their cell metadata, else by their
   ``exercise("id")`` call; a missing one is appended at the end): it saves the exercise's answers as data;
3. set ``FAST = True`` after the ``parameters`` cell (FAST-mode speed, as the course tests run);
4. execute it top to bottom with a per-cell and a per-notebook timeout and resource limits;
5. hand the saved answers to the judge, which runs the official checks on them outside the submission's
   kernel; its verdicts go into the table and into the executed copy's export cells.

A notebook that raises outside a check, or times out, scores 0 for every exercise with the reason: the
assignment asks for a notebook that runs top to bottom (an answer that makes a check fail only loses that
exercise).
"""

from __future__ import annotations

import concurrent.futures
import copy
import csv
import json
import os
import queue
import shutil
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from dlnotes.assignments import MIME_TYPE, MODE_VARIABLE, CheckOutcome, ExerciseResult, format_verdict
from dlnotes.course.grading.answers import MAX_ANSWER_BYTES
from dlnotes.course.grading.chapter import Assignment, grader_cell, insert_parameters, parse_check_cell
from dlnotes.course.grading.execute import write_sandbox
from dlnotes.course.grading.judge import INPUTS_FILE, Judge, export_source
from dlnotes.course.grading.sandbox import HOME, Limits, Sandbox, find_sandbox, prepare_workdir
from dlnotes.course.notebooks import METADATA_KEY, NOTEBOOK_DIR, read_notebook
from dlnotes.course.processes import Children, kill_family, result_or_ctrl_c
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
    isolation: str = ""  # what was not isolated while it ran (empty: fully isolated)

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


def prepare_submission(
    submission, assignment: Assignment, parameters: dict, home: str = HOME
) -> tuple[nbformat.NotebookNode, list[str]]:
    """The notebook the grader runs (a copy): export cells in place of the checks, ``parameters`` set; plus notes
    for the table. ``home`` is the work folder as the kernel sees it, where the answers are saved."""
    _require_notebook(submission, "prepare_submission")
    _require_assignment(assignment, "prepare_submission")
    if not isinstance(parameters, dict) or not all(isinstance(k, str) and k.isidentifier() for k in parameters):
        raise ValueError(f"prepare_submission: parameters must map variable names to values, got {parameters!r}")
    notebook, notes = copy.deepcopy(submission), []
    for spec in assignment.exercises:
        export = export_source(spec.id, assignment.answer_names(spec.id), f"{home}/{INPUTS_FILE}", f"{home}/answers")
        matches = [index for index, cell in enumerate(notebook.cells) if _is_check_cell(cell, spec.id)]
        for index in matches:  # a fresh cell: whatever the student did to it (edited, made markdown) is undone
            notebook.cells[index] = grader_cell(export, role="check", exercise_id=spec.id)
        if not matches:
            notebook.cells.append(grader_cell(export, role="check", exercise_id=spec.id))
            notes.append(f"check cell of {spec.id} was missing: appended at the end")
    return insert_parameters(notebook, parameters), notes


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


@dataclass(frozen=True)
class GradingRun:
    """What every submission of one grading run shares."""

    assignment: Assignment
    out_dir: Path
    session: Path  # the run's private folder: the work folders and the judge's (hidden from every kernel)
    parameters: dict
    cell_timeout: int
    notebook_timeout: int
    sandbox: Sandbox
    limits: Limits
    hidden: tuple[Path, ...]  # folders every kernel sees empty
    inputs: Path  # the judge's recorded inputs of the answer functions
    executors: Children = field(default_factory=Children)  # the running executors, all killed if grading stops


@dataclass
class Execution:
    """One submission run in its sandbox: the reason it scores zero, or where its answers were saved."""

    student: str
    zero_reason: str = ""
    notes: list[str] = field(default_factory=list)
    executed: str = ""
    answers: Path | None = None


def execute_submission(student: str, submission: Path, run: GradingRun, slot: int = 0) -> Execution:
    """Run one submission in a work folder of its own, sandboxed; never raises for a broken submission."""
    if not isinstance(student, str) or not student:
        raise ValueError(f"execute_submission: student must be a non-empty name, got {student!r}")
    key = student.replace("/", "__")
    work = run.session / "submissions" / key / "work"  # the kernel's home: a copy of its notebook, its answers
    home = HOME if run.sandbox.bwrap else str(work)
    try:
        notebook, notes = prepare_submission(read_notebook(submission), run.assignment, run.parameters, home)
    except (ValueError, KeyError, AttributeError, TypeError) as error:  # not JSON, not a notebook, no sources...
        # the table names the submitted file, not the folder it was found in
        note = str(error).replace(str(submission), Path(submission).name)
        return Execution(student, zero_reason=" ".join(note.split()))
    work.mkdir(parents=True)
    shutil.copyfile(submission, work / "submission.ipynb")
    shutil.copyfile(run.inputs, work / INPUTS_FILE)
    for copied in (work / "submission.ipynb", work / INPUTS_FILE):
        copied.chmod(0o644)
    prepare_workdir(work, run.sandbox.user(slot))
    private = work.parent
    prepared, status_file, spec = private / "prepared.ipynb", private / "status.json", private / "sandbox.json"
    nbformat.write(notebook, str(prepared))
    write_sandbox(spec, run.sandbox, list(run.hidden), run.limits, slot)
    executed = run.out_dir / "executed" / f"{key}.ipynb"
    status = _run_executor(prepared, executed, status_file, spec, work, run)
    if status["status"] != "ok":  # the partial run stays in executed/ for the teacher
        return Execution(student, zero_reason=status["reason"], notes=notes, executed=str(executed))
    answers = collect_answers(work / "answers", private / "answers")
    return Execution(student, notes=notes, executed=str(executed), answers=answers)


def collect_answers(written: Path, target: Path) -> Path:
    """Copy the answers files the kernel wrote into a folder of the grader's: regular files only (a link could
    point at another student's answers), each at most MAX_ANSWER_BYTES (larger ones are left out)."""
    target.mkdir(parents=True, exist_ok=True)
    if not written.is_dir() or written.is_symlink():
        return target
    for entry in os.scandir(written):
        details = entry.stat(follow_symlinks=False)
        if entry.name.endswith(".json") and stat.S_ISREG(details.st_mode) and details.st_size <= MAX_ANSWER_BYTES:
            descriptor = os.open(entry.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(descriptor, "rb") as source, open(target / entry.name, "wb") as copy_:
                shutil.copyfileobj(source, copy_)
    return target


def judge_submission(execution: Execution, judge: Judge, run: GradingRun) -> SubmissionGrade:
    """The row of one executed submission: the judge's verdicts on its answers, written into its executed copy."""
    assignment, isolation = run.assignment, run.sandbox.describe()
    zero = dict.fromkeys(assignment.points, 0)
    if execution.zero_reason:
        note = "; ".join([execution.zero_reason, *execution.notes])
        return SubmissionGrade(execution.student, zero, note=note, notebook=execution.executed, isolation=isolation)
    verdicts = judge.verdicts(execution.answers)
    executed = read_notebook(execution.executed)
    show_verdicts(executed, verdicts)
    nbformat.write(executed, execution.executed)
    scores, failures = score(verdicts, assignment)
    failed = [f"{exercise_id}: {description}" for exercise_id, description in failures.items()]
    note = "; ".join(execution.notes + failed)
    return SubmissionGrade(execution.student, scores, note, execution.executed, failures, isolation)


def show_verdicts(executed, verdicts: dict[str, dict]) -> None:
    """Put the judge's verdicts into the export cells of an executed copy, in place of any verdict-like
    output the kernel produced there, for the teacher to read (and for :func:`read_verdicts`)."""
    for cell in executed.cells:
        marked = cell.get("metadata", {}).get(METADATA_KEY, {})
        if marked.get("role") != "check":
            continue
        cell.outputs = [o for o in cell.get("outputs", []) if MIME_TYPE not in o.get("data", {})]
        verdict = verdicts.get(marked.get("exercise"))
        if verdict is not None:
            result = ExerciseResult(**{**verdict, "checks": [CheckOutcome(**c) for c in verdict["checks"]]})
            data = {MIME_TYPE: verdict, "text/plain": format_verdict(result)}
            cell.outputs.append(nbformat.v4.new_output("display_data", data=data))


def grade_one(student: str, submission: Path, judge: Judge, run: GradingRun, slot: int = 0) -> SubmissionGrade:
    """Run one submission in its sandbox and judge its answers; never raises for a broken submission."""
    return judge_submission(execute_submission(student, submission, run, slot), judge, run)


def _run_executor(
    prepared: Path, executed: Path, status_file: Path, spec: Path, work: Path, run: GradingRun
) -> dict:
    """Run :mod:`dlnotes.course.grading.execute` in a child process; kill it and its kernel past the timeout."""
    executed.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "dlnotes.course.grading.execute", str(prepared), str(executed), str(status_file)]
    command += [str(spec), "--cell-timeout", str(run.cell_timeout)]
    environment = {**os.environ, MODE_VARIABLE: "student", "MPLBACKEND": "Agg"}
    environment.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    options = {"cwd": work, "env": environment, "stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True}
    with run.executors.start(command, **options) as child:
        try:
            log, _ = child.communicate(timeout=run.notebook_timeout)
        except subprocess.TimeoutExpired:
            kill_family(child.pid)  # the executor, its kernel (in a session of its own) and what the kernel started
            child.communicate()
            return {"status": "timeout", "reason": f"the notebook ran longer than {run.notebook_timeout} s"}
    if status_file.is_file():
        return json.loads(status_file.read_text(encoding="utf-8"))
    last_line = next((line for line in reversed(log.splitlines()) if line.strip()), "no output")
    return {"status": "error", "reason": f"the grader could not run it (exit code {child.returncode}: {last_line[:200]})"}


def course_private_folders() -> list[Path]:
    """What a kernel must not read although it sits beside the course package: the chapters (with their
    solutions), the build folder (grading versions, earlier grades) and the git history."""
    root = NOTEBOOK_DIR.parent
    return [NOTEBOOK_DIR, root / "build", root / ".git"]


def grade_folder(
    assignment: Assignment,
    submissions: str | Path,
    out_dir: str | Path,
    *,
    fast: bool = True,
    cell_timeout: int = DEFAULT_CELL_TIMEOUT,
    notebook_timeout: int = DEFAULT_NOTEBOOK_TIMEOUT,
    jobs: int = 1,
    limits: Limits | None = None,
    isolate: bool = True,
    hidden: list[Path] = (),
    echo=print,
) -> list[SubmissionGrade]:
    """Grade every notebook in ``submissions``; write ``out_dir/grades.csv`` and the executed copies.

    ``limits`` bound each submission's kernel (default :class:`Limits`); ``isolate=False`` skips the sandbox;
    ``hidden`` adds folders the kernels must not see (the grading notebook's, for one).
    """
    _require_assignment(assignment, "grade_folder")
    for name, value in [("cell_timeout", cell_timeout), ("notebook_timeout", notebook_timeout), ("jobs", jobs)]:
        positive_int("grade_folder", name, value)
    limits = Limits() if limits is None else limits
    if not isinstance(limits, Limits):
        raise TypeError(f"grade_folder: limits must be a Limits, got {type(limits).__name__}")
    found = find_submissions(submissions)
    out_dir = Path(out_dir).resolve()
    if (out_dir / "executed").is_dir():
        shutil.rmtree(out_dir / "executed")  # stale copies from an earlier run would mislead
    out_dir.mkdir(parents=True, exist_ok=True)
    parameters = {"FAST": True} if fast else {}
    sandbox = find_sandbox(isolate)
    if sandbox.describe():
        echo(f"WARNING: {sandbox.describe()}")
    echo(f"Grading {len(found)} submission(s) of {assignment.name} ({len(assignment.exercises)} exercises) ...")
    with tempfile.TemporaryDirectory(prefix="dlnotes-grading-") as session:
        session = Path(session)
        private = [Path(submissions).resolve(), out_dir, session, *course_private_folders(), *map(Path, hidden)]
        with Judge(assignment, parameters, session / "judge", cell_timeout) as judge:
            run = GradingRun(assignment, out_dir, session, parameters, cell_timeout, notebook_timeout, sandbox, limits,
                             tuple(private), judge.inputs)
            grades = _grade_all(found, judge, run, jobs, echo)
    table = write_table(grades, assignment, out_dir / "grades.csv")
    echo(f"Score table: {table}")
    if sandbox.describe():
        echo(f"WARNING: {sandbox.describe()}")
    return grades


def _grade_all(found: dict[str, Path], judge: Judge, run: GradingRun, jobs: int, echo) -> list[SubmissionGrade]:
    """Run the submissions ``jobs`` at a time (each job has a slot: its own user id); judge them in this thread."""
    slots = queue.Queue()
    for slot in range(jobs):
        slots.put(slot)

    def execute(student: str, path: Path) -> Execution:
        slot = slots.get()
        try:
            return execute_submission(student, path, run, slot)
        finally:
            slots.put(slot)

    total = sum(run.assignment.points.values())
    grades = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {student: pool.submit(execute, student, path) for student, path in found.items()}
        try:
            for student, future in futures.items():
                grade = judge_submission(result_or_ctrl_c(future), judge, run)
                grades.append(grade)
                note = f" ({grade.note})" if grade.note else ""
                echo(f"  {student}: {grade.total:g} of {total:g}{note}")
        except BaseException:  # Ctrl-C, or the judge failed: no submission runs on, no kernel stays behind
            pool.shutdown(wait=False, cancel_futures=True)
            run.executors.stop()
            raise
    return grades


def write_table(grades: list[SubmissionGrade], assignment: Assignment, path: str | Path) -> Path:
    """CSV: one row per student; columns student, one per exercise (points earned), total, note, isolation
    (what was not isolated while the submission ran; empty when it was fully sandboxed)."""
    _require_assignment(assignment, "write_table")
    if not all(isinstance(grade, SubmissionGrade) for grade in grades):
        raise TypeError("write_table: expected a list of SubmissionGrade (see grade_folder)")
    path = Path(path)
    columns = ["student", *assignment.points, "total", "note", "isolation"]
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(columns)
        for grade in sorted(grades, key=lambda g: g.student):
            row = [_number(grade.scores.get(e, 0)) for e in assignment.points]
            writer.writerow([grade.student, *row, _number(grade.total), grade.note, grade.isolation])
    return path


def _number(value: float) -> str:
    return f"{value:g}"
