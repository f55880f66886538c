"""The model cache on a real chapter: a second run loads every model and records the same metrics; a damaged
file and a changed parameter train anew."""

import pytest

from dlnotes.course.notebooks import find_chapters, load_notebook
from dlnotes.course.runner import run_chapter
from dlnotes.model_cache import count_events


def printed(result) -> str:
    assert result.status == "ok", result.error
    cells = load_notebook(result.notebook)["cells"]
    return "".join("".join(o.get("text", "")) for c in cells for o in c.get("outputs", []) if o.get("output_type") == "stream")


@pytest.mark.notebook
def test_a_second_run_of_chapter_03_loads_every_model(tmp_path, monkeypatch):
    monkeypatch.setenv("DLNOTES_CACHE_DIR", str(tmp_path / "cache"))  # the kernels inherit the environment
    monkeypatch.setenv("DLNOTES_CACHE", "on")
    (notebook,) = find_chapters("03")
    first = run_chapter(notebook, tmp_path / "first", fast=True)
    assert count_events(printed(first)) == {"loaded": 0, "trained": 2}  # the reference and the improved recipe
    second = run_chapter(notebook, tmp_path / "second", fast=True)
    assert count_events(printed(second)) == {"loaded": 2, "trained": 0}
    assert second.metrics == first.metrics  # seconds per epoch included: they come from the cache too

    # a damaged file is trained again, with the same result; the other model still loads
    (reference,) = (tmp_path / "cache" / "models").glob("reference-*.npz")
    reference.write_bytes(reference.read_bytes()[: reference.stat().st_size // 2])
    third = run_chapter(notebook, tmp_path / "third", fast=True)
    text = printed(third)
    assert count_events(text) == {"loaded": 1, "trained": 1} and text.count("is not usable") == 1
    untimed = lambda metrics: {name: value for name, value in metrics.items() if "seconds" not in name}  # noqa: E731
    assert untimed(third.metrics) == untimed(first.metrics)  # the retrained model's seconds are its own

    # a changed parameter trains anew: the reference's epochs, and the improved recipe, which draws its data order
    # from the same reshuffling pipeline after the reference
    fourth = run_chapter(notebook, tmp_path / "fourth", fast=True, parameters={"REFERENCE_EPOCHS": 4})
    assert count_events(printed(fourth)) == {"loaded": 0, "trained": 2}
