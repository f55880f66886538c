"""record() validates and shows a metric (dlnotes.course.notebooks.read_metrics finds it again: test_notebooks.py)."""

import numpy as np
import pytest

from dlnotes.recording import record, recorded


def test_record_prints_and_remembers(capsys):
    assert record("test_accuracy", np.float32(0.5)) == 0.5
    assert record("param_count", np.int64(20096)) == 20096
    assert isinstance(recorded()["param_count"], int)
    assert "[recorded] test_accuracy = 0.5" in capsys.readouterr().out


def test_record_accepts_tensor_scalars():
    import tensorflow as tf

    assert record("loss", tf.constant(1.25)) == pytest.approx(1.25)


@pytest.mark.parametrize("name", ["Test", "test accuracy", "", "1st", None])
def test_record_rejects_bad_names(name):
    with pytest.raises(ValueError, match="lower_snake_case"):
        record(name, 1.0)


@pytest.mark.parametrize(
    "value, error",
    [
        (True, TypeError),
        ("0.9", TypeError),
        (None, TypeError),
        (np.zeros(3), TypeError),
        (float("nan"), ValueError),
        (float("inf"), ValueError),
    ],
)
def test_record_rejects_non_numbers(value, error):
    with pytest.raises(error, match="record\\('metric'\\)"):
        record("metric", value)

