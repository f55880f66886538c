"""Execute chapters with papermill, collect their metrics and timings, and write the reports (dlnotes.course.reports)."""

from __future__ import annotations

import concurrent.futures
import logging
import os
import sys
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path

from dlnotes.course.notebooks import (
    NOTEBOOK_DIR,
    NotebookError,
    describe_cell,
    find_chapters,
    load_notebook,
    read_metrics,
)
from dlnotes.course.parameters import check_parameters
from dlnotes.course.processes import child_pids, kill_new_children, result_or_ctrl_c
from dlnotes.course.progress import ChapterWatch, course_estimate, minutes, recorded_timing
from dlnotes.course.reports import write_reports
from dlnotes.session import quiet_tensorflow

DEFAULT_CELL_TIMEOUT = 1800  # seconds; a full-mode training cell on two CPU cores stays well below
INTERRUPTED = "interrupted"  # a chapter's status when Ctrl-C stopped it (the run stops there)


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


def _last_started_cell(cells: list) -> int | None:
    """Index of the last cell that started: after an error or a timeout, the one that failed.

    (papermill marks an erroring cell "failed" but a timed-out one "completed",
    so its start time is the one signal both cases share.)
    """
    started = [i for i, c in enumerate(cells) if c.get("metadata", {}).get("papermill", {}).get("start_time")]
    return started[-1] if started else None


def _where_it_stopped(cells: list) -> str:
    index = _last_started_cell(cells)
    return f"in {describe_cell(cells, index)}" if index is not None else "before the first cell ran"


def _slowest_cells(cells: list, count: int = 3) -> list[dict]:
    timed = [
        (cell["metadata"]["papermill"].get("duration") or 0.0, index)
        for index, cell in enumerate(cells)
        if cell.get("cell_type") == "code" and "papermill" in cell.get("metadata", {})
    ]
    return [
        {"cell": describe_cell(cells, index), "seconds": round(seconds, 2)}
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
    watch: ChapterWatch | None = None,
) -> ChapterResult:
    """Execute one chapter notebook into ``out_dir`` and collect its metrics and timings.

    ``watch`` (dlnotes.course.progress) follows the cells and outputs as they come; without it, papermill's
    progress bar shows on a terminal.
    """
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
        with _inline_figures(), watch or nullcontext():
            papermill.execute_notebook(
                str(notebook),
                str(output),
                parameters={"FAST": fast, **(parameters or {})},
                cwd=str(notebook.parent),
                kernel_name="python3",
                execution_timeout=cell_timeout,
                progress_bar=watch is None and sys.stderr.isatty(),
                log_output=watch is not None,
                # ipykernel >= 7 warns on stderr about unencrypted local TCP: noise for a local run
                extra_arguments=["--IPKernelApp.log_level=ERROR"],
            )
    except Exception as exc:  # papermill and nbclient raise several types; all mean "this chapter failed"
        error = f"{type(exc).__name__}: {exc}".strip()
    seconds = time.perf_counter() - start
    cells = load_notebook(output)["cells"] if output.is_file() else []
    if error is not None:
        error = f"{notebook.name} failed {_where_it_stopped(cells)}: {_short_error(error)}"
    return ChapterResult(
        chapter=notebook.stem,
        status="failed" if error else "ok",
        seconds=round(seconds, 1),
        notebook=str(output),
        metrics=read_metrics(output) if cells else {},
        error=error,
        slowest_cells=_slowest_cells(cells),
    )


def _run_chapter_until_interrupted(notebook: Path, out_dir: Path, **options) -> ChapterResult:
    """:func:`run_chapter` in a worker thread; on Ctrl-C, its kernel (and what the kernel started) is killed and
    the result says where the chapter was interrupted.

    In the main thread nbclient would take Ctrl-C itself, only to shut the kernel down: the chapter would fail
    and the run go on. Here Ctrl-C reaches this thread as KeyboardInterrupt."""
    before = child_pids()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(run_chapter, notebook, out_dir, **options)
        try:
            return result_or_ctrl_c(future)
        except KeyboardInterrupt:
            while not future.done():  # killed until papermill gives up (a kernel starting meanwhile is killed too)
                kill_new_children(before)
                concurrent.futures.wait([future], timeout=1)
        finally:
            kill_new_children(before)  # papermill shuts its kernel down; this is for what the kernel left
    result = future.result()
    cells = load_notebook(result.notebook)["cells"] if Path(result.notebook).is_file() else []
    error = f"{Path(notebook).name} interrupted (Ctrl-C) {_where_it_stopped(cells)}; the run stopped there"
    return replace(result, status=INTERRUPTED, error=error)


def _short_error(text: str) -> str:
    """The last meaningful line of papermill's error text (it repeats the whole traceback)."""
    lines = [line for line in text.splitlines() if line.strip() and not set(line.strip()) <= set("-")]
    for line in reversed(lines):
        if not line.startswith(" ") and ("Error" in line or "Exception" in line or "Timeout" in line):
            return line.strip()[:500]
    return lines[-1].strip()[:500] if lines else text[:500]


def run_course(
    only: str | list[str] | None = None,
    out_dir: str | Path = "build",
    fast: bool = False,
    cell_timeout: int = DEFAULT_CELL_TIMEOUT,
    notebook_dir: Path = NOTEBOOK_DIR,
    echo=print,
    parameters: dict | None = None,
    retrain: bool = False,
    watch: bool = True,
) -> list[ChapterResult]:
    """Execute the selected chapters one after another, echoing progress, and write the reports.

    ``parameters`` go to every chapter (papermill's ``-p``), checked first against each chapter's parameters
    cell; ``retrain`` sets ``RETRAIN = True``, so that no model comes from the model cache. ``watch`` shows the
    running cell, the latest output line and the time left (:class:`dlnotes.course.progress.ChapterWatch`).
    """
    chapters = find_chapters(only, notebook_dir)
    parameters = check_parameters({**(parameters or {}), **({"RETRAIN": True} if retrain else {})}, chapters)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    mode = "fast" if fast else "full"
    given = "".join(f", {name} = {value!r}" for name, value in parameters.items())
    echo(f"Running {len(chapters)} chapter(s) in {mode} mode{given}; executed notebooks go to {out_dir}/")
    timings = [recorded_timing(notebook, out_dir, fast) for notebook in chapters]
    if len(chapters) > 1:
        echo(course_estimate(timings, mode))
    results = []
    for number, (notebook, timing) in enumerate(zip(chapters, timings), 1):
        last = f" (last run {minutes(timing.seconds)})" if timing else ""
        echo(f"[{number}/{len(chapters)}] {notebook.stem}{last} ...", flush=True)
        try:
            cells = len(load_notebook(notebook)["cells"]) + 1  # papermill adds a cell with the parameters
        except NotebookError:
            cells = None  # nothing to watch: run_chapter reports the broken notebook as a failed chapter
        result = _run_chapter_until_interrupted(
            notebook, out_dir, fast=fast, parameters=parameters or None, cell_timeout=cell_timeout,
            watch=ChapterWatch(notebook.stem, cells, timing) if watch and cells else None,
        )
        results.append(result)
        metrics = ", ".join(f"{k}={v:.4g}" for k, v in result.metrics.items())
        echo(f"      {result.status} in {result.seconds:.1f} s" + (f"; {metrics}" if metrics else ""))
        if result.error:
            echo(f"      {result.error}")
        if result.status == INTERRUPTED:
            break
    write_reports(results, out_dir, fast)
    failed = [r.chapter for r in results if r.status != "ok"]
    echo(
        f"Report: {out_dir / 'report.md'} and {out_dir / 'index.html'}"
        + (f"; FAILED: {', '.join(failed)}" if failed else "; all chapters ok")
    )
    return results
