"""Assignments: the check helper's verdicts, the student and grading versions, and grading a folder.

The grading tests execute tiny synthetic notebooks (seconds); the chapter tests reuse the FAST-mode runs of
the chapter tests (``run_fast``) and execute one real chapter's student version through the grader.
"""

import copy
import csv
import json
import os

import nbformat
import numpy as np
import pytest
from submissions import answered

from dlnotes import assignments as checks
from dlnotes.assignments import CheckFailedError, exercise, use_mode
from dlnotes.course.grading.answers import from_data, to_data
from dlnotes.course.grading.chapter import (
    SOLUTIONS_NOTE,
    STUDENT_NOTE,
    FormatError,
    grading_version,
    parse_assignment,
    parse_check_cell,
    student_version,
    write_versions,
)
from dlnotes.course.grading.grade import (
    find_submissions,
    grade_folder,
    prepare_submission,
    read_verdicts,
    score,
)
from dlnotes.course.grading.markers import MarkerError, solution_lines, strip_solutions
from dlnotes.course.notebooks import find_chapters, read_notebook

CHAPTERS = [path.stem[:2] for path in find_chapters()]  # every chapter has graded exercises


@pytest.fixture(autouse=True)
def chapter_mode(monkeypatch):
    """Every test starts in the default mode, whatever the environment or an earlier test chose."""
    monkeypatch.delenv(checks.MODE_VARIABLE, raising=False)
    monkeypatch.setattr(checks, "_chosen_mode", None)


# --- the check helper -------------------------------------------------------------------------------------


def test_passing_exercise_lists_its_checks(capsys):
    with exercise("ex1", hint="unused") as ex:
        ex.check("two is even", 2 % 2 == 0)
        ex.close("pi to three digits", 3.14159, 3.142, atol=1e-3)
    assert ex.result.passed and ex.result.score == 1
    assert capsys.readouterr().out == "✓ ex1: passed (2 of 2 checks)\n    ✓ two is even\n    ✓ pi to three digits\n"
    assert checks.results()["ex1"]["passed"] is True


def test_failed_check_shows_hint_and_stops_the_block_in_student_mode(capsys):
    use_mode("student")
    reached = []
    with exercise("ex2", hint="general hint", points=2) as ex:
        ex.check("first", True)
        ex.check("second", False, hint="specific hint")
        reached.append("after")  # a failed check ends the block: later checks build on it
    out = capsys.readouterr().out
    assert not reached and not ex.result.passed and ex.result.score == 0 and ex.result.points == 2
    assert out.splitlines() == [
        "✗ ex2: not yet (1 passed, then one failed; any checks after it did not run)",
        "    ✓ first",
        "    ✗ second",
        "      hint: specific hint",
    ]


def test_exception_from_student_code_is_a_verdict_not_a_traceback(capsys):
    use_mode("student")

    def student_function():
        return 1 / 0

    with exercise("ex3", hint="divide by something else") as ex:
        ex.check("returns 1", student_function() == 1)
    out = capsys.readouterr().out
    assert "Traceback" not in out
    assert '✗ your code raised ZeroDivisionError: division by zero (in `ex.check("returns 1", student_function() == 1)`)' in out
    assert "hint: divide by something else" in out


def test_plain_assert_shows_its_line_and_message(capsys):
    use_mode("student")
    answer = 41
    with exercise("ex4"):
        assert answer == 42, "the answer is 42"
    failed, hint = capsys.readouterr().out.splitlines()[1:]
    assert failed == '    ✗ assert answer == 42, "the answer is 42"'
    assert hint.startswith("      hint: the answer is 42")  # (pytest appends its own explanation; Jupyter does not)


def test_close_reports_the_largest_difference_and_unanswered_values(capsys):
    use_mode("student")
    with exercise("ex5", hint="h") as ex:
        ex.close("vector", [1.0, 2.5], [1.0, 2.0], atol=1e-6)
    assert "largest difference 0.5 (tolerance atol=1e-06, rtol=1e-07); h" in capsys.readouterr().out
    with exercise("ex5") as ex:
        ex.close("placeholder", ..., 1.0)
    assert "not answered yet: the value is still `...`" in capsys.readouterr().out
    with exercise("ex5") as ex:
        ex.close("shape", [1.0, 2.0], [[1.0, 2.0]])
    assert "shape (2,) instead of (1, 2)" in capsys.readouterr().out


def test_a_first_failure_says_that_later_checks_did_not_run(capsys):
    use_mode("student")
    with exercise("ex5", hint="h") as ex:
        ex.check("first", False)
        ex.check("second", True)
    assert capsys.readouterr().out.splitlines()[0] == "✗ ex5: not yet (the first check failed; any checks after it did not run)"


def test_an_answer_still_at_its_placeholder_is_not_answered_yet_whatever_the_check(capsys):
    use_mode("student")
    shape_a, shape_b = ..., (8, 16)
    with exercise("ex1", hint="return_sequences keeps the time axis") as ex:  # a hint for a wrong answer
        for name, answer in [("b", shape_b), ("a", shape_a)]:
            ex.check(f"shape {name}", answer == (8, 16))
    assert capsys.readouterr().out.splitlines() == [
        "✗ ex1: not answered yet",
        "    ✓ shape b",
        "    ✗ shape a",
        "      hint: not answered yet: `shape_a` is still `...`",
    ]
    assert ex.result.first_failure.hint.startswith("not answered yet")  # what the grader's note shows


def test_a_function_with_a_placeholder_is_not_answered_yet(capsys):
    use_mode("student")

    def teacher_forcing(target):
        ...  # YOUR CODE HERE

    def finished(target):
        return target[..., :-1]  # `...` inside an expression is an answer, not a placeholder

    with exercise("ex3", hint="prepend a GO column") as ex:
        ex.check("finished works", finished([1, 2]) == [1])
        ex.check("by hand", teacher_forcing([1, 2]) == [0, 1])
    assert "hint: not answered yet: `teacher_forcing` still has `...` in it" in capsys.readouterr().out
    with exercise("ex3", hint="prepend a GO column") as ex:
        ex.check("finished is wrong", finished([1, 2]) == [2])
    assert "hint: prepend a GO column" in capsys.readouterr().out  # a real wrong answer keeps its hint


def test_an_answer_never_defined_is_not_answered_yet(capsys):
    use_mode("student")
    with exercise("ex4", hint="np.quantile(errors, 0.99)") as ex:
        ex.close("threshold", threshold_never_written, 1.0)  # noqa: F821 (the student version's blank answer cell)
    out = capsys.readouterr().out
    assert out.startswith("✗ ex4: not answered yet\n    ✗ your code raised NameError")
    assert "hint: not answered yet: `threshold_never_written` is not defined: write it in the answer cell above" in out


def test_use_mode_returns_nothing_for_a_notebook_to_echo():
    assert use_mode("student") is None and checks.current_mode() == "student"


def test_chapter_mode_raises_so_a_broken_reference_solution_fails_the_run(capsys):
    with pytest.raises(CheckFailedError, match=r"ex6: is positive \(make it positive\)"):
        with exercise("ex6") as ex:
            ex.check("is positive", -1 > 0, hint="make it positive")
    assert "✗ ex6: not yet" in capsys.readouterr().out  # the verdict is shown before the error


def test_environment_variable_overrides_use_mode(monkeypatch):
    use_mode("chapter")
    monkeypatch.setenv(checks.MODE_VARIABLE, "student")
    assert checks.current_mode() == "student"
    monkeypatch.setenv(checks.MODE_VARIABLE, "loud")
    with pytest.raises(ValueError, match=r"DLNOTES_EXERCISE_MODE: expected one of 'chapter', 'student', got 'loud'"):
        checks.current_mode()


def test_interrupt_is_not_swallowed():
    with pytest.raises(KeyboardInterrupt):
        with exercise("ex7"):
            raise KeyboardInterrupt  # the grader's timeout interrupts the kernel: it must get through


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: exercise("Exercise 1"), "lower_snake_case like 'ex1', got 'Exercise 1'"),
        (lambda: exercise("ex1", points=0), "points must be a positive number, got 0"),
        (lambda: exercise("ex1", points=True), "points must be a positive number, got True"),
        (lambda: exercise("ex1", hint=""), "hint must be a non-empty string or None"),
        (lambda: use_mode("teacher"), "expected one of 'chapter', 'student', got 'teacher'"),
    ],
)
def test_bad_arguments_are_rejected(call, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()


def test_check_needs_a_truth_value_not_an_array():
    import numpy as np

    with pytest.raises(CheckFailedError, match="expected True or False, got ndarray"):
        with exercise("ex8") as ex:
            ex.check("all ones", np.ones(3) == 1)


# --- markers and the chapter format -----------------------------------------------------------------------


def test_strip_solutions_keeps_the_prompts():
    source = (
        "def f(z):\n"
        "    # BEGIN SOLUTION\n"
        "    y = z + 1\n"
        "    return y\n"
        "    # END SOLUTION\n"
        "x_a, y_a = make()  # SOLUTION\n"
        "score = f(2)  # SOLUTION\n"
        "print('kept')"
    )
    assert strip_solutions(source) == ("def f(z):\n    ...  # YOUR CODE HERE\nx_a, y_a = ..., ...\nscore = ...\nprint('kept')")
    assert solution_lines(source) == ["y = z + 1", "return y", "x_a, y_a = make()", "score = f(2)"]


@pytest.mark.parametrize(
    "source, message",
    [
        ("# BEGIN SOLUTION\nx = 1", "line 1: `# BEGIN SOLUTION` is never closed"),
        ("x = 1\n# END SOLUTION", "line 2: `# END SOLUTION` without a `# BEGIN SOLUTION`"),
        ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION", "line 2: `# BEGIN SOLUTION` inside the block opened on line 1"),
        ("f(a=1)  # SOLUTION", "neither `name = value` nor `return value`"),
    ],
)
def test_malformed_markers_are_reported_with_their_line(source, message):
    with pytest.raises(MarkerError, match=message.replace("(", r"\(").replace(")", r"\)")):
        strip_solutions(source)


def markdown(text):
    return nbformat.v4.new_markdown_cell(text)


def code(text, **metadata):
    return nbformat.v4.new_code_cell(text, metadata=metadata)


def tiny_chapter():
    """A chapter in the assignment format: two exercises, the second worth 2 points."""
    cells = [
        markdown("# 99 · Tiny\n\n**You will learn** nothing."),
        code("FAST = False\nSEED = 0", tags=["parameters"]),
        code("assert FAST, 'the grader sets FAST = True'"),
        markdown(f"## Exercises\n\nEach exercise has an answer cell and a check cell.\n{SOLUTIONS_NOTE}"),
        code("from dlnotes.assignments import exercise"),
        markdown("**Exercise 1.** Set `answer`."),
        code("answer = 42  # SOLUTION"),
        code('with exercise("ex1", hint="the answer to everything") as ex:\n    ex.check("answer is 42", answer == 42)'),
        markdown("**Exercise 2.** Write `double(x)`."),
        code("def double(x):\n    return 2 * x  # SOLUTION"),
        code(
            'def twice(x):\n    return x + x\n\n\nwith exercise("ex2", points=2) as ex:\n'
            '    ex.check("double(3) == 6", double(3) == twice(3), hint="multiply by two")'
        ),
    ]
    notebook = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})
    for cell in notebook.cells:
        cell.pop("id", None)
    notebook.nbformat_minor = 4
    return notebook


def test_parse_assignment_finds_ids_points_hints_and_cells():
    assignment = parse_assignment(tiny_chapter(), "tiny")
    assert [(e.id, e.points, e.hint, e.check_cell, e.answer_cells) for e in assignment.exercises] == [
        ("ex1", 1, "the answer to everything", 7, (6,)),
        ("ex2", 2, None, 10, (9,)),
    ]


def cells_with(notebook, index, source):
    changed = copy.deepcopy(notebook)
    changed.cells[index].source = source
    return changed


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda nb: cells_with(nb, 3, "## Practice"), "expected exactly one markdown cell with the heading '## Exercises'"),
        (lambda nb: cells_with(cells_with(nb, 7, "print(answer)"), 10, "pass"), "tiny: no check cell"),
        (lambda nb: cells_with(nb, 2, "x = 1  # SOLUTION"), "cell 3: solution markers are only allowed after '## Exercises'"),
        (lambda nb: cells_with(nb, 6, "answer = 42"), "cell 8: exercise 'ex1' has no answer cell"),
        (lambda nb: cells_with(nb, 10, nb.cells[7].source), "cell 11: exercise id 'ex1' is used twice"),
        (
            lambda nb: cells_with(nb, 7, "x = answer\n" + nb.cells[7].source),
            "cell 8, line 1: outside its `with exercise(...)` block a check cell may only hold imports",
        ),
        (lambda nb: cells_with(nb, 7, 'with exercise("ex1", points=n) as ex:\n    pass'), "points must be written as a literal"),
        (lambda nb: cells_with(nb, 7, 'with exercise("Ex 1") as ex:\n    pass'), "id must be lower_snake_case"),
    ],
)
def test_format_errors_name_the_cell_and_the_rule(change, message):
    with pytest.raises(FormatError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_assignment(change(tiny_chapter()), "tiny")


def test_parse_check_cell_validates_its_input():
    with pytest.raises(TypeError, match="expected the cell source as str, got list"):
        parse_check_cell(["with exercise('ex1'):"])
    assert parse_check_cell("print('exercise(s) above')") is None


def test_student_version_strips_solutions_keeps_checks_and_switches_mode():
    chapter = tiny_chapter()
    assignment = parse_assignment(chapter, "tiny")
    student = student_version(assignment)
    sources = [c.source for c in student.cells]
    assert "answer = ..." in sources and "def double(x):\n    return ..." in sources
    assert not any("42  # SOLUTION" in s or "2 * x" in s for s in sources)
    assert 'use_mode("student")' in sources[4] and student.cells[4].metadata["dlnotes"] == {"role": "mode"}
    assert sources[3].endswith(f"a check cell.\n{STUDENT_NOTE}") and SOLUTIONS_NOTE in chapter.cells[3].source
    for spec in assignment.exercises:  # the check cells are unchanged, shifted by the mode cell, and locked
        check = student.cells[spec.check_cell + 1]
        assert check.source == chapter.cells[spec.check_cell].source
        assert check.metadata["dlnotes"] == {"role": "check", "exercise": spec.id} and check.metadata["editable"] is False
    assert student.metadata["dlnotes"]["assignment"] == {"chapter": "tiny", "version": "student", "points": {"ex1": 1, "ex2": 2}}
    assert chapter.cells[6].source == "answer = 42  # SOLUTION"  # the chapter itself is untouched
    grading = grading_version(assignment)
    assert grading.cells[6].source == "answer = 42  # SOLUTION" and grading.cells[6].metadata["dlnotes"]["role"] == "answer"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_exercises_follow_the_format(chapter, tmp_path):
    """3-5 exercises, each with a hint; the student version hides every solution line and still compiles."""
    (path,) = find_chapters(chapter)
    written = write_versions(path, tmp_path)
    assignment = parse_assignment(read_notebook(path), path.stem)
    assert 3 <= len(assignment.exercises) <= 5, [e.id for e in assignment.exercises]
    assert [e.id for e in assignment.exercises] == [f"ex{i}" for i in range(1, len(assignment.exercises) + 1)]
    assert all(e.hint for e in assignment.exercises), "every exercise has a hint for its failed checks"
    student = read_notebook(written["student"])
    student_code = "\n".join(c.source for c in student.cells if c.cell_type == "code")
    for spec in assignment.exercises:
        for index in spec.answer_cells:
            for line in solution_lines(assignment.notebook.cells[index].source):
                assert line not in student_code, f"{spec.id}: the student version shows the solution line {line!r}"
    for cell in student.cells:
        if cell.cell_type == "code":
            compile(cell.source, "student cell", "exec")
            assert not cell.outputs
    grading = read_notebook(written["grading"])
    assert [c.source for c in grading.cells] == [c.source for c in assignment.notebook.cells]
    # the chapter says that it holds the solutions; the student version says to replace each `...` instead
    assert SOLUTIONS_NOTE in assignment.notebook.cells[assignment.heading_cell].source
    heading = student.cells[assignment.heading_cell].source
    assert STUDENT_NOTE in heading and SOLUTIONS_NOTE not in heading


# --- grading ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graded_tiny(tmp_path_factory):
    """Grade good, blank, wrong, tampered and broken submissions of the tiny chapter (about 20 s)."""
    folder = tmp_path_factory.mktemp("submissions")
    assignment = parse_assignment(tiny_chapter(), "tiny")
    student = student_version(assignment)
    good = answered(student, ex1="answer = 6 * 7", ex2="def double(x):\n    return x * 2")
    tampered = answered(student, ex1="answer = 41")
    tampered.cells[8].source = 'with exercise("ex1") as ex:\n    ex.check("answer is 42", True)'  # edited check cell
    submissions = {
        "good": good,
        "blank": student,
        "wrong": answered(good, ex1="answer = 41"),
        "raises": answered(good, ex1="raise RuntimeError('oops')"),
        "forever": answered(good, ex2="while True:\n    pass"),
        "tampered": answered(tampered, ex2="def double(x):\n    return 2 * x"),
    }
    for name, notebook in submissions.items():
        nbformat.write(notebook, str(folder / f"{name}.ipynb"))
    (folder / "notjson.ipynb").write_text("this is not a notebook {", encoding="utf-8")
    (folder / "carol").mkdir()
    nbformat.write(grading_version(assignment), str(folder / "carol" / "tiny.ipynb"))  # the reference solution
    out = tmp_path_factory.mktemp("grades")
    grades = grade_folder(assignment, folder, out, cell_timeout=5, notebook_timeout=120, jobs=2, echo=lambda *a, **k: None)
    return grades, out


@pytest.mark.slow
def test_grading_a_folder_yields_the_expected_table(graded_tiny):
    _, out = graded_tiny
    with open(out / "grades.csv", newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    isolation = rows[1][-1]  # the same for every row: empty where bubblewrap isolates the kernels
    assert rows == [
        ["student", "ex1", "ex2", "total", "note", "isolation"],
        ["blank", "0", "0", "0", "ex1: answer is 42; ex2: double(3) == 6", isolation],
        ["carol", "1", "2", "3", "", isolation],
        ["forever", "0", "0", "0", "cell 11 ran longer than 5 s", isolation],
        ["good", "1", "2", "3", "", isolation],
        ["notjson", "0", "0", "0", "notjson.ipynb: not a notebook (invalid JSON at line 1, column 1: Expecting value)",
         isolation],
        ["raises", "0", "0", "0", "cell 8 raised RuntimeError: oops", isolation],
        ["tampered", "0", "2", "2", "ex1: answer is 42", isolation],
        ["wrong", "0", "2", "2", "ex1: answer is 42", isolation],
    ]


@pytest.mark.slow
def test_wrong_answer_fails_with_its_hint_in_the_verdict(graded_tiny):
    grades, _ = graded_tiny
    executed = read_notebook(next(g.notebook for g in grades if g.student == "wrong"))
    verdicts = read_verdicts(executed, parse_assignment(tiny_chapter(), "tiny"))
    assert verdicts["ex1"]["checks"] == [{"description": "answer is 42", "passed": False, "hint": "the answer to everything"}]
    shown = [o for c in executed.cells for o in c.get("outputs", []) if "✗ ex1" in o.get("data", {}).get("text/plain", "")]
    assert shown and "hint: the answer to everything" in shown[0]["data"]["text/plain"]
    assert not any(o.get("output_type") == "error" for c in executed.cells for o in c.get("outputs", []))


def test_prepare_restores_official_checks_and_sets_fast():
    assignment = parse_assignment(tiny_chapter(), "tiny")
    submission = student_version(assignment)
    submission.cells[8] = nbformat.v4.new_markdown_cell(submission.cells[8].source, metadata=submission.cells[8].metadata)
    del submission.cells[11]  # the check cell of ex2
    prepared, notes = prepare_submission(submission, assignment, {"FAST": True})
    assert notes == ["check cell of ex2 was missing: appended at the end"]
    assert prepared.cells[2].source == "# set by the grader\nFAST = True"  # right after the parameters cell
    restored = prepared.cells[9]  # the check cell becomes an export cell: the judge runs the official check
    assert restored.cell_type == "code"
    assert "export_answers('ex1', ['answer'], globals(), '/home/student/grader-inputs.json'" in restored.source
    assert "export_answers('ex2', ['double']" in prepared.cells[-1].source
    assert prepared.cells[-1].metadata["dlnotes"] == {"role": "check", "exercise": "ex2"}


@pytest.mark.parametrize(
    "value", [np.float64(0.5), np.float32(2.0), np.int64(3), np.array(1.5), np.arange(6.0).reshape(2, 3).T, np.zeros((0, 2))]
)
def test_arrays_and_scalars_travel_as_data_with_their_shape_and_type(value):
    back = from_data(json.loads(json.dumps(to_data(value))))  # as the judge reads a submission's answers
    assert type(back) is type(value) and back.dtype == value.dtype and np.shape(back) == np.shape(value)
    assert np.array_equal(back, value)


def test_forged_verdicts_outside_the_official_check_cells_are_ignored():
    assignment = parse_assignment(tiny_chapter(), "tiny")
    executed = grading_version(assignment)
    forged = {"exercise": "ex1", "passed": True, "points": 1, "score": 1, "checks": []}
    executed.cells[6].outputs = [nbformat.v4.new_output("display_data", data={checks.MIME_TYPE: forged})]
    scores, failures = score(read_verdicts(executed, assignment), assignment)
    assert scores == {"ex1": 0, "ex2": 0} and failures["ex1"] == "no verdict (its check cell did not run)"


@pytest.mark.slow
def test_a_notebook_over_its_time_is_killed_with_its_kernel(tmp_path, leftover_processes):
    assignment = parse_assignment(tiny_chapter(), "tiny")
    submission = tmp_path / "slow.ipynb"
    nbformat.write(answered(student_version(assignment), ex1="import time\ntime.sleep(600)"), str(submission))
    (grade,) = grade_folder(assignment, tmp_path, tmp_path / "out", cell_timeout=600, notebook_timeout=4, echo=lambda *a: None)
    assert grade.scores == {"ex1": 0, "ex2": 0} and grade.note == "the notebook ran longer than 4 s"
    assert leftover_processes() == []


def test_find_submissions_names_students_by_file_or_folder(tmp_path):
    (tmp_path / "alice.ipynb").write_text("{}")
    (tmp_path / "bob").mkdir()
    (tmp_path / "bob" / "01_perceptron_xor.ipynb").write_text("{}")
    (tmp_path / "bob" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "bob" / ".ipynb_checkpoints" / "old.ipynb").write_text("{}")
    assert {name: p.name for name, p in find_submissions(tmp_path).items()} == {
        "alice": "alice.ipynb",
        "bob": "01_perceptron_xor.ipynb",
    }
    with pytest.raises(FileNotFoundError, match="submissions folder not found"):
        find_submissions(tmp_path / "missing")


def test_grade_folder_validates_its_arguments(tmp_path):
    assignment = parse_assignment(tiny_chapter(), "tiny")
    with pytest.raises(TypeError, match="expected an Assignment"):
        grade_folder("01", tmp_path, tmp_path)
    with pytest.raises(ValueError, match="cell_timeout must be a positive int, got 0"):
        grade_folder(assignment, tmp_path, tmp_path, cell_timeout=0)
    with pytest.raises(FileNotFoundError, match="no .ipynb submissions in"):
        grade_folder(assignment, tmp_path, tmp_path / "out")


# --- the real chapters ------------------------------------------------------------------------------------


@pytest.mark.notebook
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_reference_solutions_score_full_marks(chapter, run_fast):
    """The chapter's FAST run (shared with its chapter test) executed every check: all pass, full marks."""
    executed = read_notebook(run_fast(chapter).notebook)
    assignment = parse_assignment(executed, chapter)
    marked = grading_version(assignment)  # marks the check cells, keeps the outputs
    verdicts = read_verdicts(marked, assignment)
    assert set(verdicts) == set(assignment.points)
    assert all(v["passed"] and v["checks"] for v in verdicts.values()), verdicts
    scores, failures = score(verdicts, assignment)
    assert scores == assignment.points and not failures


@pytest.mark.notebook
def test_student_version_of_a_real_chapter_grades_blank_wrong_and_right(tmp_path):
    """Chapter 07's student version through the grader: blank answers fail, a wrong one fails with its hint."""
    (path,) = find_chapters("07")
    assignment = parse_assignment(read_notebook(path), path.stem)
    student = student_version(assignment)
    submission = answered(
        student,
        ex2="def reparameterise(mean, log_var, epsilon):\n    return mean + np.exp(log_var) * epsilon",  # wrong
        ex3="typical_one = z_mean_test[y_test == 1].mean(axis=0)",  # right
    )  # ex1 and ex4 stay blank
    (tmp_path / "in").mkdir()
    nbformat.write(submission, str(tmp_path / "in" / "dana.ipynb"))
    (grade,) = grade_folder(assignment, tmp_path / "in", tmp_path / "out", echo=lambda *a, **k: None)
    assert grade.scores == {"ex1": 0, "ex2": 0, "ex3": 1, "ex4": 0}, grade.note
    verdicts = read_verdicts(read_notebook(grade.notebook), assignment)
    assert verdicts["ex1"]["checks"][0]["hint"].startswith("not answered yet")
    assert "sigma is exp(log_var / 2), not exp(log_var)" in verdicts["ex2"]["checks"][0]["hint"]
    assert grade.note == (
        "ex1: equals the closed form for mu = 1, sigma^2 = 2; ex2: mean 1, variance 4, epsilon 0.5 gives z = 2; ex4: a number"
    )


def test_cli_help_states_the_grading_defaults(capsys):
    from dlnotes.course.cli import main
    from dlnotes.course.grading import grade as grading

    with pytest.raises(SystemExit):
        main(["grade", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert f"seconds a cell may run (default: {grading.DEFAULT_CELL_TIMEOUT})" in shown
    assert f"seconds a whole submission may run (default: {grading.DEFAULT_NOTEBOOK_TIMEOUT})" in shown


def test_cli_writes_both_versions(tmp_path, capsys):
    from dlnotes.course.cli import main

    assert main(["student", "--only", "07", "--out", str(tmp_path)]) == 0
    assert "07_variational_autoencoder: student version" in capsys.readouterr().out
    student = json.loads((tmp_path / "07_variational_autoencoder" / "student" / "07_variational_autoencoder.ipynb").read_text())
    assert student["metadata"]["dlnotes"]["assignment"]["version"] == "student"
    assert os.path.isfile(tmp_path / "07_variational_autoencoder" / "grading" / "07_variational_autoencoder.ipynb")
