"""Shared test set-up: quiet TensorFlow, a headless matplotlib, and the FAST-mode chapter runs."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("MPLBACKEND", "Agg")

import pytest  # noqa: E402

from dlnotes.runner import find_chapters, run_chapter  # noqa: E402


@pytest.fixture(scope="session")
def run_fast(tmp_path_factory):
    """``run_fast("01")`` executes that chapter once per session in FAST mode and returns its result.

    A failing chapter fails the test with the runner's message (notebook, cell, error).
    """
    results = {}

    def run(chapter: str):
        if chapter not in results:
            (notebook,) = find_chapters(chapter)
            results[chapter] = run_chapter(notebook, tmp_path_factory.mktemp(f"chapter_{chapter}"), fast=True)
        result = results[chapter]
        assert result.status == "ok", result.error
        return result

    return run
