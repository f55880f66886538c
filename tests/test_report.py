"""record() validates and shows a metric; read_metrics() finds it again in an executed notebook."""

import json

import numpy as np
import pytest

from dlnotes.report import MIME_TYPE, read_metrics, record, recorded


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


def notebook_with(*entries):
    outputs = [
        {"output_type": "display_data", "metadata": {}, "data": {MIME_TYPE: {"name": n, "value": v}, "text/plain": f"{n} = {v}"}}
        for n, v in entries
    ]
    return {"cells": [{"cell_type": "code", "source": "", "outputs": outputs}, {"cell_type": "markdown", "source": "text"}]}


def test_read_metrics_from_dict_and_file(tmp_path):
    notebook = notebook_with(("accuracy", 0.9), ("loss", 0.3), ("accuracy", 0.95))
    assert read_metrics(notebook) == {"accuracy": 0.95, "loss": 0.3}  # the last value wins
    path = tmp_path / "executed.ipynb"
    path.write_text(json.dumps(notebook))
    assert read_metrics(path) == {"accuracy": 0.95, "loss": 0.3}


def test_read_metrics_errors(tmp_path):
    with pytest.raises(ValueError, match="cannot read notebook"):
        read_metrics(tmp_path / "missing.ipynb")
    (tmp_path / "bad.ipynb").write_text("{not json")
    with pytest.raises(ValueError, match="cannot read notebook"):
        read_metrics(tmp_path / "bad.ipynb")
    with pytest.raises(ValueError, match="expected a notebook"):
        read_metrics({"no": "cells"})
