"""How much faster a second run of a chapter is with the model cache: results/cache_speed.json.

    python benchmarks/cache_speed.py                      # chapters 01 and 03 in FAST mode
    python benchmarks/cache_speed.py --only 05 --full     # one chapter in full mode (minutes)

Each chapter runs twice, as two Restart-and-Run-Alls, against a fresh cache folder: the first run trains and caches
every model, the second loads them. Recorded per chapter: both times, the models each run trained and loaded
(from the lines the cache prints) and whether the metrics are the same. The issue's target is a second run under a
fifth of the first; it is measured here rather than asserted in a test, since seconds depend on the machine's load.
A run keeps the chapters it did not run from the results file, each with its own date and load average.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _results import RESULTS, load_average, write_result  # noqa: E402

from dlnotes.course.notebooks import find_chapters, load_notebook  # noqa: E402
from dlnotes.course.runner import run_chapter  # noqa: E402
from dlnotes.model_cache import count_events  # noqa: E402


def printed_text(notebook: str) -> str:
    return "".join("".join(output.get("text", "")) for cell in load_notebook(notebook)["cells"]
                   for output in cell.get("outputs", []) if output.get("output_type") == "stream")


def measure(notebook: Path, fast: bool, out_dir: Path) -> dict:
    runs, load_at_start = [], load_average()
    for attempt in ("first", "second"):
        result = run_chapter(notebook, out_dir / attempt, fast=fast)
        if result.status != "ok":
            raise SystemExit(result.error)
        runs.append({"seconds": result.seconds, **count_events(printed_text(result.notebook)), "metrics": result.metrics})
        counts = runs[-1]
        print(f"{notebook.stem}, {attempt} run: {result.seconds:.1f} s, {counts['trained']} trained, {counts['loaded']} loaded")
    first, second = runs
    return {
        "chapter": notebook.stem,
        "mode": "fast" if fast else "full",
        "first_seconds": first["seconds"],
        "second_seconds": second["seconds"],
        "second_to_first": round(second["seconds"] / first["seconds"], 3),
        "first_trained": first["trained"],
        "second_loaded": second["loaded"],
        "second_trained": second["trained"],
        "same_metrics": first["metrics"] == second["metrics"],
        "load_average_at_start": load_at_start,
        "load_average_at_end": load_average(),
        "date": date.today().isoformat(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="01,03", help="chapters by number (default: 01,03)")
    parser.add_argument("--full", action="store_true", help="full mode instead of FAST mode")
    args = parser.parse_args()
    name = "cache_speed" + ("_full" if args.full else "")
    chapters = []
    with tempfile.TemporaryDirectory(prefix="dlnotes-cache-speed-") as folder:
        os.environ["DLNOTES_CACHE_DIR"], os.environ["DLNOTES_CACHE"] = folder, "on"  # the kernels inherit both
        for path in find_chapters(args.only):  # written after each chapter: a full-mode pass takes an hour or more
            chapters.append(measure(path, not args.full, Path(folder) / "runs" / path.stem))
            write_result(name, quick=False, entry={"chapters": merged(name, chapters)})
    return 0 if all(c["same_metrics"] and c["second_trained"] == 0 for c in chapters) else 1


def merged(name: str, chapters: list[dict]) -> list[dict]:
    """``chapters`` and the earlier measurements of the chapters not among them, from results/<name>.json."""
    measured = {c["chapter"] for c in chapters}
    earlier = RESULTS / f"{name}.json"
    kept = [c for c in json.loads(earlier.read_text(encoding="utf-8"))["chapters"] if c["chapter"] not in measured] \
        if earlier.exists() else []
    return sorted(kept + chapters, key=lambda c: c["chapter"])


if __name__ == "__main__":
    raise SystemExit(main())
