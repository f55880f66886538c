"""No process outlives grading, with the sandbox or without: not when a submission's executor is killed, not
when grading is interrupted (Ctrl-C). Processes are found by a mark in their environment (the fixture
``leftover_processes`` in conftest.py), so a kernel whose parent died is found too."""

import concurrent.futures
import os
import signal
import subprocess
import sys
import threading
import time

import nbformat
import pytest
from test_grading_hostile import answered, tiny_chapter

from dlnotes.course.grading.chapter import parse_assignment, student_version
from dlnotes.course.grading.grade import grade_folder
from dlnotes.course.processes import Children, kill_family, kill_new_children, result_or_ctrl_c

ISOLATION = [pytest.param(True, marks=pytest.mark.sandbox, id="sandboxed"), pytest.param(False, id="unisolated")]
RIGHT = {"ex1": "answer = 42.0", "ex2": "def double(x):\n    return 2 * x"}


def wait_for(condition, seconds: float):
    """Poll ``condition()`` until it returns something true (returned), or ``seconds`` pass (None)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.5)
    return None


def submissions(folder, **answers_of):
    assignment = parse_assignment(tiny_chapter(), "processes")
    student = student_version(assignment)
    for name, answers in answers_of.items():
        nbformat.write(answered(student, **answers), str(folder / f"{name}.ipynb"))
    return assignment


def submission_kernels(leftover_processes) -> list[dict]:
    """The live kernels of submissions (the judge's reads its connection file from elsewhere)."""
    return [p for p in leftover_processes() if "ipykernel" in p["cmdline"] and "connection.json" in p["cmdline"]]


@pytest.mark.slow
@pytest.mark.parametrize("isolate", ISOLATION)
def test_a_killed_executor_takes_its_kernel_with_it(tmp_path, leftover_processes, isolate):
    assignment = submissions(tmp_path, sleeper={**RIGHT, "ex1": "import time\ntime.sleep(600)"})

    def kill_the_executor_once_its_kernel_runs():
        if wait_for(lambda: submission_kernels(leftover_processes), 120):
            (executor,) = [p for p in leftover_processes() if "dlnotes.course.grading.execute" in p["cmdline"]]
            os.kill(executor["pid"], signal.SIGKILL)

    killer = threading.Thread(target=kill_the_executor_once_its_kernel_runs, daemon=True)
    killer.start()
    (grade,) = grade_folder(assignment, tmp_path, tmp_path / "out", cell_timeout=300, notebook_timeout=300,
                            isolate=isolate, echo=lambda *a: None)
    killer.join()
    assert grade.total == 0 and "the grader could not run it (exit code -9" in grade.note, grade.note
    # without bubblewrap the kernel notices its parent is gone within a second (ipykernel's watch)
    assert wait_for(lambda: not leftover_processes(), 10), leftover_processes()


@pytest.mark.slow
@pytest.mark.parametrize("isolate", ISOLATION)
def test_interrupted_grading_leaves_no_process(tmp_path, leftover_processes, isolate):
    assignment = submissions(tmp_path, alice=RIGHT, sleeper={**RIGHT, "ex1": "import time\ntime.sleep(600)"})
    said = []

    def interrupt_while_the_sleeper_runs(line):  # echo runs in grading's main thread, where Ctrl-C lands
        said.append(line)
        if line.startswith("  alice:"):
            assert wait_for(lambda: submission_kernels(leftover_processes), 120), "the sleeper's kernel never started"
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        grade_folder(assignment, tmp_path, tmp_path / "out", cell_timeout=300, notebook_timeout=300, jobs=2,
                     isolate=isolate, echo=interrupt_while_the_sleeper_runs)
    assert "  alice: 3 of 3" in said
    assert leftover_processes() == []  # the executor, its kernel and the judge's kernel


@pytest.mark.slow
def test_kill_family_ends_descendants_and_the_groups_they_lead(leftover_processes):
    # a parent; its child leads a session of its own (as a kernel does) and double-forks a daemon into it
    daemon = "import os, time\nif os.fork() == 0:\n    os.fork() or time.sleep(600)\n    os._exit(0)\ntime.sleep(600)"
    parent = f"import subprocess, sys, time\nsubprocess.Popen([sys.executable, '-c', {daemon!r}], start_new_session=True)\n"
    parent += "time.sleep(600)"
    process = subprocess.Popen([sys.executable, "-c", parent])
    assert wait_for(lambda: len(leftover_processes()) == 3, 30), leftover_processes()  # parent, child, daemon
    kill_family(process.pid)
    process.wait()
    assert wait_for(lambda: not leftover_processes(), 5), leftover_processes()


def test_kill_family_and_kill_new_children_validate_their_argument():
    with pytest.raises(TypeError, match="expected a psutil.Process or a pid"):
        kill_family("123")
    with pytest.raises(TypeError, match="expected the set of pids from child_pids"):
        kill_new_children([1, 2])


@pytest.mark.slow
def test_stopping_children_kills_the_running_ones_and_starts_no_more(leftover_processes):
    children, started = Children(), threading.Event()

    def run_one():
        with children.start([sys.executable, "-c", "import time; time.sleep(600)"]) as child:
            started.set()
            child.wait()

    runner = threading.Thread(target=run_one)
    runner.start()
    assert started.wait(30)
    children.stop()
    runner.join(30)
    assert not runner.is_alive() and not leftover_processes()
    with pytest.raises(InterruptedError, match="was not started"), children.start([sys.executable, "-c", "pass"]):
        pass


def test_ctrl_c_handed_to_another_thread_still_stops_the_wait_for_a_future():
    # Linux may deliver SIGINT to any thread; Python only flags it for the main thread. An untimed
    # future.result() sleeps until the worker finishes (here 10 s) and raises only then.
    started, release, worker = threading.Event(), threading.Event(), []

    def work():
        worker.append(threading.get_ident())
        started.set()
        release.wait(10)
        return "done"

    # Ctrl-C as a runner started from a shell gets it (something earlier in a test session may have changed it)
    previous_handler = signal.signal(signal.SIGINT, signal.default_int_handler)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(work)
        started.wait(5)
        # sent from a third thread once the main thread is waiting (sent from here, it would be seen at once)
        threading.Timer(0.3, signal.pthread_kill, (worker[0], signal.SIGINT)).start()
        waited = time.monotonic()
        try:
            with pytest.raises(KeyboardInterrupt):
                result_or_ctrl_c(future, poll_seconds=0.1)
            assert not future.done(), "the wait ended on Ctrl-C, not because the work finished"
            assert time.monotonic() - waited < 5
        finally:
            release.set()
            signal.signal(signal.SIGINT, previous_handler)
    assert future.result() == "done"


def test_result_or_ctrl_c_returns_the_result_and_checks_its_argument():
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        assert result_or_ctrl_c(pool.submit(lambda: 7)) == 7
    with pytest.raises(TypeError, match="expected a concurrent.futures.Future, got int"):
        result_or_ctrl_c(7)
