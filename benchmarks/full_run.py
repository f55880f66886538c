"""Run chapters in full mode and keep their headline metrics in benchmarks/results/.

    python benchmarks/full_run.py --only 02        # or: make benchmarks ONLY=02

Writes benchmarks/results/full_<chapter>.json: the recorded metrics, seconds,
machine and date. `python benchmarks/tables.py` turns these files into the README's tables.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import date
from pathlib import Path

from dlnotes.runner import machine_summary, run_course

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", required=True, help="chapters by number, e.g. 02 or 02,03")
    parser.add_argument("--out", default="build/full", help="folder for the executed notebooks")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    status = 0
    for result in run_course(only=args.only, out_dir=args.out, fast=False):
        if result.status != "ok":
            status = 1
            continue  # a failed run's numbers are not benchmark results
        entry = {
            "chapter": result.chapter,
            "mode": "full",
            "seconds": result.seconds,
            "metrics": result.metrics,
            "machine": machine_summary(),
            # seconds mean little on a busy machine: keep how busy it was
            "load_average_5min_at_end": round(os.getloadavg()[1], 2),
            "date": date.today().isoformat(),
        }
        path = RESULTS / f"full_{result.chapter}.json"
        path.write_text(json.dumps(entry, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path}")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
