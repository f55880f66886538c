"""The teacher's commands, added to ``python -m dlnotes``:

``student [--only 01,02] [--out build/assignments]``
    write each chapter's student and grading versions;
``grade CHAPTER SUBMISSIONS [--out build/grades/CHAPTER] [--jobs N] [--cell-timeout S] [--timeout S] [--full] [--no-sandbox]``
    grade a folder of submitted notebooks into ``grades.csv``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dlnotes.course.notebooks import find_chapters, read_notebook

COMMANDS = ("student", "grade")


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register the ``student`` and ``grade`` subcommands on ``python -m dlnotes``'s subparsers."""
    student = commands.add_parser("student", help="write the student and grading versions of chapters' exercises")
    student.add_argument("--only", default=None, help="comma-separated chapters by number or name (default: all)")
    student.add_argument("--out", default="build/assignments", help="output folder (default: build/assignments)")

    grade = commands.add_parser("grade", help="grade a folder of submitted notebooks into a CSV score table")
    grade.add_argument("chapter", help="chapter number or name (e.g. 01), or the path of a grading-version notebook")
    grade.add_argument("submissions", help="folder of submissions: NAME.ipynb or NAME/<notebook>.ipynb")
    grade.add_argument("--out", default=None, help="output folder (default: build/grades/<chapter>)")
    grade.add_argument("--jobs", type=int, default=1, help="submissions graded in parallel (default: 1)")
    # Defaults live in grade.py (None: use them); importing it here would load nbformat for every command.
    grade.add_argument("--cell-timeout", type=int, default=None, help="seconds a cell may run (default: 120)")
    grade.add_argument("--timeout", type=int, default=None, help="seconds a whole submission may run (default: 600)")
    grade.add_argument("--full", action="store_true", help="run submissions as they are (default: FAST = True)")
    grade.add_argument("--no-sandbox", action="store_true", help="run kernels without bubblewrap (warned in the table)")


def load_assignment(chapter: str):
    """The assignment of a chapter number/name, or of a notebook path (a grading version or a chapter)."""
    from dlnotes.course.grading.chapter import parse_assignment

    path = Path(chapter)
    if path.suffix != ".ipynb":
        chapters = find_chapters(chapter)
        if len(chapters) != 1:
            raise ValueError(f"grade one chapter at a time, got {chapter!r} ({len(chapters)} chapters)")
        path = chapters[0]
    return parse_assignment(read_notebook(path), path.stem)


def run(args: argparse.Namespace, echo=print) -> int:
    """Carry out a parsed ``student`` or ``grade`` command; the exit status (grading a failing student is 0)."""
    from dlnotes.course.grading.chapter import write_versions
    from dlnotes.course.grading.grade import grade_folder

    if args.command == "student":
        failed = []
        for chapter in find_chapters(args.only):
            try:
                written = write_versions(chapter, args.out)
            except ValueError as error:  # FormatError, MarkerError: say which rule, go on with the other chapters
                failed.append(chapter.stem)
                echo(f"{chapter.stem}: not in the assignment format: {error}")
                continue
            echo(f"{chapter.stem}: student version {written['student']}, grading version {written['grading']}")
        if failed:
            echo(f"no student version for {', '.join(failed)} (see above)")
        return 1 if failed else 0
    if args.command == "grade":
        assignment = load_assignment(args.chapter)
        out = Path(args.out) if args.out else Path("build/grades") / assignment.name
        limits = {"cell_timeout": args.cell_timeout, "notebook_timeout": args.timeout}
        limits = {name: value for name, value in limits.items() if value is not None}
        # a grading notebook given by path: its folder is hidden from the kernels like the submissions
        hidden = [Path(args.chapter).resolve().parent] if args.chapter.endswith(".ipynb") else []
        grade_folder(assignment, args.submissions, out, fast=not args.full, jobs=args.jobs, echo=echo,
                     isolate=not args.no_sandbox, hidden=hidden, **limits)
        return 0
    raise ValueError(f"unknown assignment command {args.command!r}; expected one of {', '.join(COMMANDS)}")
