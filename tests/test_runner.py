"""The course runner on tiny notebooks: metrics, failures named by notebook and cell, timeouts, reports, CLI."""

import io
import json
import os
import signal
import subprocess
import sys
import time

import nbformat
import pytest

from dlnotes.course.cli import main
from dlnotes.course.progress import ChapterWatch
from dlnotes.course.runner import run_chapter, run_course


def write_notebook(path, *sources):
    cells = [nbformat.v4.new_code_cell("FAST = False", metadata={"tags": ["parameters"]})]
    cells += [nbformat.v4.new_code_cell(source) for source in sources]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)
    return path


@pytest.fixture
def chapters(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    write_notebook(folder / "01_good.ipynb", "from dlnotes import record", "record('fast_flag', int(FAST))")
    write_notebook(folder / "02_broken.ipynb", "x = 1", "# divide\n1 / 0", "never = 'reached'")
    return folder


@pytest.mark.slow
def test_good_chapter_records_metrics_with_fast_injected(chapters, tmp_path):
    result = run_chapter(chapters / "01_good.ipynb", tmp_path / "out", fast=True)
    assert result.status == "ok" and result.error is None
    assert result.metrics == {"fast_flag": 1}
    assert (tmp_path / "out" / "01_good.ipynb").is_file()
    assert result.slowest_cells and all("cell" in c and c["seconds"] >= 0 for c in result.slowest_cells)


@pytest.mark.slow
def test_failing_cell_is_named(chapters, tmp_path):
    result = run_chapter(chapters / "02_broken.ipynb", tmp_path / "out")
    assert result.status == "failed"
    # cell 3 of the source notebook (papermill's injected cell is not counted), with its first line
    assert result.error.startswith("02_broken.ipynb failed in cell 3 (`# divide`)")
    assert "ZeroDivisionError" in result.error


@pytest.mark.slow
def test_cell_timeout_fails_with_the_cell_named(tmp_path):
    notebook = write_notebook(tmp_path / "03_slow.ipynb", "import time", "time.sleep(30)\nprint('woke up')", "after = 1")
    result = run_chapter(notebook, tmp_path / "out", cell_timeout=3)
    assert result.status == "failed"
    assert "cell 3 (`time.sleep(30)`)" in result.error and "Timeout" in result.error
    # the timeout ended the cell (it never woke up) and the run (the next cell never started); no clock is read
    cells = json.loads((tmp_path / "out" / "03_slow.ipynb").read_text())["cells"]
    slow, after = cells[-2], cells[-1]
    assert not any("woke up" in "".join(output.get("text", "")) for output in slow["outputs"])
    assert after["execution_count"] is None and not after["outputs"]


@pytest.mark.slow
def test_run_course_writes_json_and_markdown_reports(chapters, tmp_path):
    out = tmp_path / "build"
    lines = []
    results = run_course(out_dir=out, fast=True, notebook_dir=chapters, echo=lambda *a, **k: lines.append(a[0]))
    assert [r.status for r in results] == ["ok", "failed"]
    report = json.loads((out / "report.json").read_text())
    assert report["mode"] == "fast"
    assert report["chapters"]["01_good"]["metrics"] == {"fast_flag": 1}
    assert report["chapters"]["02_broken"]["status"] == "failed"
    markdown = (out / "report.md").read_text()
    assert "| 01_good | ok |" in markdown and "**Failed:** 02_broken.ipynb failed in cell 3" in markdown
    assert any("[2/2] 02_broken" in line for line in lines)
    assert "FAILED: 02_broken" in lines[-1]
    # and the HTML page (tested in detail in test_html_report.py), whose path is printed with report.md's
    assert (out / "index.html").is_file() and f"{out / 'report.md'} and {out / 'index.html'}" in lines[-1]


def test_cli_exit_codes(capsys):
    assert main(["run", "--only", "99"]) == 2
    assert "no chapter matches '99'" in capsys.readouterr().err
    assert main(["list"]) == 0
    assert "01_perceptron_xor" in capsys.readouterr().out


@pytest.mark.slow
def test_figures_are_stored_even_when_the_runner_uses_agg(tmp_path, monkeypatch):
    # CI exports MPLBACKEND=Agg; the kernel must still draw inline, or executed notebooks have no figures
    monkeypatch.setenv("MPLBACKEND", "Agg")
    notebook = write_notebook(tmp_path / "01_plot.ipynb", "import matplotlib.pyplot as plt\nplt.plot([0, 1])\nplt.show()")
    result = run_chapter(notebook, tmp_path / "out")
    assert result.status == "ok", result.error
    outputs = json.loads((tmp_path / "out" / "01_plot.ipynb").read_text())["cells"][-1]["outputs"]
    assert any("image/png" in output.get("data", {}) for output in outputs)
    assert os.environ["MPLBACKEND"] == "Agg"  # restored for this process


@pytest.mark.slow
def test_parameters_reach_the_chapter_and_the_watch_shows_the_running_cell(tmp_path):
    cells = ["from dlnotes import record\nrecord('seed_seen', SEED)", "import time\nprint('epoch 1/2: loss 0.5')\ntime.sleep(3)"]
    (tmp_path / "notebooks").mkdir()
    notebook = write_notebook(tmp_path / "notebooks" / "01_p.ipynb", *cells)
    source = json.loads(notebook.read_text())
    source["cells"][0]["source"] = "FAST = False\nSEED = 0"
    notebook.write_text(json.dumps(source))
    results = run_course(out_dir=tmp_path / "out", fast=True, notebook_dir=notebook.parent, echo=lambda *a, **k: None,
                         parameters={"SEED": 7}, watch=False)
    assert results[0].metrics == {"seed_seen": 7}
    stream = io.StringIO()
    watch = ChapterWatch("01_p", 4, None, tty=False, interval=0.1, stream=stream)
    assert run_chapter(notebook, tmp_path / "out", parameters={"SEED": 7}, watch=watch).status == "ok"
    assert "      01_p: cell 4/4, 0:0" in stream.getvalue() and "| epoch 1/2: loss 0.5" in stream.getvalue()


# --- faults: a chapter that fails in any way is reported, and the run goes on; Ctrl-C stops it cleanly ------


@pytest.mark.slow
def test_a_chapter_whose_kernel_dies_times_out_or_is_not_json_fails_and_the_run_goes_on(tmp_path, leftover_processes):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    write_notebook(folder / "01_killed.ipynb", "import os, signal", "# die\nos.kill(os.getpid(), signal.SIGKILL)", "after = 1")
    (folder / "02_not_json.ipynb").write_text("this is not a notebook {", encoding="utf-8")
    write_notebook(folder / "03_slow.ipynb", "import time\ntime.sleep(60)")
    write_notebook(folder / "04_good.ipynb", "from dlnotes import record", "record('fast_flag', int(FAST))")
    results = run_course(out_dir=tmp_path / "build", fast=True, cell_timeout=5, notebook_dir=folder, echo=lambda *a, **k: None)
    assert [r.status for r in results] == ["failed", "failed", "failed", "ok"]
    killed, not_json, slow, _ = (r.error for r in results)
    assert killed.startswith("01_killed.ipynb failed in cell 3 (`# die`)") and "DeadKernelError" in killed, killed
    assert not_json.startswith("02_not_json.ipynb failed before the first cell ran") and "JSON" in not_json, not_json
    assert slow.startswith("03_slow.ipynb failed in cell 2") and "Timeout" in slow, slow
    report = json.loads((tmp_path / "build" / "report.json").read_text())
    assert [c["status"] for c in report["chapters"].values()] == ["failed", "failed", "failed", "ok"]
    assert leftover_processes() == []


@pytest.mark.slow
def test_ctrl_c_stops_the_run_writes_a_partial_report_and_leaves_no_kernel(tmp_path, leftover_processes):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    write_notebook(folder / "01_good.ipynb", "x = 1")
    started = tmp_path / "long-cell-started"
    long_cell = f"# long\nimport time\nopen({str(started)!r}, 'w').close()\ntime.sleep(600)"
    write_notebook(folder / "02_long.ipynb", "x = 2", long_cell)
    write_notebook(folder / "03_never.ipynb", "x = 3")
    out = tmp_path / "build"
    script = "import sys\nfrom dlnotes.course.runner import run_course\n"
    script += "run_course(out_dir=sys.argv[1], fast=True, notebook_dir=sys.argv[2])"
    # SIGINT back to its default in the runner: a test session started with `&` by a shell without job control
    # ignores it, and so would the runner it starts (Ctrl-C from a terminal is what this test stands for)
    runner = subprocess.Popen([sys.executable, "-c", script, str(out), str(folder)], stdout=subprocess.PIPE, text=True,
                              preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    for _ in range(480):  # wait (at most 4 minutes) until the second chapter runs its long cell
        if started.exists():
            break
        time.sleep(0.5)
    runner.send_signal(signal.SIGINT)
    said = runner.communicate(timeout=120)[0]
    assert "FAILED: 02_long" in said, said
    report = json.loads((out / "report.json").read_text())
    assert list(report["chapters"]) == ["01_good", "02_long"]  # the third never started
    assert report["chapters"]["02_long"]["status"] == "interrupted"
    assert report["chapters"]["02_long"]["error"].startswith("02_long.ipynb interrupted (Ctrl-C) in cell 3 (`# long`)")
    assert "| 02_long | interrupted |" in (out / "report.md").read_text()
    assert leftover_processes() == []
