"""Each chapter's cell 1 tells a student what a run costs ("FAST mode under a minute; full mode about N
minutes"); this keeps that sentence true to the chapter's recorded benchmark runs in benchmarks/results/.

The tolerance is the one issue #23 set: within 25% of the measured time. A chapter whose recipe changes gets a new
benchmark run (make benchmarks ONLY=NN), then the sentence this test asks for.
"""

import json

import pytest

from dlnotes.course.lint import stated_minutes
from dlnotes.course.notebooks import find_chapters, read_cells
from dlnotes.course.progress import RESULTS_DIR

TOLERANCE = 0.25
CHAPTERS = find_chapters()


def measured_minutes(mode: str, chapter: str) -> tuple[float, dict]:
    path = RESULTS_DIR / f"{mode}_{chapter}.json"
    assert path.exists(), f"no {mode}-mode benchmark of {chapter}: run `make benchmarks ONLY={chapter[:2]}`"
    record = json.loads(path.read_text(encoding="utf-8"))
    return record["seconds"] / 60, record


@pytest.mark.parametrize("notebook", CHAPTERS, ids=[path.stem[:2] for path in CHAPTERS])
def test_cell_1_states_the_measured_full_mode_time(notebook):
    _, stated = stated_minutes(read_cells(notebook)[0].source)
    measured, record = measured_minutes("full", notebook.stem)
    assert stated is not None, f"{notebook.name}: cell 1 states no full-mode time"
    assert abs(stated - measured) <= TOLERANCE * measured, (
        f"{notebook.name}: cell 1 says full mode about {stated:g} minutes; its benchmark run on {record['date']} took "
        f"{measured:.1f} (benchmarks/results/full_{notebook.stem}.json): write about {round(measured)} minutes"
    )


@pytest.mark.parametrize("notebook", CHAPTERS, ids=[path.stem[:2] for path in CHAPTERS])
def test_cell_1_states_the_measured_fast_mode_time(notebook):
    stated, _ = stated_minutes(read_cells(notebook)[0].source)
    measured, record = measured_minutes("fast", notebook.stem)
    assert stated is not None, f"{notebook.name}: cell 1 states no FAST-mode time"
    # "under a minute" is a bound, not an estimate: the run may be any shorter, but not longer than 25% past it
    assert measured <= stated * (1 + TOLERANCE), (
        f"{notebook.name}: cell 1 says FAST mode under {stated:g} minute(s); its benchmark run on {record['date']} "
        f"took {measured:.2f} (benchmarks/results/fast_{notebook.stem}.json)"
    )


def test_the_stated_times_are_read_as_a_student_reads_them():
    assert stated_minutes("**Time on two CPU cores:** FAST mode under a minute; full mode about 12 minutes.") == (1.0, 12.0)
    assert stated_minutes("**Time on two CPU cores:** FAST mode about 2 minutes; full mode about 1.5 hours.") == (2.0, 90.0)
    assert stated_minutes("**Time on two CPU cores:** full mode about 5 minutes.") == (None, 5.0)
    assert stated_minutes("no statement here") == (None, None)
