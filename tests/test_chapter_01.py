"""Chapter 01 in FAST mode: the perceptron runs give the same outputs every time.

The chapter's thresholds on its metrics are in dlnotes/course/thresholds.py (checked by tests/test_thresholds.py).
"""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.notebook


def test_deterministic_cells_reproduce_under_nbval(run_fast):
    """nbval re-executes the executed copy and compares the cells tagged nbval-check-output.

    Those cells (the perceptron runs, the softmax check) involve no random state, so
    any difference between two runs is a bug, not noise.
    """
    executed = Path(run_fast("01").notebook)
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider", executed.name],
        cwd=executed.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout[-3000:]
    assert " passed" in completed.stdout
