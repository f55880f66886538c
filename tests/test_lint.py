"""The notebook linter: each rule on small synthetic notebooks, then every notebook of the course (static, no execution)."""

import functools
import json
from pathlib import Path

import pytest

from dlnotes.course.cli import main
from dlnotes.course.glossary import GLOSSARY_PATH, WRITE_COMMAND, collect, render
from dlnotes.course.lint import MAX_CELL_LINES, RULES, lint_notebook, lint_notebooks, notebook_parameters
from dlnotes.course.notebooks import NotebookError, find_chapters
from dlnotes.course.thresholds import chapter_thresholds

TITLE = (
    "# 07 · A tiny chapter\n"
    "\n"
    "**You will learn**\n"
    "- the perceptron (퍼셉트론) and its rule;\n"
    "- nothing else.\n"
    "\n"
    "**Prerequisites:** none.\n"
    "\n"
    "**Time on two CPU cores:** FAST mode under a minute; full mode about 3 minutes.\n"
)
PARAMETERS = "FAST = False  # papermill sets True\nSEED = 0\nEPOCHS = 2"
SETUP = "import dlnotes\n\ndlnotes.setup(seed=SEED, cpu_minutes=3, fast=FAST)"


def markdown(source):
    return {"cell_type": "markdown", "metadata": {}, "source": source.splitlines(keepends=True)}


def code(source, tags=(), outputs=(), execution_count=None):
    metadata = {"tags": list(tags)} if tags else {}
    return {
        "cell_type": "code",
        "metadata": metadata,
        "source": source.splitlines(keepends=True),
        "outputs": list(outputs),
        "execution_count": execution_count,
    }


def good_cells():
    """A chapter that follows every rule; each test breaks one thing."""
    return [
        markdown(TITLE),
        code(PARAMETERS, tags=["parameters"]),
        code(SETUP),
        markdown("## 1. The idea\n\nWe minimise a loss by **gradient descent** (경사 하강법)."),
        code("loss = 0.5\nplt.plot([1, loss])\nplt.show()", tags=["key-figure"]),
        markdown("## Exercises\n\n**Exercise 1.** Halve the loss."),
        code("assert loss == 0.5"),
    ]


def write(folder, cells, name="07_tiny.ipynb"):
    path = Path(folder) / name
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(notebook, ensure_ascii=False), encoding="utf-8")
    return path


def violations_of(rule, violations):
    assert rule in RULES
    return [v for v in violations if v.rule == rule]


def assert_one(rule, violations, cell, *words):
    """Exactly one violation of ``rule`` at ``cell``; its message holds ``words``; its text names notebook, cell, rule."""
    found = violations_of(rule, violations)
    assert len(found) == 1, f"expected one [{rule}] violation, found: {[str(v) for v in violations]}"
    violation = found[0]
    assert violation.cell == cell, str(violation)
    for word in words:
        assert word in violation.message, str(violation)
    text = str(violation)
    assert Path(violation.notebook).name in text and f"[{rule}]" in text
    assert (f"cell {cell}" if cell is not None else "whole notebook") in text
    return violation


# --- the template followed: no violation at all ---------------------------------------------------


def test_a_notebook_following_the_template_has_no_violation(tmp_path):
    path = write(tmp_path, good_cells())
    glossary = tmp_path / "GLOSSARY.md"
    glossary.write_text(render(collect([path]), base=tmp_path), encoding="utf-8")
    assert lint_notebook(path, glossary=glossary) == []


def test_violation_text_names_notebook_cell_and_rule(tmp_path):
    cells = good_cells()
    outputs = [{"output_type": "stream", "name": "stdout", "text": ["x"]}]
    cells[4] = code("loss = 0.5", tags=["key-figure"], outputs=outputs, execution_count=3)
    path = write(tmp_path, cells)
    (violation,) = lint_notebook(path)
    assert str(violation) == (
        f"{path}, cell 5: [outputs] expected no stored outputs and no execution count, "
        "found 1 output(s) and execution count 3; run `make strip`"
    )


# --- title ------------------------------------------------------------------------------------------


def test_title_a_second_h1_is_reported_where_it_is(tmp_path):
    cells = good_cells()
    cells[3] = markdown("# 1. The idea\n\nText.")
    assert_one("title", lint_notebook(write(tmp_path, cells)), 4, "exactly one H1")


def test_title_a_hash_comment_in_a_code_sample_is_not_a_heading(tmp_path):
    cells = good_cells()
    cells[3] = markdown("## 1. The idea\n\n```python\n# not a title\nx = 1\n```\n")
    assert violations_of("title", lint_notebook(write(tmp_path, cells))) == []


def test_title_a_setext_h1_counts(tmp_path):
    cells = good_cells()
    cells[3] = markdown("Another title\n=============\n")
    assert_one("title", lint_notebook(write(tmp_path, cells)), 4)


def test_title_must_open_cell_1(tmp_path):
    cells = good_cells()
    cells[0] = markdown(TITLE.replace("# 07 · A tiny chapter", "## 07 · A tiny chapter"))
    assert_one("title", lint_notebook(write(tmp_path, cells)), 1, "start with the H1 title", "## 07")


def test_title_starts_with_the_chapter_number(tmp_path):
    violations = lint_notebook(write(tmp_path, good_cells(), name="08_tiny.ipynb"))
    assert_one("title", violations, 1, "chapter number '08'", "# 07 · A tiny chapter")


def test_title_cell_1_must_be_markdown(tmp_path):
    cells = [code("x = 1")] + good_cells()[1:]
    assert_one("title", lint_notebook(write(tmp_path, cells)), 1, "found a code cell")


# --- summary and cpu-time -----------------------------------------------------------------------------


def test_summary_needs_what_you_will_learn(tmp_path):
    cells = good_cells()
    cells[0] = markdown(TITLE.replace("**You will learn**", "**Contents**"))
    assert_one("summary", lint_notebook(write(tmp_path, cells)), 1, "You will learn")


def test_summary_needs_prerequisites(tmp_path):
    cells = good_cells()
    cells[0] = markdown(TITLE.replace("**Prerequisites:** none.\n", ""))
    assert_one("summary", lint_notebook(write(tmp_path, cells)), 1, "Prerequisites")


def test_cpu_time_statement_is_required(tmp_path):
    cells = good_cells()
    cells[0] = markdown(TITLE.replace("**Time on two CPU cores:**", "**Time:**"))
    assert_one("cpu-time", lint_notebook(write(tmp_path, cells)), 1, "Time on two CPU cores", "found no such line")


def test_cpu_time_statement_gives_the_full_mode_minutes(tmp_path):
    cells = good_cells()
    cells[0] = markdown(TITLE.replace("full mode about 3 minutes", "full mode a while"))
    assert_one("cpu-time", lint_notebook(write(tmp_path, cells)), 1, "full mode about N minutes", "a while")


def test_cpu_time_must_equal_the_setup_call(tmp_path):
    cells = good_cells()
    cells[2] = code(SETUP.replace("cpu_minutes=3", "cpu_minutes=5"))
    assert_one("cpu-time", lint_notebook(write(tmp_path, cells)), 3, "cpu_minutes=3", "found cpu_minutes=5")


def test_cpu_time_in_hours_is_converted(tmp_path):
    cells = good_cells()
    cells[0] = markdown(TITLE.replace("about 3 minutes", "about 1.5 hours"))
    cells[2] = code(SETUP.replace("cpu_minutes=3", "cpu_minutes=90"))
    assert violations_of("cpu-time", lint_notebook(write(tmp_path, cells))) == []


# --- parameters ---------------------------------------------------------------------------------------


def test_parameters_cell_is_required(tmp_path):
    cells = good_cells()
    cells[1] = code(PARAMETERS)  # untagged
    assert_one("parameters", lint_notebook(write(tmp_path, cells)), None, "tagged 'parameters'", "found none")


def test_parameters_fast_is_false_by_default(tmp_path):
    cells = good_cells()
    cells[1] = code(PARAMETERS.replace("FAST = False", "FAST = True"), tags=["parameters"])
    assert_one("parameters", lint_notebook(write(tmp_path, cells)), 2, "FAST = False", "found FAST = True")


def test_parameters_seed_is_a_non_negative_int(tmp_path):
    cells = good_cells()
    cells[1] = code(PARAMETERS.replace("SEED = 0", "SEED = None"), tags=["parameters"])
    assert_one("parameters", lint_notebook(write(tmp_path, cells)), 2, "SEED = <non-negative int>", "found SEED = None")


def test_parameters_only_one_tagged_cell(tmp_path):
    cells = good_cells()
    cells.insert(2, code("EXTRA = 1", tags=["parameters"]))
    assert_one("parameters", lint_notebook(write(tmp_path, cells)), 3, "found another (first: cell 2)")


def test_notebook_parameters_reads_the_literals(tmp_path):
    assert notebook_parameters(write(tmp_path, good_cells())) == {"FAST": False, "SEED": 0, "EPOCHS": 2}
    with pytest.raises(ValueError, match="no code cell tagged 'parameters'"):
        notebook_parameters(write(tmp_path, [markdown(TITLE)], name="08_none.ipynb"))


# --- setup ------------------------------------------------------------------------------------------


def test_setup_call_is_required(tmp_path):
    cells = good_cells()
    cells[2] = code("import dlnotes")
    assert_one("setup", lint_notebook(write(tmp_path, cells)), None, "dlnotes.setup(seed=SEED", "found none")


def test_setup_may_be_imported_by_name(tmp_path):
    cells = good_cells()
    cells[2] = code("from dlnotes import setup\n\nsetup(\n    SEED,\n    cpu_minutes=3,\n    fast=FAST,\n)")
    assert violations_of("setup", lint_notebook(write(tmp_path, cells))) == []


def test_setup_uses_the_seed_parameter(tmp_path):
    cells = good_cells()
    cells[2] = code(SETUP.replace("seed=SEED", "seed=0"))
    assert_one("setup", lint_notebook(write(tmp_path, cells)), 3, "seed=SEED", "found seed=0")


@pytest.mark.parametrize(
    ("call", "found"), [("setup(seed=SEED, cpu_minutes=3)", "nothing"), ("setup(seed=SEED, cpu_minutes=3, fast=True)", "True")]
)
def test_setup_is_told_the_fast_parameter(tmp_path, call, found):
    cells = good_cells()
    cells[2] = code(f"import dlnotes\n\ndlnotes.{call}")
    assert_one("setup", lint_notebook(write(tmp_path, cells)), 3, "fast=FAST", f"found fast={found}")


def test_setup_comes_after_the_parameters(tmp_path):
    cells = good_cells()
    cells[1], cells[2] = cells[2], cells[1]
    assert_one("setup", lint_notebook(write(tmp_path, cells)), 2, "after the parameters cell (cell 3)")


def test_setup_gives_the_cpu_minutes(tmp_path):
    cells = good_cells()
    cells[2] = code("import dlnotes\n\ndlnotes.setup(seed=SEED, fast=FAST)")
    assert_one("setup", lint_notebook(write(tmp_path, cells)), 3, "cpu_minutes=<full-mode minutes>", "found cpu_minutes=nothing")


# --- key-figure ---------------------------------------------------------------------------------------


def test_key_figure_one_or_two_tagged_cells(tmp_path):
    cells = good_cells()
    cells[4] = code("loss = 0.5")
    assert_one("key-figure", lint_notebook(write(tmp_path, cells)), None, "expected 1 or 2 code cells tagged", "found none")
    cells[5:5] = [code("plt.show()", tags=["key-figure"]) for _ in range(3)]
    assert_one("key-figure", lint_notebook(write(tmp_path, cells)), None, "found cells 6, 7, 8")


def test_key_figure_tags_a_code_cell(tmp_path):
    cells = good_cells()
    cells[3]["metadata"] = {"tags": ["key-figure"]}
    assert_one("key-figure", lint_notebook(write(tmp_path, cells)), 4, "on a code cell that draws, found a markdown cell")


# --- outputs ------------------------------------------------------------------------------------------


def test_outputs_and_execution_counts_are_reported_per_cell(tmp_path):
    cells = good_cells()
    cells[6] = code("assert loss == 0.5", execution_count=7)
    assert_one("outputs", lint_notebook(write(tmp_path, cells)), 7, "execution count 7", "make strip")


# --- cell-length --------------------------------------------------------------------------------------


def test_cell_length_a_screen_is_allowed(tmp_path):
    cells = good_cells()
    cells[4] = code("\n".join(f"x{i} = {i}" for i in range(MAX_CELL_LINES)))
    cells[3] = markdown("## 1. The idea\n" + "text\n" * (MAX_CELL_LINES - 1))
    assert violations_of("cell-length", lint_notebook(write(tmp_path, cells))) == []


def test_cell_length_one_line_more_is_reported(tmp_path):
    cells = good_cells()
    cells[4] = code("\n".join(f"x{i} = {i}" for i in range(MAX_CELL_LINES + 1)))
    assert_one(
        "cell-length", lint_notebook(write(tmp_path, cells)), 5, f"at most {MAX_CELL_LINES} lines", f"found {MAX_CELL_LINES + 1}"
    )


def test_cell_length_applies_to_markdown(tmp_path):
    cells = good_cells()
    cells[3] = markdown("## 1. The idea\n" + "text\n" * MAX_CELL_LINES)
    assert_one("cell-length", lint_notebook(write(tmp_path, cells)), 4, "split the cell")


# --- exercises --------------------------------------------------------------------------------------


def test_exercises_section_is_required(tmp_path):
    cells = good_cells()
    cells[5] = markdown("## 2. More\n\nText.")
    assert_one("exercises", lint_notebook(write(tmp_path, cells)), None, "## Exercises", "found none")


def test_exercises_come_last(tmp_path):
    cells = good_cells() + [markdown("## Appendix\n\nMore.")]
    assert_one("exercises", lint_notebook(write(tmp_path, cells)), 8, "last section (cell 6)", "## Appendix")


def test_exercises_have_a_check_cell(tmp_path):
    cells = good_cells()[:6]
    assert_one("exercises", lint_notebook(write(tmp_path, cells)), 6, "code cells after")


# --- Korean terms -------------------------------------------------------------------------------------


def test_korean_term_outside_a_term_introduction(tmp_path):
    cells = good_cells()
    cells[3] = markdown("## 1. The idea\n\n경사 하강법 is how we minimise a loss.")
    assert_one("korean-term", lint_notebook(write(tmp_path, cells)), 4, "outside", "경사 하강법 is how")


def test_korean_term_without_the_english_before_it(tmp_path):
    cells = good_cells()
    cells[3] = markdown("## 1. The idea\n\n(경사 하강법) is how we minimise a loss.")
    assert_one("korean-term", lint_notebook(write(tmp_path, cells)), 4, "English term right before (경사 하강법)")


def test_korean_term_whose_english_start_is_unclear(tmp_path):
    cells = good_cells()
    cells[3] = markdown("## 1. The idea\n\nWe minimise loss values step after step (경사 하강법).")
    assert_one("korean-term", lint_notebook(write(tmp_path, cells)), 4, "mark it in bold", "6 words")


def test_term_conflict_one_english_term_two_korean_terms(tmp_path):
    first = write(tmp_path, good_cells(), name="07_tiny.ipynb")
    cells = good_cells()
    cells[3] = markdown("## 1. The idea\n\nWe minimise a loss by **gradient descent** (기울기 하강법).")
    second = write(tmp_path, cells, name="08_next.ipynb")
    violations = lint_notebooks([first, second])
    assert [v for v in violations if v.notebook == str(first)] == []
    assert_one("term-conflict", violations, 4, "07_tiny.ipynb cell 4", "'경사 하강법'", "found '기울기 하강법'")


def test_term_conflict_one_korean_term_two_english_terms(tmp_path):
    cells = good_cells()
    cells[4] = markdown("A step of steepest descent (경사 하강법) at a time.")
    violation = assert_one("term-conflict", lint_notebook(write(tmp_path, cells)), 5, "to stand for 'gradient descent'")
    assert "**gradient descent** (경사 하강법)" in violation.message


def test_term_repeated_with_fewer_synonyms_is_no_conflict(tmp_path):
    cells = good_cells()
    cells[3] = markdown("## 1. The idea\n\nAn **autoencoder** (오토인코더, 자기부호화기) and later an autoencoder (오토인코더).")
    assert violations_of("term-conflict", lint_notebook(write(tmp_path, cells))) == []


def test_glossary_every_term_is_listed(tmp_path):
    path = write(tmp_path, good_cells())
    glossary = tmp_path / "GLOSSARY.md"
    cells = good_cells()
    cells[3] = markdown("## 1. The idea\n\nText.")  # the glossary will lack gradient descent
    glossary.write_text(render(collect([write(tmp_path, cells, name="07_older.ipynb")]), base=tmp_path), encoding="utf-8")
    violation = assert_one("glossary", lint_notebook(path, glossary=glossary), 4, "gradient descent (경사 하강법)", "no entry")
    assert WRITE_COMMAND in violation.message


# --- bad input ----------------------------------------------------------------------------------------


def test_a_missing_notebook_is_a_clear_error(tmp_path):
    with pytest.raises(NotebookError, match=r"missing\.ipynb: no such notebook file"):
        lint_notebook(tmp_path / "missing.ipynb")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "invalid JSON at line 1"),
        ('{"metadata": {}}', "without a 'cells' list"),
        ('{"cells": [], "nbformat": 3}', "expected nbformat 4, found nbformat 3"),
        ('{"cells": [{"source": "x"}], "nbformat": 4}', "cell 1 is not a notebook cell"),
    ],
)
def test_a_file_that_is_not_a_notebook_is_a_clear_error(tmp_path, content, expected):
    path = tmp_path / "broken.ipynb"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(NotebookError, match="broken.ipynb") as error:
        lint_notebook(path)
    assert expected in str(error.value)


def test_paths_must_be_a_list(tmp_path):
    with pytest.raises(TypeError, match="list of notebook paths"):
        lint_notebooks(str(tmp_path / "07_tiny.ipynb"))
    with pytest.raises(TypeError, match="a notebook path"):
        lint_notebook(7)


# --- command line -------------------------------------------------------------------------------------


def test_cli_prints_one_line_per_violation_and_exits_1(tmp_path, capsys):
    cells = good_cells()
    cells[1] = code(PARAMETERS.replace("FAST = False", "FAST = True"), tags=["parameters"])
    cells[6] = code("assert loss == 0.5", execution_count=2)
    path = write(tmp_path, cells)
    glossary = tmp_path / "GLOSSARY.md"
    glossary.write_text(render(collect([path]), base=tmp_path), encoding="utf-8")
    assert main(["lint", str(path), "--glossary", str(glossary)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert "cell 2: [parameters]" in lines[0] and "cell 7: [outputs]" in lines[1]


def test_cli_exits_0_when_clean_and_2_on_a_missing_file(tmp_path, capsys):
    path = write(tmp_path, good_cells())
    glossary = tmp_path / "GLOSSARY.md"
    glossary.write_text(render(collect([path]), base=tmp_path), encoding="utf-8")
    assert main(["lint", str(path), "--glossary", str(glossary)]) == 0
    assert "1 notebook(s) follow the template" in capsys.readouterr().out
    assert main(["lint", str(tmp_path / "missing.ipynb"), "--glossary", str(glossary)]) == 2
    assert "missing.ipynb: no such notebook file" in capsys.readouterr().err


# --- the course's own notebooks (static: nothing is executed) --------------------------------------------


@functools.cache
def course_violations():
    """All notebooks linted together, once: the term rules compare chapters with each other."""
    return lint_notebooks(find_chapters(), glossary=GLOSSARY_PATH)


@pytest.mark.parametrize("path", find_chapters(), ids=lambda p: p.stem)
def test_notebook_follows_the_template(path):
    found = [str(v) for v in course_violations() if v.notebook == str(path)]
    assert not found, f"{len(found)} violation(s); `python -m dlnotes lint notebooks/{path.name}` shows them too:\n" + "\n".join(
        found
    )


@pytest.mark.parametrize("path", find_chapters(), ids=lambda p: p.stem)
def test_each_chapter_has_fast_thresholds(path):
    number = path.stem.split("_")[0]
    assert chapter_thresholds(number, "fast"), f"{path.name} has no FAST bounds in dlnotes/course/thresholds.py"
