"""Run chapters in FAST mode and keep their times in benchmarks/results/fast_<chapter>.json.

    python benchmarks/fast_run.py                  # every chapter
    python benchmarks/fast_run.py --only 01,02

FAST mode is what the tests run: each chapter should take under a minute on two idle CPU cores.
The load average at the end is stored with the seconds, since other work on the machine slows them.
"""

from __future__ import annotations

import argparse

from full_run import run_and_record

from dlnotes.course.notebooks import find_chapters


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="chapters by number, e.g. 02 or 02,03 (default: all)")
    parser.add_argument("--out", default="build/fast", help="folder for the executed notebooks")
    args = parser.parse_args()
    only = args.only or ",".join(path.stem[:2] for path in find_chapters())
    return run_and_record(only, args.out, fast=True)


if __name__ == "__main__":
    raise SystemExit(main())
