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


def test_run_times_name_each_chapter_once_with_both_modes():
    full = [{"chapter": "01_x", "seconds": 600, "date": "2026-01-01", "load_average_5min_at_end": 1.5}]
    fast = [{"chapter": "01_x", "seconds": 31.4, "date": "2026-01-02"}, {"chapter": "02_y", "seconds": 20, "date": "d"}]
    text = tables.render_times(full, fast)
    assert "| 01_x | 31 s (2026-01-02) | 10.0 min (2026-01-01, load 1.5) |" in text
    assert "| 02_y | 20 s (d) | not measured |" in text
