"""Shared test set-up: quiet TensorFlow, a headless matplotlib, and the FAST-mode chapter runs."""

import os
import re

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("MPLBACKEND", "Agg")
# The tests always train: a model loaded from the model cache would hide one that stopped learning. The kernels
# that run the chapters inherit this; tests/test_model_cache.py switches the cache on in a folder of its own.
os.environ["DLNOTES_CACHE"] = "off"

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
