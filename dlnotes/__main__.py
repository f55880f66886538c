"""Command line: ``python -m dlnotes run [--fast] [--only 01,02] [--out build/]``."""

from __future__ import annotations

import argparse
import sys

from dlnotes.runner import DEFAULT_CELL_TIMEOUT, find_chapters, run_course


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
    commands.add_parser("list", help="list the chapters")
    args = parser.parse_args(argv)

    try:
        if args.command == "list":
            for path in find_chapters():
                print(path.stem)
            return 0
        results = run_course(only=args.only, out_dir=args.out, fast=args.fast, cell_timeout=args.cell_timeout)
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0 if all(r.status == "ok" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
