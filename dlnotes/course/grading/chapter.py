"""Find a chapter's exercises and write its student and grading versions.

The format (README, "Assignments"): after the chapter's one ``## Exercises`` heading, each exercise is

1. a markdown statement;
2. one or more answer cells holding solution markers (see :mod:`dlnotes.course.grading.markers`);
3. one check cell: imports and function definitions if needed, then a single
   ``with exercise("ex1", hint=..., points=...) as ex:`` block (see :mod:`dlnotes.assignments`).

The student version strips the solutions, keeps the checks (locked against editing in Jupyter), adds a
cell that switches the checks to student mode, and in the heading cell says to replace each ``...`` where the
chapter says that its answer cells hold the solutions (:data:`SOLUTIONS_NOTE`). The grading version keeps
everything; the grader takes its
check cells as the official ones. Both mark their exercise cells in the cell metadata (``dlnotes``), which
is how the grader finds them again in a submission.
"""

from __future__ import annotations

import ast
import copy
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from dlnotes.assignments import ID_PATTERN
from dlnotes.course.grading.markers import has_solution, solution_line_numbers, strip_solutions
from dlnotes.course.notebooks import INSERTED_BY_GRADER, METADATA_KEY, read_notebook

HEADING = re.compile(r"^## Exercises\s*$", re.MULTILINE)
MODE_CELL = (
    "# Student version: a check cell prints its verdict (what passed, what did not, a hint)\n"
    "# and never stops the notebook.\n"
    "from dlnotes.assignments import use_mode\n"
    "\n"
    'use_mode("student")'
)
# The chapter's exercises heading says where the solutions are; the student version says what to do instead.
SOLUTIONS_NOTE = "Here the answer cells hold the reference solutions; the student version (`make student`) has `...` to replace."
STUDENT_NOTE = "Replace each `...` in an answer cell with your code, run it, then run the check cell below it."
# What a check cell may hold besides its `with exercise(...)` block: nothing that can fail outside it.
ALLOWED_AROUND_CHECK = (ast.Import, ast.ImportFrom, ast.FunctionDef)


class FormatError(ValueError):
    """A chapter's exercises do not follow the format; the message names the cell and the rule."""


@dataclass(frozen=True)
class ExerciseSpec:
    """One exercise: its id and points, and where its cells are (indices into the notebook's cells)."""

    id: str
    points: float
    hint: str | None
    check_cell: int
    answer_cells: tuple[int, ...]


@dataclass
class Assignment:
    """A chapter notebook with its exercises found."""

    name: str
    notebook: nbformat.NotebookNode
    heading_cell: int
    exercises: list[ExerciseSpec]

    @property
    def points(self) -> dict[str, float]:
        return {e.id: e.points for e in self.exercises}

    def check_source(self, exercise_id: str) -> str:
        spec = next((e for e in self.exercises if e.id == exercise_id), None)
        if spec is None:
            raise KeyError(f"{self.name}: no exercise {exercise_id!r}; it has {', '.join(self.points)}")
        return self.notebook.cells[spec.check_cell].source

    def answer_names(self, exercise_id: str) -> list[str]:
        """The names a student answers with that the exercise's check reads: defined at the top level of an
        answer cell (of any exercise) by a statement holding solution code, and read (not set) by the check cell."""
        answered = set()
        for spec in self.exercises:
            for index in spec.answer_cells:
                answered |= _names_defined_by_solutions(self.notebook.cells[index].source)
        names = [node for node in ast.walk(ast.parse(self.check_source(exercise_id))) if isinstance(node, ast.Name)]
        own = {node.id for node in names if not isinstance(node.ctx, ast.Load)}  # the check's own variables
        return sorted(answered & {node.id for node in names if isinstance(node.ctx, ast.Load)} - own)


def _names_defined_by_solutions(source: str) -> set[str]:
    solution = solution_line_numbers(source)
    names = set()
    for statement in ast.parse(source).body:
        if not solution & set(range(statement.lineno, statement.end_lineno + 1)):
            continue  # given code (the chapter's), not the student's answer
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(statement.name)
        else:
            targets = [n for n in ast.walk(statement) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]
            names |= {n.id for n in targets}
    return names


def parse_assignment(notebook: nbformat.NotebookNode, name: str) -> Assignment:
    """Find the exercises of ``notebook`` (called ``name`` in messages); raise FormatError if malformed."""
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise TypeError(f"parse_assignment: expected a notebook (nbformat.NotebookNode), got {type(notebook).__name__}")
    cells = notebook["cells"]
    headings = [i for i, c in enumerate(cells) if c["cell_type"] == "markdown" and HEADING.search(c["source"])]
    if len(headings) != 1:
        found = f"cells {[i + 1 for i in headings]}" if headings else "none"
        raise FormatError(f"{name}: expected exactly one markdown cell with the heading '## Exercises', found {found}")
    heading = headings[0]
    for index in range(heading):
        if cells[index]["cell_type"] == "code" and has_solution(cells[index]["source"]):
            raise FormatError(f"{name}, cell {index + 1}: solution markers are only allowed after '## Exercises'")

    exercises, answers = [], []
    for index in range(heading + 1, len(cells)):
        cell = cells[index]
        if cell["cell_type"] != "code":
            continue
        where = f"{name}, cell {index + 1}"
        check = parse_check_cell(cell["source"], where)
        if check is None:
            if has_solution(cell["source"]):
                strip_solutions(cell["source"], where)  # raises MarkerError on malformed markers
                answers.append(index)
            continue
        exercise_id, points, hint = check
        if has_solution(cell["source"]):
            raise FormatError(f"{where}: a check cell must not hold solution markers (they would be stripped)")
        if not answers:
            raise FormatError(f"{where}: exercise {exercise_id!r} has no answer cell (with solution markers) before it")
        if exercise_id in {e.id for e in exercises}:
            raise FormatError(f"{where}: exercise id {exercise_id!r} is used twice")
        exercises.append(ExerciseSpec(exercise_id, points, hint, index, tuple(answers)))
        answers = []
    if not exercises:
        raise FormatError(f"{name}: no check cell (`with exercise(\"ex1\", hint=...) as ex:`) after '## Exercises'")
    if answers:
        raise FormatError(f"{name}, cell {answers[0] + 1}: solution markers after the last check cell")
    return Assignment(name, notebook, heading, exercises)


def parse_check_cell(source: str, where: str = "cell") -> tuple[str, float, str | None] | None:
    """(id, points, hint) of the cell's ``with exercise(...)`` block; None when the cell is not a check cell."""
    if not isinstance(source, str):
        raise TypeError(f"parse_check_cell: expected the cell source as str, got {type(source).__name__}")
    if "exercise(" not in source:
        return None
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise FormatError(f"{where}: cannot parse the cell ({error.msg}, line {error.lineno})") from None
    blocks = [node for node in tree.body if isinstance(node, ast.With) and _exercise_call(node) is not None]
    if not blocks:
        return None
    if len(blocks) > 1:
        raise FormatError(f"{where}: one `with exercise(...)` block per check cell, found {len(blocks)}")
    others = [n for n in tree.body if n is not blocks[0] and not isinstance(n, ALLOWED_AROUND_CHECK)]
    if others:
        raise FormatError(
            f"{where}, line {others[0].lineno}: outside its `with exercise(...)` block a check cell may only hold "
            "imports and function definitions (anything else could fail with a bare traceback)"
        )
    call = _exercise_call(blocks[0])
    arguments = {keyword.arg: keyword.value for keyword in call.keywords}
    if call.args:
        arguments["exercise_id"] = call.args[0]
    if len(call.args) > 1:
        raise FormatError(f"{where}: give exercise() its id positionally and hint=/points= by keyword")
    exercise_id = _literal(arguments.get("exercise_id"), str, "the exercise id", where)
    if not ID_PATTERN.match(exercise_id):
        raise FormatError(f"{where}: exercise id must be lower_snake_case like 'ex1', got {exercise_id!r}")
    points = _literal(arguments["points"], (int, float), "points", where) if "points" in arguments else 1
    if isinstance(points, bool) or points <= 0:
        raise FormatError(f"{where}: points must be a positive number, got {points!r}")
    hint = arguments.get("hint")
    hint = hint.value if isinstance(hint, ast.Constant) and isinstance(hint.value, str) else None
    return exercise_id, points, hint


def _exercise_call(node: ast.With) -> ast.Call | None:
    expression = node.items[0].context_expr
    if isinstance(expression, ast.Call):
        function = expression.func
        name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", None)
        if name == "exercise":
            return expression
    return None


def _literal(node, kind, what: str, where: str):
    if not isinstance(node, ast.Constant) or not isinstance(node.value, kind):
        given = ast.unparse(node) if node else "nothing"
        raise FormatError(f"{where}: exercise(): {what} must be written as a literal, got {given}")
    return node.value


def _mark(cell, exercise_id: str | None, role: str, locked: bool = False) -> None:
    cell["metadata"][METADATA_KEY] = {"role": role, **({"exercise": exercise_id} if exercise_id else {})}
    if locked:  # Jupyter honours these: the student cannot edit or delete the cell by accident
        cell["metadata"]["editable"] = False
        cell["metadata"]["deletable"] = False


def _versioned_copy(assignment: Assignment, version: str) -> nbformat.NotebookNode:
    notebook = copy.deepcopy(assignment.notebook)
    for spec in assignment.exercises:
        _mark(notebook.cells[spec.check_cell], spec.id, "check", locked=True)
        for index in spec.answer_cells:
            _mark(notebook.cells[index], spec.id, "answer")
    notebook.metadata[METADATA_KEY] = {
        "assignment": {"chapter": assignment.name, "version": version, "points": assignment.points}
    }
    return notebook


def student_version(assignment: Assignment) -> nbformat.NotebookNode:
    """The notebook to hand out: solutions replaced by prompts, checks kept and in student mode."""
    notebook = _versioned_copy(assignment, "student")
    heading = notebook.cells[assignment.heading_cell]
    heading.source = heading.source.replace(SOLUTIONS_NOTE, STUDENT_NOTE)
    for spec in assignment.exercises:
        for index in spec.answer_cells:
            notebook.cells[index].source = strip_solutions(notebook.cells[index].source, f"{assignment.name}, cell {index + 1}")
    mode_cell = nbformat.v4.new_code_cell(MODE_CELL)
    mode_cell.pop("id", None)
    _mark(mode_cell, None, "mode", locked=True)
    notebook.cells.insert(assignment.heading_cell + 1, mode_cell)
    return notebook


def grading_version(assignment: Assignment) -> nbformat.NotebookNode:
    """The teacher's notebook: the chapter with its solutions, its exercise cells marked for the grader."""
    return _versioned_copy(assignment, "grading")


def write_versions(chapter: str | Path, out_dir: str | Path) -> dict[str, Path]:
    """Write ``out_dir/<name>/student/<name>.ipynb`` and ``.../grading/<name>.ipynb``; return both paths."""
    chapter = Path(chapter)
    assignment = parse_assignment(read_notebook(chapter), chapter.stem)
    written = {}
    for version, build in (("student", student_version), ("grading", grading_version)):
        notebook = build(assignment)
        _clear_outputs(notebook)
        target = Path(out_dir) / chapter.stem / version / chapter.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, str(target))
        written[version] = target
    return written


def _clear_outputs(notebook: nbformat.NotebookNode) -> None:
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None


def insert_parameters(notebook, parameters: dict):
    """``notebook`` with a cell setting ``parameters`` after its parameters cell (as papermill does)."""
    if parameters:
        index = _parameters_cell(notebook)
        assignments = "\n".join(f"{name} = {value!r}" for name, value in parameters.items())
        notebook.cells.insert(index + 1, grader_cell(f"# set by the grader\n{assignments}", role=INSERTED_BY_GRADER))
    return notebook


def grader_cell(source: str, role: str, exercise_id: str | None = None):
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
