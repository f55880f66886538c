"""The threshold table: its bounds read and judge as written, and every chapter's FAST run meets its FAST bounds."""

import pytest

from dlnotes.course.notebooks import find_chapters
from dlnotes.course.thresholds import (
    MODES,
    THRESHOLDS,
    Condition,
    bound_text,
    chapter_thresholds,
    failures,
    meets,
    parse_bound,
)

CHAPTERS = sorted({threshold.chapter for threshold in THRESHOLDS.values()})


def test_bounds_parse_into_conditions():
    assert parse_bound(">= 0.98") == (Condition(">=", 1.0, None, 0.98),)
    assert parse_bound("< 0.9 * copy_previous_row_mse") == (Condition("<", 0.9, "copy_previous_row_mse", 0.0),)
    assert parse_bound("> 0.3 and < lstm_test_accuracy - 0.15") == (
        Condition(">", 1.0, None, 0.3),
        Condition("<", 1.0, "lstm_test_accuracy", -0.15),
    )
    assert parse_bound("<= 1e-5")[0].offset == 1e-5 and parse_bound("> -0.5")[0].offset == -0.5


@pytest.mark.parametrize("text", ["", "0.98", "=> 0.98", ">= 0.98 or < 2", "< 2 * ", ">= Accuracy", None])
def test_malformed_bounds_are_refused_with_what_to_write(text):
    with pytest.raises(ValueError, match="parse_bound: .*expected"):
        parse_bound(text)


def test_the_text_of_a_bound_shows_its_numbers_and_why():
    assert bound_text("mlp_xor_accuracy") == "== 1 (XOR solved)"
    assert bound_text("dcgan_score") == (
        ">= 8.5 (plain DCGANs on MNIST: about 8.6-8.75 after ~50 GPU epochs (Li et al. 2017); real digits ~9.85)"
    )
    assert bound_text("next_row_mse", "fast").startswith("< 0.9 * copy_previous_row_mse (3,000 digits")
    assert bound_text("custom_lstm_test_accuracy", "fast").startswith(
        "> 0.3 and > lstm_test_accuracy - 0.15 and < lstm_test_accuracy + 0.15 ("
    )
    assert bound_text("adam_final_loss", "fast") == "< gd_final_loss"
    assert bound_text("adam_final_loss", "full") == "" and bound_text("no_such_metric") == ""


def test_meets_compares_with_numbers_and_with_other_metrics():
    assert meets("mlp_xor_accuracy", {"mlp_xor_accuracy": 1}) is True
    assert meets("mlp_xor_accuracy", {"mlp_xor_accuracy": 0.99}) is False
    assert meets("pca30_sq_error", {"pca30_sq_error": 14.0}) is True  # full mode: <= 14
    assert meets("pca30_sq_error", {"pca30_sq_error": 14.0}, "fast") is True  # FAST: between 13 and 16
    assert meets("pca30_sq_error", {"pca30_sq_error": 12.9}, "fast") is False
    assert meets("next_row_mse", {"next_row_mse": 0.089, "copy_previous_row_mse": 0.1}, "fast") is True
    assert meets("next_row_mse", {"next_row_mse": 0.091, "copy_previous_row_mse": 0.1}, "fast") is False
    assert meets("vae_iw_nll_large", {"vae_iw_nll_large": 104.9, "neg_elbo_large": 100}, "fast") is True
    assert meets("vae_iw_nll_large", {"vae_iw_nll_large": 105.1, "neg_elbo_large": 100}, "fast") is False


def test_meets_has_nothing_to_judge_without_a_bound_or_a_named_metric():
    assert meets("no_such_metric", {"no_such_metric": 3.0}) is None
    assert meets("dcgan_min_class_share", {"dcgan_min_class_share": 0.1}, "fast") is None  # a full bound only
    assert meets("next_row_mse", {"next_row_mse": 0.01}, "fast") is None  # copy_previous_row_mse not recorded
    assert meets("mlp_xor_accuracy", {}) is None


def test_meets_refuses_bad_input():
    with pytest.raises(TypeError, match=r"meets\('pca30_sq_error'\): expected a real number, got str '13'"):
        meets("pca30_sq_error", {"pca30_sq_error": "13"})
    with pytest.raises(ValueError, match="expected a finite number, got nan"):
        meets("pca30_sq_error", {"pca30_sq_error": float("nan")})
    with pytest.raises(ValueError, match=r"meets\('next_row_mse'\): the bound's copy_previous_row_mse: expected a finite"):
        meets("next_row_mse", {"next_row_mse": 0.01, "copy_previous_row_mse": float("inf")}, "fast")
    with pytest.raises(TypeError, match="meets: expected a metric name"):
        meets(None, {})
    with pytest.raises(TypeError, match="meets: expected the run's metrics as a dict"):
        meets("pca30_sq_error", [("pca30_sq_error", 14)])
    with pytest.raises(ValueError, match=r"meets: mode must be one of \('fast', 'full'\), got 'FAST'"):
        meets("pca30_sq_error", {"pca30_sq_error": 14}, "FAST")
    with pytest.raises(TypeError, match="bound_text: expected a metric name"):
        bound_text(None)
    with pytest.raises(ValueError, match="chapter_thresholds: expected a chapter number of two digits"):
        chapter_thresholds(1)


def test_failures_name_each_missed_bound_and_each_missing_metric():
    metrics = {"pca30_sq_error": 17.0, "mean_image_sq_error": 50.0, "plain_sq_error": 20.0}
    found = failures("06", metrics)
    assert "pca30_sq_error = 17.0: expected > 13 and < 16 (FAST fits PCA" in found[0]
    assert "tied_sq_error: the run recorded no tied_sq_error" in found
    assert not any(line.startswith("plain_sq_error") for line in found)  # 20 < 0.6 * 50
    assert "next_row_mse: the run recorded no next_row_mse, copy_previous_row_mse" in failures("05", {})


def test_every_chapter_of_the_table_exists_and_every_full_bound_has_its_reason():
    assert [chapter for chapter in CHAPTERS if len(find_chapters(chapter)) != 1] == []
    assert [m for m, t in THRESHOLDS.items() if t.full is not None and not t.full_why] == []
    assert [m for m, t in THRESHOLDS.items() if t.fast is None and t.full is None] == []
    for mode in MODES:
        assert sum(len(chapter_thresholds(chapter, mode)) for chapter in CHAPTERS) == sum(
            getattr(t, mode) is not None for t in THRESHOLDS.values()
        )


@pytest.mark.notebook
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_fast_run_meets_the_chapter_thresholds(run_fast, chapter):
    missed = failures(chapter, run_fast(chapter).metrics, "fast")
    assert not missed, f"chapter {chapter}, FAST mode:\n" + "\n".join(missed)
