"""The runner's papermill-style parameters: parsed as papermill parses them, checked against the parameters cell."""

import json

import pytest

from dlnotes.course.cli import main
from dlnotes.course.notebooks import find_chapters
from dlnotes.course.parameters import chapter_parameters, check_parameters, parse_value


@pytest.mark.parametrize(
    "text, value",
    [("3", 3), ("-2", -2), ("0.5", 0.5), ("1e-3", 1e-3), ("True", True), ("False", False), ("None", None),
     ("true", "true"), ("adam", "adam"), ("", "")],
)
def test_values_are_parsed_as_papermill_parses_them(text, value):
    parsed = parse_value(text)
    assert parsed == value and type(parsed) is type(value)


def test_a_value_must_be_text():
    with pytest.raises(TypeError, match="expected the text of a value, got int 3"):
        parse_value(3)


def notebook(tmp_path, name, source, tags=("parameters",)):
    path = tmp_path / name
    cell = {"cell_type": "code", "metadata": {"tags": list(tags)}, "source": source, "outputs": [], "execution_count": None}
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell]}))
    return path


def test_the_parameters_are_the_names_the_cell_assigns(tmp_path):
    path = notebook(tmp_path, "01_a.ipynb", "FAST = False  # comment\nSEED = 0\nA, B = 1, 2\nC: int = 3\nprint(SEED)\n")
    assert chapter_parameters(path) == ["FAST", "SEED", "A", "B", "C"]
    with pytest.raises(ValueError, match="expected one cell tagged 'parameters', found 0"):
        chapter_parameters(notebook(tmp_path, "02_b.ipynb", "X = 1", tags=()))


def test_a_parameter_a_chapter_lacks_is_an_error_naming_the_chapter(tmp_path):
    first = notebook(tmp_path, "01_a.ipynb", "FAST = False\nSEED = 0\nEPOCHS = 3\n")
    second = notebook(tmp_path, "02_b.ipynb", "FAST = False\nSEED = 0\n")
    assert check_parameters({"SEED": 3}, [first, second]) == {"SEED": 3}
    with pytest.raises(ValueError, match="-p EPOCHS: 02_b has no parameter EPOCHS; its parameters are FAST, SEED"):
        check_parameters({"EPOCHS": 5}, [first, second])
    with pytest.raises(ValueError, match="the runner sets FAST itself; use --fast"):
        check_parameters({"FAST": True}, [first])
    with pytest.raises(ValueError, match="use --retrain"):
        check_parameters({"RETRAIN": True}, [first])


def test_every_chapter_has_the_parameters_the_runner_sets():
    for path in find_chapters():
        assert {"FAST", "SEED", "RETRAIN"} <= set(chapter_parameters(path)), path.name


def test_the_command_line_stops_before_running_on_an_unknown_parameter(capsys, tmp_path):
    assert main(["run", "--fast", "--only", "01", "--out", str(tmp_path), "-p", "DCGAN_EPOCHS", "50"]) == 2
    error = capsys.readouterr().err
    assert "-p DCGAN_EPOCHS: 01_perceptron_xor has no parameter DCGAN_EPOCHS" in error and "MNIST_EPOCHS" in error
    assert not any(tmp_path.iterdir())  # nothing ran
