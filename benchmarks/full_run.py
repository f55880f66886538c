"""Run chapters in full mode and keep their headline metrics in benchmarks/results/.

    python benchmarks/full_run.py --only 02        # or: make benchmarks ONLY=02

Writes benchmarks/results/full_<chapter>.json: the recorded metrics, seconds, machine, date, the commit
run, the load average when the chapter started and ended (#23 asks for <= 2.5 at both) and the seconds of a fixed
piece of arithmetic and of recurrent training before and after it (_results.host_speed_probe and recurrent_probe: how
fast the host itself was, for compute-bound and for latency-bound work). The model cache
is turned off for the kernels: a benchmark trains every model.
`python benchmarks/tables.py` turns these files into the README's tables.
benchmarks/fast_run.py does the same in FAST mode (the times a test run costs).
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import date

from _results import RESULTS, current_commit, host_speed_probe, load_average, recurrent_probe, wait_for_idle

from dlnotes.course.notebooks import find_chapters
from dlnotes.course.reports import machine_summary
from dlnotes.course.runner import run_course


def run_and_record(only: str, out_dir: str, fast: bool) -> int:
    """Run the chapters; write results/<mode>_<chapter>.json for each that succeeds. Returns an exit status."""
    RESULTS.mkdir(exist_ok=True)
    os.environ["DLNOTES_CACHE"] = "off"  # the kernels inherit it: every model is trained, as on a first run
    mode = "fast" if fast else "full"
    commit = current_commit()
    status = 0
    probes_at_end = host_speed_probe(), recurrent_probe()
    for chapter in find_chapters(only):
        probes_at_start = probes_at_end  # those after the chapter before: nothing ran since
        load_at_start = wait_for_idle()  # not the echo of the chapter before (nor of the probes)
        [result] = run_course(only=chapter.stem, out_dir=out_dir, fast=fast)
        load_at_end = load_average()
        probes_at_end = host_speed_probe(), recurrent_probe()
        if result.status != "ok":
            status = 1
            continue  # a failed run's numbers are not benchmark results
        entry = {
            "chapter": result.chapter,
            "mode": mode,
            "seconds": result.seconds,
            "metrics": result.metrics,
            "slowest_cells": result.slowest_cells,
            "machine": machine_summary(),
            # seconds mean little on a busy machine: keep how busy it was
            "load_average_5min_at_end": load_at_end[1],
            "load_average_at_start": load_at_start,  # 1, 5 and 15 minutes
            "load_average_at_end": load_at_end,
            # the same work timed before and after the chapter: how fast the host was (see the two probes)
            "host_probe_seconds": [probes_at_start[0], probes_at_end[0]],
            "recurrent_probe_seconds": [probes_at_start[1], probes_at_end[1]],
            "commit": commit,
            "date": date.today().isoformat(),
        }
        path = RESULTS / f"{mode}_{result.chapter}.json"
        path.write_text(json.dumps(entry, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path}")
    return status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", required=True, help="chapters by number, e.g. 02 or 02,03")
    parser.add_argument("--out", default="build/full", help="folder for the executed notebooks")
    args = parser.parse_args()
    return run_and_record(args.only, args.out, fast=False)


if __name__ == "__main__":
    raise SystemExit(main())
