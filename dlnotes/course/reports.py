"""The reports of a course run: report.json (what the tests and benchmarks read), report.md and index.html."""

from __future__ import annotations

import json
import os
import platform
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from dlnotes.course.html_report import write_html_report
from dlnotes.markdown import markdown_table


def machine_summary() -> str:
    """The host, its system, cores and Python: where a run's numbers were measured."""
    system = f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPU cores, Python {platform.python_version()}"
    return f"{platform.node()} ({system})"


def write_reports(results: list, out_dir: Path, fast: bool) -> dict:
    """Write report.json, report.md and index.html (dlnotes.course.html_report) for ``results`` into ``out_dir``.

    ``results``: the runner's ChapterResult of each chapter, in order.

    Returns the JSON content.
    """
    report = {
        "mode": "fast" if fast else "full",
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_summary(),
        "chapters": {r.chapter: asdict(r) for r in results},
    }
    # the plain reports first: whatever happens while rendering HTML, the run's results are on disk
    (out_dir / "report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (out_dir / "report.md").write_text(_markdown_report(report), encoding="utf-8")
    write_html_report(report, out_dir)
    return report


def _markdown_report(report: dict) -> str:
    lines = [
        f"# Course run ({report['mode']} mode)",
        "",
        f"Finished {report['finished']} on {report['machine']}.",
        "",
    ]
    rows = []
    for name, result in report["chapters"].items():
        metrics = ", ".join(f"{k} = {v:.4g}" for k, v in result["metrics"].items()) or "none"
        rows.append([name, result["status"], f"{result['seconds']:.1f}", metrics])
    lines.append(markdown_table(["chapter", "status", "seconds", "metrics"], rows, align="llrl"))
    for name, result in report["chapters"].items():
        lines += ["", f"## {name}", ""]
        if result["error"]:
            lines += [f"**Failed:** {result['error']}", ""]
        lines += ["Slowest cells:", ""]
        lines += [f"- {c['cell']}: {c['seconds']:.1f} s" for c in result["slowest_cells"]] or ["- none"]
    return "\n".join(lines) + "\n"
