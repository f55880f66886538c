"""The notebook linter: every chapter follows the template, without running it.

CONTRIBUTING.md ("How a chapter is written") gives each rule with the reason for it.

Rules (the id in brackets is what a violation names):

- [title] exactly one H1, the first line of cell 1, starting with the chapter number ("# 01 · ...").
- [summary] cell 1 is markdown with a "**You will learn**" list and a "**Prerequisites:**" line.
- [cpu-time] cell 1 states "**Time on two CPU cores:** FAST mode ...; full mode about N minutes", and the
  setup call's ``cpu_minutes`` is that same N (the two say one fact; this keeps them from drifting).
- [parameters] exactly one code cell tagged ``parameters`` (papermill injects its values after it),
  assigning ``FAST = False`` (a learner gets full mode) and ``SEED =`` a non-negative integer.
- [setup] a code cell after the parameters cell calls ``dlnotes.setup(seed=SEED, cpu_minutes=N, fast=FAST)``, so
  the seed papermill injects is the one used, the missing-GPU warning can give the time and the setup line says
  when FAST mode took effect.
- [outputs] no stored outputs and no execution counts (executed copies are build artefacts; ``make strip``).
- [cell-length] no cell longer than MAX_CELL_LINES lines (see there).
- [key-figure] one or two code cells tagged ``key-figure``: the figures that show the chapter's main result,
  which the HTML report shows for the chapter.
- [exercises] one "## Exercises" section, the last H2 of the chapter, with at least one code cell after its
  heading (every exercise has a check the student can run).
- [korean-term] Korean appears only as a term introduction, ``English term (한국어)``,
  ``**English term** (한국어, ABBR)`` or ``(English term, 한국어)``; see dlnotes.course.glossary for the syntax.
- [term-conflict] across the notebooks linted together, an English term keeps one Korean term and a Korean
  term one English term.
- [glossary] every term introduced is in GLOSSARY.md (when a glossary is given; the CLI and the tests give it).

``lint_notebooks(paths)`` returns the violations; ``python -m dlnotes lint`` prints one line each.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from dlnotes.course.glossary import WRITE_COMMAND, Term, find_notebook_terms, read_glossary
from dlnotes.course.notebooks import KEY_FIGURE_TAG, Cell, chapter_label, headings, read_cells

KEY_FIGURES = (1, 2)  # the fewest and the most cells a chapter tags: its main result, not a gallery

# One screen: JupyterLab's default editor font is 13 px with a 1.3 line height (about 17 px a line); on a
# 1080p laptop the notebook area left by the browser and JupyterLab's bars is about 800 px, so about
# 45 lines show at once, and 40 leaves room to see the start of the cell's output. Markdown source is
# wrapped near 120 characters, about one rendered line per source line, so the same limit holds for prose.
# The longest cells of the course when this was written: 52 and 44 lines (code), 35 (markdown).
MAX_CELL_LINES = 40

RULES = (
    "title",
    "summary",
    "cpu-time",
    "parameters",
    "setup",
    "outputs",
    "cell-length",
    "key-figure",
    "exercises",
    "korean-term",
    "term-conflict",
    "glossary",
)

TIME_STATEMENT = re.compile(r"\*\*Time on two CPU cores:\*\*(.*?)(?:\n[ \t]*\n|\Z)", re.S)
FULL_MODE_TIME = re.compile(r"full mode[^.;]*?(\d+(?:\.\d+)?)\s*(minutes?|min|hours?|h)\b", re.I)
FAST_MODE_TIME = re.compile(r"FAST mode[^.;]*?(\d+(?:\.\d+)?|an?)\s*(minutes?|min|hours?|h)\b")


def _minutes(match: re.Match) -> float:
    amount = 1.0 if match.group(1).lower() in ("a", "an") else float(match.group(1))
    return amount * (60 if match.group(2).lower().startswith("h") else 1)


def stated_minutes(first_cell: str) -> tuple[float | None, float | None]:
    """The FAST-mode and the full-mode minutes that a chapter's cell 1 states ("**Time on two CPU cores:** FAST
    mode under a minute; full mode about 12 minutes." gives (1.0, 12.0)); None for a time it does not state."""
    statement = TIME_STATEMENT.search(first_cell)
    if not statement:
        return None, None
    fast, full = FAST_MODE_TIME.search(statement.group(1)), FULL_MODE_TIME.search(statement.group(1))
    return (_minutes(fast) if fast else None), (_minutes(full) if full else None)


SETUP_CALL_TEXT = re.compile(r"(?<![\w.])(?:dlnotes\.)?setup\(")


@dataclass(frozen=True)
class Violation:
    """A broken rule: the notebook, the 1-based cell (None: the notebook as a whole), the rule id, what is wrong."""

    notebook: str
    cell: int | None
    rule: str
    message: str

    def __str__(self) -> str:
        where = f"cell {self.cell}" if self.cell is not None else "whole notebook"
        return f"{self.notebook}, {where}: [{self.rule}] {self.message}"


class _Report:
    """Collects the violations of one notebook."""

    def __init__(self, notebook: str):
        self.notebook = notebook
        self.violations: list[Violation] = []

    def add(self, cell: int | None, rule: str, message: str) -> None:
        self.violations.append(Violation(self.notebook, cell, rule, message))


def _python(source: str) -> ast.Module | None:
    """A code cell's syntax tree (IPython magics and shell lines commented out); None if it does not parse."""
    lines = ["#" + line if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def _assignments(tree: ast.Module) -> dict[str, ast.expr]:
    """Top-level ``NAME = value`` statements of a cell."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            found[node.targets[0].id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            found[node.target.id] = node.value
    return found


def notebook_parameters(path: str | Path) -> dict[str, object]:
    """The literal values assigned in the notebook's ``parameters`` cell (e.g. {"FAST": False, "SEED": 0, ...})."""
    tagged = [cell for cell in read_cells(path) if "parameters" in cell.tags and cell.kind == "code"]
    if not tagged:
        raise ValueError(f"{path}: no code cell tagged 'parameters'")
    tree = _python(tagged[0].source)
    if tree is None:
        raise ValueError(f"{path}: cell {tagged[0].number} (parameters) is not valid Python")
    values = {}
    for name, node in _assignments(tree).items():
        try:
            values[name] = ast.literal_eval(node)
        except ValueError:
            continue  # an expression, not a knob papermill can set
    return values


def _check_first_cell(cells: list[Cell], report: _Report, chapter: str) -> float | None:
    """Rules title, summary, cpu-time on cell 1 and the H1 count; returns the full-mode minutes stated."""
    h1_cells = [cell.number for cell in cells if cell.kind == "markdown" for level, _ in headings(cell.source) if level == 1]
    for number in h1_cells[1:] if h1_cells[:1] == [1] else h1_cells:
        report.add(number, "title", "expected exactly one H1, the title in cell 1; found another H1 here (use ## for sections)")
    first = cells[0] if cells else None
    if first is None or first.kind != "markdown":
        found = "an empty notebook" if first is None else f"a {first.kind} cell"
        report.add(1, "title", f"expected a markdown cell 1 with the title, what you will learn and the time; found {found}")
        return None
    lines = [line for line in first.source.splitlines() if line.strip()]
    title = headings(lines[0]) if lines else []
    if not title or title[0][0] != 1:
        found = repr(lines[0][:60]) if lines else "nothing"
        report.add(1, "title", f"expected cell 1 to start with the H1 title ('# {chapter} · Title'), found {found}")
    elif chapter.isdigit() and not title[0][1].startswith(chapter):
        report.add(1, "title", f"expected the title to start with the chapter number '{chapter}', found '# {title[0][1][:60]}'")
    learn = re.search(r"^\s*\**You will learn\b.*?(\n\s*[-*+] \S)", first.source, re.M | re.S)
    if not learn:
        report.add(1, "summary", "expected a '**You will learn**' line followed by a list in cell 1, found none")
    if not re.search(r"^\s*\*\*Prerequisites:?\*\*", first.source, re.M):
        report.add(1, "summary", "expected a '**Prerequisites:**' line in cell 1, found none")
    statement = TIME_STATEMENT.search(first.source)
    expected = "'**Time on two CPU cores:** FAST mode under a minute; full mode about N minutes.'"
    if not statement:
        report.add(1, "cpu-time", f"expected {expected} in cell 1, found no such line")
        return None
    fast, full = stated_minutes(first.source)
    if fast is None or full is None:
        report.add(
            1, "cpu-time", f"expected {expected} in cell 1, found '**Time on two CPU cores:**{statement.group(1).strip()[:80]}'"
        )
        return None
    return full


def _check_parameters(cells: list[Cell], report: _Report) -> int | None:
    """Rule parameters; returns the parameters cell's number."""
    tagged = [cell for cell in cells if "parameters" in cell.tags]
    if not tagged:
        report.add(None, "parameters", "expected one code cell tagged 'parameters' (FAST, SEED and every knob), found none")
        return None
    for extra in tagged[1:]:
        report.add(
            extra.number, "parameters", f"expected one cell tagged 'parameters', found another (first: cell {tagged[0].number})"
        )
    cell = tagged[0]
    tree = _python(cell.source) if cell.kind == "code" else None
    if tree is None:
        report.add(cell.number, "parameters", f"expected a valid Python code cell, found a {cell.kind} cell that does not parse")
        return cell.number
    values = _assignments(tree)
    fast, seed = values.get("FAST"), values.get("SEED")
    if not (isinstance(fast, ast.Constant) and fast.value is False):
        found = f"FAST = {ast.unparse(fast)}" if fast is not None else "no FAST"
        report.add(cell.number, "parameters", f"expected 'FAST = False' (full mode unless papermill sets it), found {found}")
    if not (isinstance(seed, ast.Constant) and type(seed.value) is int and seed.value >= 0):
        found = f"SEED = {ast.unparse(seed)}" if seed is not None else "no SEED"
        report.add(cell.number, "parameters", f"expected 'SEED = <non-negative int>', found {found}")
    return cell.number


def _setup_calls(cell: Cell) -> list[ast.Call]:
    tree = _python(cell.source)
    if tree is None:
        return []
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id == "setup")
            or (isinstance(node.func, ast.Attribute) and node.func.attr == "setup" and ast.unparse(node.func.value) == "dlnotes")
        )
    ]


def _check_setup(cells: list[Cell], report: _Report, parameters_cell: int | None, full_minutes: float | None) -> None:
    """Rules setup and the setup half of cpu-time."""
    calls = [(cell, call) for cell in cells if cell.kind == "code" for call in _setup_calls(cell)]
    if not calls:
        unparsed = [
            c.number for c in cells if c.kind == "code" and SETUP_CALL_TEXT.search(c.source) and _python(c.source) is None
        ]
        found = f"a call in cell {unparsed[0]} that is not valid Python" if unparsed else "none"
        report.add(None, "setup", f"expected a code cell calling dlnotes.setup(seed=SEED, cpu_minutes=N), found {found}")
        return
    cell, call = calls[0]
    if parameters_cell is not None and cell.number < parameters_cell:
        report.add(
            cell.number, "setup", f"expected the setup call after the parameters cell (cell {parameters_cell}), found it before"
        )
    keywords = {keyword.arg: keyword.value for keyword in call.keywords}
    seed = keywords.get("seed", call.args[0] if call.args else None)
    if not (isinstance(seed, ast.Name) and seed.id == "SEED"):
        found = ast.unparse(seed) if seed is not None else "nothing"
        report.add(cell.number, "setup", f"expected setup(seed=SEED, ...) so that the injected SEED is used, found seed={found}")
    fast = keywords.get("fast")
    if not (isinstance(fast, ast.Name) and fast.id == "FAST"):
        found = ast.unparse(fast) if fast is not None else "nothing"
        says = "so that the setup line says FAST mode took effect"
        report.add(cell.number, "setup", f"expected setup(..., fast=FAST) {says}, found fast={found}")
    minutes = keywords.get("cpu_minutes")
    if not (isinstance(minutes, ast.Constant) and type(minutes.value) in (int, float)):
        found = ast.unparse(minutes) if minutes is not None else "nothing"
        report.add(cell.number, "setup", f"expected setup(..., cpu_minutes=<full-mode minutes>), found cpu_minutes={found}")
    elif full_minutes is not None and abs(minutes.value - full_minutes) > 1e-9:
        report.add(
            cell.number,
            "cpu-time",
            f"expected cpu_minutes={full_minutes:g}, the full-mode time cell 1 states; found cpu_minutes={minutes.value:g}",
        )


def _check_cells(cells: list[Cell], report: _Report) -> None:
    """Rules outputs and cell-length, cell by cell."""
    for cell in cells:
        if cell.kind == "code" and (cell.outputs or cell.execution_count is not None):
            report.add(
                cell.number,
                "outputs",
                f"expected no stored outputs and no execution count, found {len(cell.outputs)} output(s) and "
                f"execution count {cell.execution_count}; run `make strip`",
            )
        length = len(cell.source.splitlines())
        if length > MAX_CELL_LINES:
            advice = "move the plumbing into dlnotes or split the cell" if cell.kind == "code" else "split the cell"
            report.add(
                cell.number, "cell-length", f"expected at most {MAX_CELL_LINES} lines (one screen), found {length}; {advice}"
            )


def _check_key_figures(cells: list[Cell], report: _Report) -> None:
    tagged = [cell for cell in cells if KEY_FIGURE_TAG in cell.tags]
    for cell in tagged:
        if cell.kind != "code":
            found = f"found a {cell.kind} cell"
            report.add(cell.number, "key-figure", f"expected the `{KEY_FIGURE_TAG}` tag on a code cell that draws, {found}")
    fewest, most = KEY_FIGURES
    if not fewest <= len(tagged) <= most:
        found = f"cells {', '.join(str(cell.number) for cell in tagged)}" if tagged else "none"
        report.add(
            None,
            "key-figure",
            f"expected {fewest} or {most} code cells tagged `{KEY_FIGURE_TAG}` (the figures of the chapter's main result, "
            f"shown in the HTML report), found {found}",
        )


def _check_exercises(cells: list[Cell], report: _Report) -> None:
    sections = [
        (cell.number, text) for cell in cells if cell.kind == "markdown" for level, text in headings(cell.source) if level == 2
    ]
    exercises = [index for index, (_, text) in enumerate(sections) if text.casefold() == "exercises"]
    if not exercises:
        report.add(None, "exercises", "expected an '## Exercises' section at the end of the chapter, found none")
        return
    first = exercises[0]
    exercises_cell = sections[first][0]
    for number, text in sections[first + 1 :]:
        report.add(
            number,
            "exercises",
            f"expected '## Exercises' to be the last section (cell {exercises_cell}), found '## {text}' after it",
        )
    if not any(cell.kind == "code" for cell in cells if cell.number > exercises_cell):
        report.add(
            exercises_cell, "exercises", "expected code cells after '## Exercises' (each exercise has a check), found none"
        )


def _check_terms(terms: list[Term], report_for: dict[str, _Report], glossary: dict[str, set[str]] | None) -> None:
    """Rules term-conflict (one Korean term per English term, and back) and glossary."""
    by_english: dict[str, Term] = {}
    by_korean: dict[str, Term] = {}
    for term in terms:
        report = report_for[term.notebook]
        shown = f"'{term.english} ({', '.join(term.korean)})'"
        first = by_english.get(term.key)
        if first is not None and not set(term.korean) <= set(first.korean):
            report.add(
                term.cell,
                "term-conflict",
                f"{shown}: expected the Korean given in {Path(first.notebook).name} cell {first.cell}, "
                f"'{', '.join(first.korean)}'; found '{', '.join(term.korean)}' (one Korean term for one English term)",
            )
        owners = [by_korean[item] for item in term.korean if item in by_korean and by_korean[item].key != term.key]
        if owners:
            owner = owners[0]
            report.add(
                term.cell,
                "term-conflict",
                f"{shown}: expected '{', '.join(owner.korean)}' to stand for '{owner.english}' as in "
                f"{Path(owner.notebook).name} cell {owner.cell}, found it after '{term.english}'; use one English "
                f"term for one Korean term, marked if needed: **{owner.english}** ({', '.join(owner.korean)})",
            )
        by_english.setdefault(term.key, term)
        for item in term.korean:
            by_korean.setdefault(item, term)
        if glossary is not None:
            listed = glossary.get(term.key)
            if listed is None or not set(term.korean) <= listed:
                found = "no entry" if listed is None else f"the entry '{', '.join(sorted(listed))}'"
                report.add(term.cell, "glossary", f"expected {shown} in GLOSSARY.md, found {found}; run `{WRITE_COMMAND}`")


def _lint_cells(path: Path, cells: list[Cell], report: _Report) -> None:
    full_minutes = _check_first_cell(cells, report, chapter_label(path))
    parameters_cell = _check_parameters(cells, report)
    _check_setup(cells, report, parameters_cell, full_minutes)
    _check_cells(cells, report)
    _check_key_figures(cells, report)
    _check_exercises(cells, report)


def lint_notebooks(paths, glossary: str | Path | None = None) -> list[Violation]:
    """The violations of every notebook in ``paths`` (in that order: the course order for term-conflict).

    ``glossary``: the GLOSSARY.md whose entries every term must be in; None skips rule glossary.
    Raises NotebookError (a ValueError naming the file) for a missing file or one that is not a notebook.
    """
    if isinstance(paths, (str, Path)) or not all(isinstance(p, (str, Path)) for p in paths):
        raise TypeError(f"lint_notebooks: expected a list of notebook paths, got {paths!r}")
    known = read_glossary(glossary) if glossary is not None else None
    reports: dict[str, _Report] = {}
    terms: list[Term] = []
    for path in map(Path, paths):
        report = reports.setdefault(str(path), _Report(str(path)))
        _lint_cells(path, read_cells(path), report)
        found, problems = find_notebook_terms(path)
        terms += found
        for problem in problems:
            report.add(problem.cell, "korean-term", problem.message)
    _check_terms(terms, reports, known)
    return [
        violation
        for report in reports.values()
        for violation in sorted(report.violations, key=lambda v: (v.cell or 0, RULES.index(v.rule)))
    ]


def lint_notebook(path: str | Path, glossary: str | Path | None = None) -> list[Violation]:
    """The violations of one notebook; see lint_notebooks."""
    if not isinstance(path, (str, Path)):
        raise TypeError(f"lint_notebook: expected a notebook path, got {path!r}")
    return lint_notebooks([path], glossary)
