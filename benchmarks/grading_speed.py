"""How long grading a folder of honest FAST submissions takes: results/grading_speed.json.

    python benchmarks/grading_speed.py                     # this checkout, chapter 03, 30 submissions
    python benchmarks/grading_speed.py --compare 09f376e   # and the commit before issue #20's sandbox, in turns

Issue #20 put a sandbox and a separate judge around every submission and asked that grading 30 honest FAST
submissions take no more than 10% longer than before. --compare extracts the older commit (git archive) into a
temporary folder. Each checkout grades a folder of its own honest submissions (its student version with every
solution of the chapter written in) with its own code: ``python -m dlnotes grade`` with the checkout first on
PYTHONPATH, one submission at a time, as a teacher runs it by default. The checkouts take turns, ``--rounds``
times each, so that a change in the machine's load falls on both; the run fails unless every submission scores
full marks.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _results import current_commit, load_average, write_result  # noqa: E402

from dlnotes.course.grading.markers import has_solution, strip_solutions  # noqa: E402

HERE = Path(__file__).resolve().parents[1]


def extract(commit: str, folder: Path) -> Path:
    """The files of ``commit`` in ``folder``: an older checkout to time, without touching this one."""
    folder.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", commit], cwd=HERE, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def run_dlnotes(checkout: Path, *args: str) -> None:
    environment = {**os.environ, "PYTHONPATH": str(checkout), "DLNOTES_CACHE": "off"}
    subprocess.run([sys.executable, "-m", "dlnotes", *args], cwd=checkout, env=environment, check=True,
                   stdout=subprocess.DEVNULL)


def honest_submissions(checkout: Path, chapter: str, count: int, folder: Path) -> Path:
    """``count`` copies of the checkout's student version of ``chapter`` with the chapter's solutions written in."""
    import nbformat

    [notebook] = sorted((checkout / "notebooks").glob(f"{chapter}_*.ipynb"))
    run_dlnotes(checkout, "student", "--only", chapter, "--out", str(folder / "versions"))
    student = nbformat.read(folder / "versions" / notebook.stem / "student" / notebook.name, as_version=4)
    prompts = {cell.source: cell for cell in student.cells if cell.cell_type == "code"}
    for solved in nbformat.read(notebook, as_version=4).cells:
        if solved.cell_type == "code" and has_solution(solved.source):
            prompt = strip_solutions(solved.source)
            if prompt not in prompts:
                raise SystemExit(f"{notebook.name}: no cell of the student version reads {prompt[:60]!r}")
            prompts[prompt].source = solved.source  # the markers are comments: the chapter's cell is the answer
    submissions = folder / "submissions"
    submissions.mkdir()
    for number in range(count):
        nbformat.write(student, submissions / f"student{number:02d}.ipynb")
    return submissions


def grade_once(checkout: Path, chapter: str, submissions: Path, out: Path) -> float:
    start = time.perf_counter()
    run_dlnotes(checkout, "grade", chapter, str(submissions), "--out", str(out))
    seconds = time.perf_counter() - start
    with (out / "grades.csv").open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    columns = [c for c in rows[0] if c not in ("student", "total", "note", "isolation")]
    short = [row["student"] for row in rows if any(float(row[c]) <= 0 for c in columns)]
    if short:
        raise SystemExit(f"{checkout}: honest submissions scored less than full marks: {short[:5]} (see {out})")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapter", default="03", help="chapter number (default: 03)")
    parser.add_argument("--submissions", type=int, default=30)
    parser.add_argument("--compare", default=None, help="an older commit to time the same way")
    parser.add_argument("--rounds", type=int, default=1, help="gradings of the folder per checkout (default: 1)")
    args = parser.parse_args()
    seconds: dict[str, list[float]] = {}
    load_at_start = load_average()
    with tempfile.TemporaryDirectory(prefix="dlnotes-grading-speed-") as folder:
        checkouts = {current_commit(HERE): HERE}
        if args.compare:
            if args.compare in checkouts:
                raise SystemExit(f"--compare {args.compare}: that is this checkout's commit; name an older one")
            checkouts[args.compare] = extract(args.compare, Path(folder) / "compared")
        folders = {name: honest_submissions(path, args.chapter, args.submissions, Path(folder) / str(i))
                   for i, (name, path) in enumerate(checkouts.items())}
        for round_number in range(args.rounds):
            for name, path in checkouts.items():
                out = folders[name].parent / f"grades{round_number}"
                seconds.setdefault(name, []).append(round(grade_once(path, args.chapter, folders[name], out), 1))
                print(f"{name}, round {round_number + 1}: {seconds[name][-1]} s")
    this, *compared = seconds
    entry = {"chapter": args.chapter, "submissions": args.submissions, "jobs": 1, "seconds": seconds,
             "this_checkout": this}
    if args.compare:
        entry["this_to_compared"] = round(sum(seconds[this]) / sum(seconds[compared[0]]), 3)
        print(f"this checkout / compared: {entry['this_to_compared']}")
    write_result("grading_speed", quick=args.submissions < 30, entry=entry, load_at_start=load_at_start)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
