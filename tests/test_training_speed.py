"""benchmarks/training_speed.py: its bookkeeping (the timing itself is a benchmark, run by `make benchmarks`)."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))  # the script imports its sibling _results
spec = importlib.util.spec_from_file_location("training_speed", BENCHMARKS / "training_speed.py")
training_speed = importlib.util.module_from_spec(spec)
spec.loader.exec_module(training_speed)


def test_pairs_sums_the_two_epochs_of_each_round():
    assert training_speed.pairs([1.0, 2.0, 10.0, 20.0]) == [3.0, 30.0]


def test_profile_orders_every_recorded_cell_slowest_first(tmp_path):
    for chapter, cells in [("01_a", [("cell 2", 5.0)]), ("02_b", [("cell 7", 50.0), ("cell 3", 1.0)]), ("03_c", [])]:
        entry = {"chapter": chapter, "seconds": 60, "slowest_cells": [{"cell": c, "seconds": s} for c, s in cells]}
        (tmp_path / f"full_{chapter}.json").write_text(json.dumps(entry))
    found = training_speed.profile(tmp_path)
    assert [(c["chapter"], c["cell"]) for c in found] == [("02_b", "cell 7"), ("01_a", "cell 2"), ("02_b", "cell 3")]


@pytest.mark.parametrize("kind, has_targets", [("labels", True), ("images", True), ("binary", False), ("tanh", False)])
def test_training_data_feeds_each_model_in_its_range(kind, has_targets):
    x, y = training_speed.training_data(kind, 64)
    assert len(x) == 64 and (y is not None) == has_targets
    low, high = (-1.0, 1.0) if kind == "tanh" else (0.0, 1.0)
    assert x.min() >= low and x.max() <= high and x.dtype == "float32"


def test_unknown_workload_is_a_clear_error(capsys):
    with pytest.raises(SystemExit):
        training_speed.main(["--only", "99"])
    assert "matches none of: 01 MLP" in capsys.readouterr().err
