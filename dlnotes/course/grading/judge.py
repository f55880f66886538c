"""The judge: a kernel that runs only the teacher's notebook and decides every verdict.

1. It runs the grading version (the reference solutions) once, with the students' parameters (FAST), in a
   kernel of its own; around each official check cell it records the inputs that the check gives the answer
   functions (:func:`dlnotes.course.grading.answers.start_recording`).
2. It exports the reference answers as data, exactly as a student's kernel will, and judges them: every
   exercise must pass, or grading stops with the reason (the checks would not be fair).
3. For each submission, it binds the data that the submission's kernel exported to the answer names and runs
   the official check cell again (:meth:`Judge.verdicts`). No code of the submission ever runs here.

The checks run at the end of the reference run, not at their place in the notebook; step 2 proves that this
gives the reference solutions full marks.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from dlnotes.assignments import MIME_TYPE, MODE_VARIABLE
from dlnotes.course.grading.chapter import Assignment, insert_parameters

INPUTS_FILE = "grader-inputs.json"  # the recorded inputs of the answer functions, copied to every work folder
GRADER_MODULE = "from dlnotes.course.grading import answers as _grader"


class JudgeError(RuntimeError):
    """The judge cannot grade fairly: the reference run failed, or the reference answers fail a check."""


def _code_cell(source: str):
    cell = nbformat.v4.new_code_cell(source)
    cell.pop("id", None)
    return cell


class Judge:
    """The reference run's kernel, kept alive to judge each submission's answers; use as a context manager."""

    def __init__(self, assignment: Assignment, parameters: dict, folder: Path, cell_timeout: int):
        self.assignment, self.folder = assignment, Path(folder)
        self.names = {spec.id: assignment.answer_names(spec.id) for spec in assignment.exercises}
        self.notebook = self._reference_notebook(parameters)
        self.client = NotebookClient(
            self.notebook,
            timeout=cell_timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(self.folder)}},
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )
        self._kernel = None

    @property
    def inputs(self) -> Path:
        return self.folder / INPUTS_FILE

    def _reference_notebook(self, parameters: dict):
        notebook = nbformat.v4.new_notebook(metadata=self.assignment.notebook.metadata)
        checks = {spec.check_cell: spec.id for spec in self.assignment.exercises}
        for index, cell in enumerate(self.assignment.notebook.cells):
            exercise_id = checks.get(index)
            if exercise_id:
                start = f"_grader.start_recording({exercise_id!r}, {self.names[exercise_id]!r}, globals())"
                notebook.cells.append(_code_cell(f"{GRADER_MODULE}\n{start}"))
            notebook.cells.append(nbformat.from_dict(dict(cell, outputs=[]) if cell.cell_type == "code" else dict(cell)))
            if exercise_id:
                notebook.cells.append(_code_cell("_grader.stop_recording(globals())"))
        notebook.cells.append(_code_cell(f"_grader.save_inputs({str(self.inputs)!r})"))
        return insert_parameters(notebook, parameters)

    def __enter__(self) -> Judge:
        self.folder.mkdir(parents=True, exist_ok=True)
        saved = os.environ.pop(MODE_VARIABLE, None)  # chapter mode: a reference check that fails stops the run
        try:
            self._kernel = self.client.setup_kernel()
            self._kernel.__enter__()
        finally:
            if saved is not None:
                os.environ[MODE_VARIABLE] = saved
        try:
            self._judge_the_reference()
        except CellExecutionError as error:
            self.__exit__(None, None, None)
            message = " ".join(str(error).split())[:600]
            raise JudgeError(f"the reference run of {self.assignment.name} failed: {message}") from None
        except BaseException:  # unfair checks (JudgeError), or Ctrl-C: the kernel must not outlive the judge
            self.__exit__(None, None, None)
            raise
        return self

    def _judge_the_reference(self) -> None:
        """Run the reference notebook, export its answers as data and judge them; JudgeError if one fails."""
        for index, cell in enumerate(self.notebook.cells):
            if cell.cell_type == "code":
                self.client.execute_cell(cell, index)
        self._run(f"{GRADER_MODULE}\nfrom dlnotes.assignments import use_mode\nuse_mode('student')")
        reference = self.folder / "reference-answers"
        for exercise_id in self.names:
            self._run(export_source(exercise_id, self.names[exercise_id], str(self.inputs), str(reference)))
        failed = {e: v for e, v in self.verdicts(reference).items() if not v.get("passed")}
        if failed:
            details = "; ".join(f"{e}: {_first_failure(v)}" for e, v in failed.items())
            raise JudgeError(f"{self.assignment.name}: the reference answers, judged as data, fail their checks ({details})")

    def __exit__(self, *exc) -> None:
        if self._kernel is not None:
            kernel, self._kernel = self._kernel, None
            kernel.__exit__(None, None, None)

    def _run(self, source: str):
        """Execute ``source`` in the judge's kernel; its outputs."""
        cell = _code_cell(source)
        self.notebook.cells.append(cell)
        try:
            self.client.execute_cell(cell, len(self.notebook.cells) - 1)
        finally:
            self.notebook.cells.pop()
        return cell.outputs


    def verdicts(self, answers: Path) -> dict[str, dict]:
        """The verdict of each exercise on the answers saved in the folder ``answers`` (one JSON file each)."""
        verdicts = {}
        for spec in self.assignment.exercises:
            path = Path(answers) / f"{spec.id}.json"
            if not path.is_file():
                continue  # no verdict: its export cell did not run
            bind = f"{GRADER_MODULE}\n_grader.bind_answers(globals(), {self.names[spec.id]!r}, {str(path)!r})\n"
            try:
                outputs = self._run(bind + self.assignment.check_source(spec.id))
            except CellExecutionError as error:  # an unreadable answers file: bind_answers raised before the check
                message = " ".join(str(error.evalue).split())[:200]
                verdicts[spec.id] = _failed(spec.id, spec.points, f"the grader could not read the answers ({message})")
                continue
            found = [o["data"][MIME_TYPE] for o in outputs if MIME_TYPE in o.get("data", {})]
            if found:
                verdicts[spec.id] = found[-1]
        return verdicts

    def copy_inputs(self, workdir: Path) -> None:
        shutil.copyfile(self.inputs, workdir / INPUTS_FILE)
        (workdir / INPUTS_FILE).chmod(0o644)


def export_source(exercise_id: str, names: list[str], inputs: str, answers: str) -> str:
    """The cell that saves an exercise's answers as data (run in each student's kernel, and for the reference)."""
    return (
        f"# checked by the grader: your answers to {exercise_id} are saved, and judged outside this notebook\n"
        "from dlnotes.course.grading.answers import export_answers\n\n"
        f"export_answers({exercise_id!r}, {names!r}, globals(), {inputs!r}, {answers!r})"
    )


def _failed(exercise_id: str, points: float, description: str) -> dict:
    return {"exercise": exercise_id, "passed": False, "points": points, "score": 0,
            "checks": [{"description": description, "passed": False, "hint": None}]}


def _first_failure(verdict: dict) -> str:
    failed = next((c for c in verdict.get("checks", []) if not c.get("passed")), {})
    return json.dumps(failed)[:300]
