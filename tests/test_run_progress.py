"""The runner's status line while a chapter runs: the estimate of the time left and the line's format."""

import io
import json
import logging

import pytest

from dlnotes.course.progress import (
    ChapterWatch,
    Timing,
    course_estimate,
    minutes,
    recorded_timing,
    remaining_seconds,
    status_line,
)


def test_time_left_counts_the_cells_after_the_current_one():
    timing = Timing(seconds=100.0, source="earlier run", cell_seconds=[1.0, 2.0, 50.0, 30.0, 17.0])
    assert remaining_seconds(timing, cell=2, cell_elapsed=20.0, elapsed=25.0) == 30.0 + 30.0 + 17.0
    assert remaining_seconds(timing, cell=2, cell_elapsed=80.0, elapsed=85.0) == 47.0  # the cell runs long: not negative
    assert remaining_seconds(timing, cell=None, cell_elapsed=0.0, elapsed=3.0) == 97.0
    assert remaining_seconds(Timing(100.0, "benchmark"), cell=3, cell_elapsed=5.0, elapsed=40.0) == 60.0
    assert remaining_seconds(Timing(100.0, "benchmark"), cell=3, cell_elapsed=5.0, elapsed=140.0) == 0.0
    assert remaining_seconds(None, cell=3, cell_elapsed=5.0, elapsed=40.0) is None


def test_the_status_line():
    assert minutes(65.4) == "1:05" and minutes(0) == "0:00" and minutes(3600) == "60:00"
    line = status_line("01_perceptron_xor", 11, 46, 185.0, 70.0, "epoch 3/20: loss 0.12")
    assert line == "01_perceptron_xor: cell 12/46, 3:05, about 1:10 left | epoch 3/20: loss 0.12"
    assert status_line("03_x", None, 10, 0.0, None, "") == "03_x: starting, 0:00"
    assert status_line("03_x", 2, 10, 50.0, 0.0, "") == "03_x: cell 3/10, 0:50, past the last run's time"
    long = status_line("03_x", 2, 10, 50.0, None, "x" * 500, width=60)
    assert len(long) == 60 and long.endswith("…")


def test_recorded_timing_prefers_an_earlier_executed_copy_of_the_same_mode(tmp_path):
    results = tmp_path / "results"
    results.mkdir()
    (results / "fast_01_a.json").write_text(json.dumps({"seconds": 42.5}))
    assert recorded_timing(tmp_path / "01_a.ipynb", tmp_path / "out", fast=True, results_dir=results).seconds == 42.5
    assert recorded_timing(tmp_path / "01_a.ipynb", tmp_path / "out", fast=False, results_dir=results) is None
    out = tmp_path / "out"
    out.mkdir()
    cells = [{"cell_type": "code", "source": "", "outputs": [], "execution_count": 1,
              "metadata": {"papermill": {"duration": d, "status": "completed"}}} for d in (1.5, 10.0)]
    executed = {"nbformat": 4, "nbformat_minor": 5, "cells": cells, "metadata": {"papermill": {"parameters": {"FAST": True}}}}
    (out / "01_a.ipynb").write_text(json.dumps(executed))
    timing = recorded_timing(tmp_path / "01_a.ipynb", out, fast=True, results_dir=results)
    assert timing.cell_seconds == [1.5, 10.0] and timing.seconds == 11.5
    assert recorded_timing(tmp_path / "01_a.ipynb", out, fast=False, results_dir=results) is None  # another mode


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


@pytest.mark.parametrize("tty", [True, False])
def test_the_watch_follows_cells_and_outputs_from_papermills_log(tty):
    clock, stream = Clock(), io.StringIO()
    watch = ChapterWatch("01_a", 5, Timing(10.0, "x", [1.0, 2.0, 3.0, 2.0, 2.0]), tty=tty, stream=stream, clock=clock)
    log = logging.getLogger("papermill")
    with watch:
        clock.now = 1.0
        log.info("Executing Cell 3---------------------------------------")
        log.info("epoch 1/3: loss 0.5 (1.0 s)\nepoch 2/3: loss 0.4 (1.0 s)\n")
        log.warning("a warning on stderr\r")
        clock.now = 2.0
        watch.show()
    shown = stream.getvalue()
    expected = "01_a: cell 3/5, 0:02, about 0:06 left | a warning on stderr"
    assert (shown.startswith("\r\x1b[K" + expected) if tty else shown == "      " + expected + "\n")
    assert watch not in log.handlers  # removed again


def test_the_course_estimate_adds_the_recorded_runs_and_names_the_unrecorded():
    timings = [Timing(600.0, "a"), Timing(1230.0, "b")]
    assert course_estimate(timings, "full").startswith("Estimated time: about 30 minutes in full mode, from the")
    line = course_estimate(timings + [None], "full")
    assert "about 30 minutes in full mode, plus 1 chapter(s) never recorded" in line
    assert course_estimate([None, None], "fast") == "Estimated time: unknown (no recorded fast-mode run of these chapters)"
    assert "about 1 minute in fast mode" in course_estimate([Timing(50.0, "a"), Timing(20.0, "b")], "fast")
