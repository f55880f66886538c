"""The README's measured numbers are exactly what benchmarks/results holds."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("tables", ROOT / "benchmarks" / "tables.py")
tables = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tables)


def test_readme_matches_results_files():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    expected = tables.replace_block(readme, tables.render(tables.load_results()))
    assert readme == expected, "README.md is out of date: run `python benchmarks/tables.py --write`"


def test_render_marks_missed_targets():
    entry = {
        "chapter": "01_x",
        "seconds": 120,
        "machine": "m",
        "date": "2026-01-01",
        "metrics": {"mlp_mnist_test_accuracy": 0.97, "mlp_xor_accuracy": 1.0},
    }
    text = tables.render({"full": [entry], "fast": [], "rnn_speed": None})
    assert "| mlp_mnist_test_accuracy | 0.97 | >= 0.98" in text and "| **no** |" in text
    assert "| mlp_xor_accuracy | 1 | == 1 (XOR solved) | yes |" in text
    assert "2.0 min on m, 2026-01-01" in text


def test_a_results_note_is_shown_above_the_metrics():
    entry = {"chapter": "01_x", "seconds": 60, "machine": "m", "date": "d", "metrics": {"mlp_xor_accuracy": 1.0},
             "note": "recorded from the executed notebook"}
    text = tables.render_metrics(entry)
    assert "\n\nNote: recorded from the executed notebook.\n\n| metric |" in text
    assert "Note:" not in tables.render_metrics({**entry, "note": ""})


def test_run_times_name_each_chapter_once_with_both_modes():
    full = [{"chapter": "01_x", "seconds": 600, "date": "2026-01-01", "load_average_5min_at_end": 1.5}]
    fast = [{"chapter": "01_x", "seconds": 31.4, "date": "2026-01-02"}, {"chapter": "02_y", "seconds": 20, "date": "d"}]
    text = tables.render_times(full, fast)
    assert "| 01_x | 31 s (2026-01-02, load not recorded) | 10.0 min (2026-01-01, load 1.5) | <= 12 |" in text
    assert "| 02_y | 20 s (d, load not recorded) | not measured | <= 12 |" in text
    assert "| **course** | 0.9 min | 10.0 min | <= 50 |" in text


def test_run_times_flag_chapters_and_a_course_over_their_bounds_and_runs_on_busy_cores():
    def run(chapter, minutes, start, end):
        return {"chapter": chapter, "seconds": minutes * 60, "date": "d", "commit": "abc1234",
                "load_average_at_start": [start, 2.0, 2.0], "load_average_at_end": [end, 2.0, 2.0]}

    idle = [run("01_x", 13, 0.1, 2.0), run("08_gan_dcgan", 14, 1.9, 2.4), run("03_y", 30, 2.0, 2.0)]
    text = tables.render_times(idle, [])
    assert "| 01_x | not measured | 13.0 min (d, load 0.1 to 2) | <= 12 (**over**) |" in text
    assert "| 08_gan_dcgan | not measured | 14.0 min (d, load 1.9 to 2.4) | <= 15 |" in text
    assert "| **course** | 0.0 min | 57.0 min | <= 50 (**over**) |" in text
    assert "from commit abc1234, each started and ended on idle cores" in text
    busy = tables.render_times([run("01_x", 5, 0.5, 3.1)], [])
    assert "not all of them on idle cores" in busy and "| **course** | 0.0 min | 5.0 min | <= 50 |" in busy


def test_training_speed_table_shows_both_settings_and_the_speed_up():
    speed = {
        "settings": {"steps": 200, "rounds": 3},
        "machine": "m",
        "date": "2026-01-01",
        "load_average_at_end": [1.0, 1.2, 1.1],
        "workloads": {"07 VAE": {"batch_size": 128,
                                 "ms_per_step": {"before": 16.07, "after": 13.4, "after + tf.data": 13.0},
                                 "speedup": {"after": 1.2, "after + tf.data": 1.24},
                                 "cpu_speedup": {"after": 1.53, "after + tf.data": 1.5}}},
    }
    text = tables.render({"full": [], "fast": [], "rnn_speed": None, "training_speed": speed})
    assert "### XLA compilation of the training steps" in text
    assert "| 07 VAE | 128 | 16.1 | 13.4 | 13.0 | 1.20, 1.53 | 1.24, 1.50 |" in text
    assert "200 steps an epoch, median of 3 rounds" in text and "on m, 2026-01-01" in text


def test_profile_lists_the_slowest_cells_and_their_share_of_the_run():
    full = [
        {"chapter": "05_x", "seconds": 1000, "slowest_cells": [{"cell": "cell 10 (`fit`)", "seconds": 600},
                                                                 {"cell": "cell 3 (`a | b`)", "seconds": 200}]},
        {"chapter": "02_y", "seconds": 120},
    ]
    text = tables.render_profile(full)
    assert "| 05_x | 16.7 min | cell 10 (`fit`) 600; cell 3 (`a / b`) 200 | 80% |" in text
    assert "| 02_y | 2.0 min | not recorded |  |" in text


def test_grading_speed_names_both_commits_and_the_ratio():
    speed = {"chapter": "03", "submissions": 30, "jobs": 1, "this_checkout": "abc1234", "this_to_compared": 0.91,
             "seconds": {"abc1234": [450.0], "09f376e": [495.0]}, "machine": "m", "date": "d",
             "load_average_at_start": [0.1, 0.2, 0.3], "load_average_at_end": [2.0, 1.9, 1.5]}
    text = tables.render({"full": [], "fast": [], "rnn_speed": None, "grading_speed": speed})
    assert "### Grading speed" in text and "Ratio, this checkout / the compared one: 0.91." in text
    assert "| abc1234 (this checkout) | 450 | 15.0 |" in text and "| 09f376e | 495 | 16.5 |" in text
    assert "on m, d, load 0.1 to 2." in text


def test_cache_speed_shows_each_chapters_ratio_and_whether_the_metrics_held():
    chapter = {"chapter": "01_x", "first_seconds": 289.0, "second_seconds": 25.0, "second_to_first": 0.087,
               "first_trained": 13, "second_loaded": 13, "second_trained": 0, "same_metrics": True, "date": "d",
               "load_average_at_end": [1.2, 1.0, 0.9]}
    retrained = {**chapter, "chapter": "02_y", "second_trained": 1, "second_loaded": 12, "same_metrics": False}
    text = tables.render({"full": [], "fast": [], "rnn_speed": None,
                          "cache_speed": {"machine": "m", "chapters": [chapter, retrained]}})
    assert "| 01_x | 289 | 25 | 0.09 | 13 of 13 | yes | d, load 1.2 at the end |" in text
    assert "| 02_y | 289 | 25 | 0.09 | 12 of 13, 1 trained | **no** |" in text
