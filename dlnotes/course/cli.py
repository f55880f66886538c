"""The command line, ``python -m dlnotes``: ``run [--fast] [--only 01,02] [--out build/] [-p NAME VALUE] [--retrain]``,
``list``, ``lint``, ``glossary [--write]``, and the teacher's ``student`` and ``grade`` (dlnotes.course.grading.cli)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dlnotes.course.glossary import GLOSSARY_PATH, collect, render
from dlnotes.course.grading import cli as assignment_commands
from dlnotes.course.lint import lint_notebooks
from dlnotes.course.notebooks import NotebookError, find_chapters
from dlnotes.course.parameters import parse_value
from dlnotes.course.runner import DEFAULT_CELL_TIMEOUT, run_course


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dlnotes", description="Run the dlnotes course.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="execute chapters and write report.json / report.md")
    run.add_argument("--fast", action="store_true", help="FAST mode: small subsets, under a minute a chapter")
    run.add_argument("--only", default=None, help="comma-separated chapters by number or name, e.g. 01,03")
    run.add_argument("--out", default="build", help="folder for executed notebooks and reports (default: build)")
    run.add_argument(
        "--cell-timeout",
        type=int,
        default=DEFAULT_CELL_TIMEOUT,
        help=f"seconds a single cell may run (default: {DEFAULT_CELL_TIMEOUT})",
    )
    run.add_argument(
        "-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
        help="set a parameter of the chapters, as papermill -p does: -p SEED 3 -p DCGAN_EPOCHS 50 "
        "(VALUE: an int, float, True, False, None or text)",
    )
    run.add_argument("--retrain", action="store_true", help="train every model again instead of loading it from the model cache")
    commands.add_parser("list", help="list the chapters")
    lint = commands.add_parser("lint", help="check notebooks against the chapter template (exit 1 on violations)")
    lint.add_argument("notebooks", nargs="*", type=Path, help="notebooks to check (default: every notebook of the course)")
    lint.add_argument(
        "--glossary", type=Path, default=GLOSSARY_PATH, help="the glossary every term must be in (default: GLOSSARY.md)"
    )
    glossary = commands.add_parser("glossary", help="print the English-Korean glossary generated from the notebooks")
    glossary.add_argument("--write", action="store_true", help=f"write it to {GLOSSARY_PATH.name} instead of printing it")
    assignment_commands.add_commands(commands)  # student, grade
    args = parser.parse_args(argv)

    try:
        if args.command == "list":
            for path in find_chapters():
                print(path.stem)
            return 0
        if args.command == "lint":
            return lint_command(args.notebooks, args.glossary)
        if args.command == "glossary":
            return glossary_command(args.write)
        if args.command in assignment_commands.COMMANDS:
            return assignment_commands.run(args)
        parameters = {name: parse_value(value) for name, value in args.parameter}
        results = run_course(only=args.only, out_dir=args.out, fast=args.fast, cell_timeout=args.cell_timeout,
                             parameters=parameters, retrain=args.retrain)
    except (NotebookError, ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0 if all(r.status == "ok" for r in results) else 1


def _shown(path: Path) -> Path:
    """``path`` relative to the working directory when it is below it: shorter lines, still clickable."""
    try:
        return path.resolve().relative_to(Path.cwd())
    except ValueError:
        return path


def lint_command(notebooks: list[Path], glossary: Path) -> int:
    """Print one line per violation; 0 when there are none, 1 otherwise."""
    paths = [_shown(path) for path in (notebooks or find_chapters())]
    violations = lint_notebooks(paths, glossary=glossary)
    for violation in violations:
        print(violation)
    if violations:
        print(
            f"{len(violations)} violation(s) in {len({v.notebook for v in violations})} of {len(paths)} notebook(s)",
            file=sys.stderr,
        )
        return 1
    print(f"{len(paths)} notebook(s) follow the template")
    return 0


def glossary_command(write: bool) -> int:
    """Print the generated glossary, or write it to GLOSSARY.md."""
    entries = collect(find_chapters())
    text = render(entries, base=GLOSSARY_PATH.parent)
    if not write:
        print(text, end="")
        return 0
    GLOSSARY_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {_shown(GLOSSARY_PATH)} ({len(entries)} terms)")
    return 0

