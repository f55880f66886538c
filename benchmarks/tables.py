"""Turn benchmarks/results/*.json into the README's "Measured results" tables.

    python benchmarks/tables.py            # print the tables
    python benchmarks/tables.py --write    # replace the block between the markers in README.md

A test checks that README.md holds exactly what this script generates, so the README
never quotes a number that no results file backs.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from dlnotes.targets import meets_target, target_text  # one table of targets for the README and the HTML report

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
README = ROOT / "README.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"


def meets(metric: str, value: float) -> str:
    """The README's "met" column: "yes", "**no**", or "" for a metric without a target."""
    ok = meets_target(metric, value)
    return "" if ok is None else "yes" if ok else "**no**"


def load_results(folder: Path = RESULTS) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("full_*.json"))]


def render(results: list[dict]) -> str:
    if not results:
        return "No full-mode results yet."
    blocks = []
    for entry in results:
        load = entry.get("load_average_5min_at_end")
        busy = f" (load average {load:g} at the end: the cores were shared)" if load and load > 2.5 else ""
        lines = [
            f"**{entry['chapter']}**, full mode: {entry['seconds'] / 60:.1f} min on {entry['machine']}, {entry['date']}{busy}.",
            "",
            "| metric | value | target | met |",
            "|---|---:|---|---|",
        ]
        for metric, value in entry["metrics"].items():
            lines.append(f"| {metric} | {value:.4g} | {target_text(metric)} | {meets(metric, value)} |")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def replace_block(text: str, block: str) -> str:
    if START not in text or END not in text:
        raise ValueError(f"README.md lacks the markers {START} ... {END}")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{block}\n{END}{tail}"


def main() -> int:
    parser = argparse.ArgumentParser(description="README tables from benchmarks/results")
    parser.add_argument("--write", action="store_true", help="update README.md in place")
    args = parser.parse_args()
    block = render(load_results())
    if args.write:
        README.write_text(replace_block(README.read_text(encoding="utf-8"), block), encoding="utf-8")
    else:
        print(block)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
