"""What the runner shows while a chapter runs: the cell it is in, the chapter's latest output line, the time
spent and an estimate of the time left from the chapter's last recorded run.

On a terminal it is one status line, rewritten in place; in a log (stdout not a terminal) a plain line every
``interval`` seconds. Papermill reports cell starts and outputs through its logger when ``log_output=True``;
:class:`ChapterWatch` is a handler of that logger.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from dlnotes.course.notebooks import NOTEBOOK_DIR, load_notebook

RESULTS_DIR = NOTEBOOK_DIR.parent / "benchmarks" / "results"
CELL_START = re.compile(r"^Executing Cell (\d+)-*$")


@dataclass
class Timing:
    """A chapter's last recorded run: its seconds, and each cell's when an executed copy holds them."""

    seconds: float
    source: str  # where the numbers come from, for the reader
    cell_seconds: list[float] | None = None  # by cell index of the executed notebook


def recorded_timing(notebook: Path, out_dir: Path, fast: bool, results_dir: Path = RESULTS_DIR) -> Timing | None:
    """The last recorded run of ``notebook`` in this mode: an executed copy in ``out_dir`` from an earlier run
    (cell by cell), else the benchmark record ``results_dir/{fast,full}_<name>.json``; None when neither exists."""
    executed = Path(out_dir) / Path(notebook).name
    try:
        cells = load_notebook(executed)["cells"]
        was_fast = load_notebook(executed)["metadata"]["papermill"]["parameters"].get("FAST")
        durations = [cell["metadata"]["papermill"].get("duration") or 0.0 for cell in cells]
        if was_fast == fast and all(c.get("metadata", {}).get("papermill", {}).get("status") == "completed" for c in cells):
            return Timing(sum(durations), f"{executed}", durations)
    except (ValueError, KeyError, TypeError, AttributeError):  # none yet, from another tool, or a failed run
        pass
    record = Path(results_dir) / f"{'fast' if fast else 'full'}_{Path(notebook).stem}.json"
    try:
        return Timing(float(json.loads(record.read_text(encoding="utf-8"))["seconds"]), str(record))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def remaining_seconds(timing: Timing | None, cell: int | None, cell_elapsed: float, elapsed: float) -> float | None:
    """Seconds left, by the last run: the cells after ``cell`` (0-based) plus what the current one has left; from
    the chapter's total when the cells' times are unknown. None without a record; never below 0."""
    if timing is None:
        return None
    if timing.cell_seconds is None or cell is None or cell >= len(timing.cell_seconds):
        return max(timing.seconds - elapsed, 0.0)
    return max(timing.cell_seconds[cell] - cell_elapsed, 0.0) + sum(timing.cell_seconds[cell + 1:])


def course_estimate(timings: list[Timing | None], mode: str) -> str:
    """The line the runner prints before the first chapter: the total time the chapters' last recorded runs took.

    A chapter without a record is counted as unknown, not as zero; models already in the model cache make a run
    faster than its record (a run that loaded them is itself the record for the next estimate, in ``out_dir``).
    """
    known = [timing.seconds for timing in timings if timing is not None]
    unknown = len(timings) - len(known)
    if not known:
        return f"Estimated time: unknown (no recorded {mode}-mode run of these chapters)"
    total = round(sum(known) / 60)
    missing = f", plus {unknown} chapter(s) never recorded" if unknown else ""
    return (f"Estimated time: about {total} minute{'s' if total != 1 else ''} in {mode} mode{missing}, "
            "from the chapters' last recorded runs (less for models already in the model cache)")


def minutes(seconds: float) -> str:
    """``0:42``, ``12:05``: minutes and seconds."""
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def status_line(chapter: str, cell: int | None, cells: int, elapsed: float, remaining: float | None, output: str,
                width: int = 120) -> str:
    """``01_perceptron_xor: cell 12/46, 3:05, about 1:10 left | epoch 3/20: loss 0.12`` cut to ``width``."""
    where = f"cell {cell + 1}/{cells}" if cell is not None else "starting"
    left = ""
    if remaining is not None:
        left = f", about {minutes(remaining)} left" if remaining > 0 else ", past the last run's time"
    line = f"{chapter}: {where}, {minutes(elapsed)}{left}" + (f" | {output}" if output else "")
    return line if len(line) <= width else line[: width - 1] + "…"


class ChapterWatch(logging.Handler):
    """Follows one chapter through papermill's log and shows :func:`status_line`.

    ``tty``: rewrite one line in place (``\\r``) every second; else print a plain line every ``interval`` seconds.
    ``clock`` is replaceable for tests.
    """

    def __init__(self, chapter: str, cells: int, timing: Timing | None, tty: bool | None = None, interval: float = 30.0,
                 stream=None, clock=time.monotonic):
        super().__init__(level=logging.INFO)
        self.chapter, self.cells, self.timing, self.interval, self.clock = chapter, cells, timing, interval, clock
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty() if tty is None else tty
        self.cell, self.output = None, ""
        self.started = self.cell_started = self.clock()
        self._stop = threading.Event()
        self._thread = None

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        match = CELL_START.match(message.strip())
        if match:
            self.cell, self.cell_started = int(match.group(1)) - 1, self.clock()
            return
        lines = [line.strip() for line in re.split(r"[\r\n]", message) if line.strip()]
        if lines:
            self.output = lines[-1]

    def line(self) -> str:
        now = self.clock()
        remaining = remaining_seconds(self.timing, self.cell, now - self.cell_started, now - self.started)
        width = shutil.get_terminal_size((120, 20)).columns - 1 if self.tty else 160
        return status_line(self.chapter, self.cell, self.cells, now - self.started, remaining, self.output, width)

    def show(self) -> None:
        if self.tty:
            self.stream.write("\r\033[K" + self.line())  # \033[K clears what a longer line left
        else:
            self.stream.write("      " + self.line() + "\n")
        self.stream.flush()

    def __enter__(self):
        logger = logging.getLogger("papermill")
        self._saved = logger.level, logger.propagate
        logger.setLevel(logging.INFO)
        logger.propagate = False  # the outputs come here, not to the console as log records
        logger.addHandler(self)
        self._thread = threading.Thread(target=self._tick, daemon=True)
        self._thread.start()
        return self

    def _tick(self) -> None:
        while not self._stop.wait(1.0 if self.tty else self.interval):
            self.show()

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        logger = logging.getLogger("papermill")
        logger.removeHandler(self)
        logger.setLevel(self._saved[0])
        logger.propagate = self._saved[1]
        if self.tty:
            self.stream.write("\r\033[K")
            self.stream.flush()
