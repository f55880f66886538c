"""Execute chapters with papermill and write the course report (report.json, report.md, index.html)."""

from __future__ import annotations

import json
import logging
import os
import platform
import sys
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from dlnotes.report import read_metrics
from dlnotes.session import quiet_tensorflow

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
DEFAULT_CELL_TIMEOUT = 1800  # seconds; a full-mode training cell on two CPU cores stays well below


@dataclass
class ChapterResult:
    """What one executed chapter produced."""

    chapter: str
    status: str  # "ok" or "failed"
    seconds: float
    notebook: str  # the executed copy
    metrics: dict = field(default_factory=dict)
    error: str | None = None
    slowest_cells: list = field(default_factory=list)


def find_chapters(only: str | list[str] | None = None, notebook_dir: Path = NOTEBOOK_DIR) -> list[Path]:
    """The chapter notebooks, in order; ``only`` selects by number ("01") or name ("01_perceptron_xor")."""
    notebook_dir = Path(notebook_dir)
    chapters = sorted(notebook_dir.glob("[0-9][0-9]_*.ipynb"))
    if not chapters:
        raise FileNotFoundError(f"no chapter notebooks (NN_name.ipynb) in {notebook_dir}")
    if not only:
        return chapters
    wanted = [w.strip() for w in (only.split(",") if isinstance(only, str) else only) if w.strip()]
    selected = []
    for want in wanted:
        matches = [p for p in chapters if p.stem == want or p.stem.split("_")[0] == want]
        if not matches:
            names = ", ".join(p.stem for p in chapters)
            raise ValueError(f"no chapter matches {want!r}; available: {names}")
        selected += [p for p in matches if p not in selected]
    return selected


ADDED_BY_PAPERMILL = {"injected-parameters", "papermill-error-cell-tag"}


def _source_cell_number(cells: list, index: int) -> int:
    """The 1-based number of executed cell ``index`` in the source notebook (papermill adds cells)."""
    added = sum(1 for c in cells[:index] if ADDED_BY_PAPERMILL & set(c.get("metadata", {}).get("tags", [])))
    return index - added + 1


def _describe_cell(cells: list, index: int) -> str:
    first_line = next((line for line in "".join(cells[index].get("source", "")).splitlines() if line.strip()), "")
    return f"cell {_source_cell_number(cells, index)} (`{first_line.strip()[:60]}`)"


def _last_started_cell(cells: list) -> int | None:
    """Index of the last cell that started: after an error or a timeout, the one that failed.

    (papermill marks an erroring cell "failed" but a timed-out one "completed",
    so its start time is the one signal both cases share.)
    """
    started = [i for i, c in enumerate(cells) if c.get("metadata", {}).get("papermill", {}).get("start_time")]
    return started[-1] if started else None


def _slowest_cells(cells: list, count: int = 3) -> list[dict]:
    timed = [
        (cell["metadata"]["papermill"].get("duration") or 0.0, index)
        for index, cell in enumerate(cells)
        if cell.get("cell_type") == "code" and "papermill" in cell.get("metadata", {})
    ]
    return [
        {"cell": _describe_cell(cells, index), "seconds": round(seconds, 2)}
        for seconds, index in sorted(timed, reverse=True)[:count]
    ]


@contextmanager
def _inline_figures():
    """Let the kernel store figures in the notebook even when this process runs with MPLBACKEND=Agg.

    The kernel inherits our environment; with a non-interactive backend set there, plt.show() stores nothing.
    """
    saved = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    try:
        yield
    finally:
        if saved is None:
            del os.environ["MPLBACKEND"]
        else:
            os.environ["MPLBACKEND"] = saved


def run_chapter(
    notebook: Path,
    out_dir: Path,
    fast: bool = True,
    parameters: dict | None = None,
    cell_timeout: int = DEFAULT_CELL_TIMEOUT,
) -> ChapterResult:
    """Execute one chapter notebook into ``out_dir`` and collect its metrics and timings."""
    import papermill

    notebook, out_dir = Path(notebook), Path(out_dir)
    if not notebook.is_file():
        raise FileNotFoundError(f"notebook not found: {notebook}")
    out_dir.mkdir(parents=True, exist_ok=True)
    output = out_dir / notebook.name
    quiet_tensorflow()  # the kernel inherits this environment
    logging.getLogger("papermill").setLevel(logging.WARNING)
    start = time.perf_counter()
    error = None
    try:
        with _inline_figures():
            papermill.execute_notebook(
                str(notebook),
                str(output),
                parameters={"FAST": fast, **(parameters or {})},
                cwd=str(notebook.parent),
                kernel_name="python3",
                execution_timeout=cell_timeout,
                progress_bar=sys.stderr.isatty(),
                # ipykernel >= 7 warns on stderr about unencrypted local TCP: noise for a local run
                extra_arguments=["--IPKernelApp.log_level=ERROR"],
            )
    except Exception as exc:  # papermill and nbclient raise several types; all mean "this chapter failed"
        error = f"{type(exc).__name__}: {exc}".strip()
    seconds = time.perf_counter() - start
    cells = json.loads(output.read_text(encoding="utf-8"))["cells"] if output.is_file() else []
    if error is not None:
        error = _short_error(error)
        index = _last_started_cell(cells)
        where = _describe_cell(cells, index) if index is not None else "before the first cell ran"
        error = f"{notebook.name} failed in {where}: {error}"
    return ChapterResult(
        chapter=notebook.stem,
        status="failed" if error else "ok",
        seconds=round(seconds, 1),
        notebook=str(output),
        metrics=read_metrics(output) if cells else {},
        error=error,
        slowest_cells=_slowest_cells(cells),
    )


def _short_error(text: str) -> str:
    """The last meaningful line of papermill's error text (it repeats the whole traceback)."""
    lines = [line for line in text.splitlines() if line.strip() and not set(line.strip()) <= set("-")]
    for line in reversed(lines):
        if not line.startswith(" ") and ("Error" in line or "Exception" in line or "Timeout" in line):
            return line.strip()[:500]
    return lines[-1].strip()[:500] if lines else text[:500]


def machine_summary() -> str:
    system = f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPU cores, Python {platform.python_version()}"
    return f"{platform.node()} ({system})"


def write_reports(results: list[ChapterResult], out_dir: Path, fast: bool) -> dict:
    """Write report.json, report.md and the HTML report (index.html, see dlnotes.html_report) into ``out_dir``.

    Returns the JSON content.
    """
    # imported here, not at the top: html_report imports this module (to name cells the same way)
    from dlnotes.html_report import write_html_report

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
        "| chapter | status | seconds | metrics |",
        "|---|---|---:|---|",
    ]
    for name, result in report["chapters"].items():
        metrics = ", ".join(f"{k} = {v:.4g}" for k, v in result["metrics"].items()) or "none"
        lines.append(f"| {name} | {result['status']} | {result['seconds']:.1f} | {metrics} |")
    for name, result in report["chapters"].items():
        lines += ["", f"## {name}", ""]
        if result["error"]:
            lines += [f"**Failed:** {result['error']}", ""]
        lines += ["Slowest cells:", ""]
        lines += [f"- {c['cell']}: {c['seconds']:.1f} s" for c in result["slowest_cells"]] or ["- none"]
    return "\n".join(lines) + "\n"


def run_course(
    only: str | list[str] | None = None,
    out_dir: str | Path = "build",
    fast: bool = False,
    cell_timeout: int = DEFAULT_CELL_TIMEOUT,
    notebook_dir: Path = NOTEBOOK_DIR,
    echo=print,
) -> list[ChapterResult]:
    """Execute the selected chapters one after another, echoing progress, and write the reports."""
    chapters = find_chapters(only, notebook_dir)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    mode = "fast" if fast else "full"
    echo(f"Running {len(chapters)} chapter(s) in {mode} mode; executed notebooks go to {out_dir}/")
    results = []
    for number, notebook in enumerate(chapters, 1):
        echo(f"[{number}/{len(chapters)}] {notebook.stem} ...", flush=True)
        result = run_chapter(notebook, out_dir, fast=fast, cell_timeout=cell_timeout)
        results.append(result)
        metrics = ", ".join(f"{k}={v:.4g}" for k, v in result.metrics.items())
        echo(f"      {result.status} in {result.seconds:.1f} s" + (f"; {metrics}" if metrics else ""))
        if result.error:
            echo(f"      {result.error}")
    write_reports(results, out_dir, fast)
    failed = [r.chapter for r in results if r.status != "ok"]
    echo(
        f"Report: {out_dir / 'report.md'} and {out_dir / 'index.html'}"
        + (f"; FAILED: {', '.join(failed)}" if failed else "; all chapters ok")
    )
    return results
