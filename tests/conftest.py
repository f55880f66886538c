"""Shared test set-up: quiet TensorFlow, a headless matplotlib, the FAST-mode chapter runs, the processes a test
leaves behind, and the tests that need bubblewrap."""

import functools
import os
import re
import uuid

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("MPLBACKEND", "Agg")
# The tests always train: a model loaded from the model cache would hide one that stopped learning. The kernels
# that run the chapters inherit this; tests/test_model_cache.py switches the cache on in a folder of its own.
os.environ["DLNOTES_CACHE"] = "off"

import psutil  # noqa: E402
import pytest  # noqa: E402

from dlnotes.course.notebooks import find_chapters  # noqa: E402
from dlnotes.course.runner import run_chapter  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def fresh_cache_dir(tmp_path_factory):
    """Whatever a test caches goes to a folder of this session, never to the user's ~/.cache/dlnotes."""
    os.environ["DLNOTES_CACHE_DIR"] = str(tmp_path_factory.mktemp("dlnotes_cache"))


@pytest.fixture(scope="session")
def run_fast(tmp_path_factory):
    """``run_fast("01")`` executes that chapter once per session in FAST mode and returns its result.

    ``run_fast("01", parameters={"SEED": 1})`` sets more papermill parameters (FAST is always True);
    ``repeat=1`` asks for a second, independent execution of the same chapter and parameters (the
    reproducibility test compares two). Each distinct call runs once per session and is then cached.
    A failing chapter fails the test with the runner's message (notebook, cell, error).
    """
    results = {}

    def run(chapter: str, parameters: dict | None = None, repeat: int = 0):
        parameters = dict(parameters or {})
        if not all(isinstance(name, str) and name.isidentifier() for name in parameters) or "FAST" in parameters:
            raise ValueError(f"run_fast: parameters must map variable names (not FAST) to values, got {parameters!r}")
        if not isinstance(repeat, int) or isinstance(repeat, bool) or repeat < 0:
            raise ValueError(f"run_fast: repeat must be a non-negative int, got {repeat!r}")
        key = (chapter, tuple(sorted(parameters.items())), repeat)
        if key not in results:
            (notebook,) = find_chapters(chapter)
            # the folder name says which run it is: chapter_01, chapter_01_SEED1, chapter_01_repeat1
            label = "".join(f"_{name}{value}" for name, value in sorted(parameters.items()))
            label += f"_repeat{repeat}" if repeat else ""
            out_dir = tmp_path_factory.mktemp(re.sub(r"[^\w.-]", "_", f"chapter_{chapter}{label}")[:60])
            results[key] = run_chapter(notebook, out_dir, fast=True, parameters=parameters or None)
        result = results[key]
        assert result.status == "ok", result.error
        return result

    return run


@pytest.fixture
def leftover_processes(monkeypatch):
    """``leftover_processes()`` lists the processes started during the test that still live (pid, command line).

    The test's processes are marked by an environment variable that every child inherits (a grader's sandbox
    keeps ``DLNOTES_*`` variables), so a kernel is found even after its parent died and it was reparented.
    """
    mark = uuid.uuid4().hex
    monkeypatch.setenv("DLNOTES_PROCESS_MARK", mark)

    def alive() -> list[dict]:
        found = []
        for process in psutil.process_iter(["pid", "cmdline", "status"]):
            if process.pid == os.getpid() or process.info["status"] == psutil.STATUS_ZOMBIE:
                continue
            try:
                if process.environ().get("DLNOTES_PROCESS_MARK") == mark:
                    found.append({"pid": process.pid, "cmdline": " ".join(process.info["cmdline"] or [])[:200]})
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
        return found

    return alive


# --- tests marked `sandbox` need bubblewrap ----------------------------------------------------------------
# Where it is missing they are deselected, and the summary says so and why; under CI=true they stay and fail.

DESELECTED_SANDBOX_TESTS = pytest.StashKey[int]()


def pytest_configure(config):
    config.addinivalue_line("markers", "sandbox: needs bubblewrap (the grader's sandbox); deselected where missing, but in CI")


@functools.cache
def missing_sandbox() -> str:
    """Why the grader's sandbox cannot run here ("" when it can)."""
    from dlnotes.course.grading.sandbox import find_sandbox

    sandbox = find_sandbox()
    return sandbox.reason if sandbox.bwrap is None else ""


def pytest_collection_modifyitems(config, items):
    marked = [item for item in items if item.get_closest_marker("sandbox")]
    if not marked or os.environ.get("CI") == "true" or not missing_sandbox():
        return
    config.hook.pytest_deselected(items=marked)
    items[:] = [item for item in items if item not in marked]
    config.stash[DESELECTED_SANDBOX_TESTS] = len(marked)


def pytest_runtest_setup(item):
    if item.get_closest_marker("sandbox") and missing_sandbox():  # kept by CI=true, or asked for by name
        pytest.fail(f"this test needs bubblewrap, and {missing_sandbox()} (.ci/run installs it)", pytrace=False)


def pytest_terminal_summary(terminalreporter, config):
    count = config.stash.get(DESELECTED_SANDBOX_TESTS, 0)
    if count:
        terminalreporter.write_line(f"DESELECTED {count} tests marked sandbox: {missing_sandbox()}", yellow=True, bold=True)
