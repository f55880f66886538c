"""Reproducibility in FAST mode: the same SEED records the same metrics; another SEED still meets the FAST thresholds.

Tolerance: relative 1e-6 (about eight float32 rounding steps; absolute 1e-12 for values at zero). With the same
SEED, two runs draw the same initial weights, data order and dropout masks (``dlnotes.setup(seed=SEED)`` and
the notebooks' ``keras.utils.set_random_seed(SEED)`` before each model), and on one machine TensorFlow's CPU
kernels split each reduction across the same threads in the same way, so the notebooks do not need
``setup(deterministic=True)`` for this: measured on two CPU cores under varying load, every metric of
chapters 01 and 02 came out bit-identical. The tolerance only forgives a last-bit difference in a final
parallel sum; anything random that escapes the seed (a data order, an initialisation) moves an accuracy or a
loss by 1e-3 or more and fails. Metrics that measure time (names with "seconds") are not compared.
"""

import math
import re

import pytest

from dlnotes.course.lint import notebook_parameters
from dlnotes.course.notebooks import find_chapters
from dlnotes.course.thresholds import failures

CHAPTERS = ["01", "03"]
OTHER_SEED = 1
RELATIVE_TOLERANCE = 1e-6
ABSOLUTE_TOLERANCE = 1e-12
TIMING_METRIC = re.compile(r"seconds|duration")


def differences(first: dict, second: dict) -> list[str]:
    """The metrics (timings aside) that two runs recorded differently, beyond the tolerance, one line each."""
    names = sorted(name for name in first.keys() | second.keys() if not TIMING_METRIC.search(name))
    found = []
    for name in names:
        if name not in first or name not in second:
            found.append(f"{name}: recorded by one run only")
        elif not math.isclose(first[name], second[name], rel_tol=RELATIVE_TOLERANCE, abs_tol=ABSOLUTE_TOLERANCE):
            found.append(f"{name}: {first[name]!r} then {second[name]!r}")
    return found


def test_differences_sees_changed_and_missing_metrics_but_not_timings():
    first = {"accuracy": 0.9163, "loss": 1.2109, "zero": 0.0, "reference_seconds_per_epoch": 1.1}
    assert differences(first, dict(first)) == []
    assert differences(first, {**first, "loss": 1.2109 * (1 + 1e-7), "reference_seconds_per_epoch": 9.0}) == []
    assert differences(first, {**first, "accuracy": 0.9164}) == ["accuracy: 0.9163 then 0.9164"]
    assert differences(first, {**first, "zero": 1e-9}) == ["zero: 0.0 then 1e-09"]
    assert differences({"extra": 1, **first}, first) == ["extra: recorded by one run only"]


@pytest.mark.notebook
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_same_seed_records_the_same_metrics(run_fast, chapter):
    first = run_fast(chapter)  # the chapter test's run, cached for the session
    second = run_fast(chapter, repeat=1)
    compared = [name for name in first.metrics if not TIMING_METRIC.search(name)]
    assert len(compared) >= 5, f"chapter {chapter} recorded too few metrics to compare: {sorted(first.metrics)}"
    changed = differences(first.metrics, second.metrics)
    assert not changed, f"chapter {chapter}, same SEED, two runs ({first.notebook}, {second.notebook}):\n" + "\n".join(changed)


@pytest.mark.notebook
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_other_seed_passes_the_chapter_thresholds(run_fast, chapter):
    (notebook,) = find_chapters(chapter)
    assert notebook_parameters(notebook)["SEED"] != OTHER_SEED, "the other run must use a different SEED"
    other = run_fast(chapter, parameters={"SEED": OTHER_SEED})
    missed = failures(chapter, other.metrics, "fast")
    assert not missed, f"chapter {chapter}, SEED={OTHER_SEED}:\n" + "\n".join(missed)
    # the SEED parameter must reach the random state; if nothing changed, this test would prove nothing
    assert differences(run_fast(chapter).metrics, other.metrics), f"chapter {chapter}: SEED={OTHER_SEED} changed no metric"
