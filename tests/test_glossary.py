"""The English-Korean glossary: the term syntax, collecting from notebooks, and GLOSSARY.md kept in step."""

import difflib
import json
from pathlib import Path

import pytest

from dlnotes.course import cli
from dlnotes.course.glossary import (
    GLOSSARY_PATH,
    WRITE_COMMAND,
    collect,
    find_terms,
    read_glossary,
    render,
    term_key,
)
from dlnotes.course.notebooks import find_chapters


def terms_of(markdown):
    terms, problems = find_terms(markdown)
    assert problems == [], problems
    return [(t.english, t.korean, t.abbreviation) for t in terms]


def problems_of(markdown):
    return [p.message for p in find_terms(markdown)[1]]


# --- the syntax -----------------------------------------------------------------------------------------


def test_bold_term():
    assert terms_of("an error: **backpropagation through time** (시간을 통한 역전파).") == [
        ("backpropagation through time", ("시간을 통한 역전파",), "")
    ]


def test_plain_term_runs_back_to_a_function_word_or_punctuation():
    text = "- how a multilayer perceptron (다층 퍼셉트론) trained by backpropagation (역전파) solves XOR; dropout (드롭아웃)"
    assert terms_of(text) == [
        ("multilayer perceptron", ("다층 퍼셉트론",), ""),
        ("backpropagation", ("역전파",), ""),
        ("dropout", ("드롭아웃",), ""),
    ]


def test_plain_term_stops_at_a_possessive_and_keeps_hyphens_and_accents():
    text = (
        "the network's decision boundary (결정 경계), the Kullback–Leibler divergence (쿨백-라이블러 발산), "
        "Fréchet distance (프레셰 거리)"
    )
    assert [english for english, _, _ in terms_of(text)] == [
        "decision boundary",
        "Kullback–Leibler divergence",
        "Fréchet distance",
    ]


def test_plain_term_may_wrap_a_line_but_not_cross_a_list_item():
    assert terms_of("- the first item;\n- the recurrent\n  neural network (순환 신경망)")[0][0] == "recurrent neural network"


def test_english_inside_the_parentheses_and_abbreviations_in_either_order():
    assert terms_of("needs no labels (unsupervised learning, 비지도 학습)") == [("unsupervised learning", ("비지도 학습",), "")]
    assert terms_of("minimises it (the non-saturating loss, 비포화 손실)")[0][0] == "non-saturating loss"
    assert terms_of("the long short-term memory (장단기 기억, LSTM)") == [("long short-term memory", ("장단기 기억",), "LSTM")]
    assert terms_of("**backpropagation through time** (BPTT, 시간을 통한 역전파)")[0][2] == "BPTT"


def test_korean_synonyms():
    assert terms_of("an autoencoder (오토인코더, 자기부호화기)") == [("autoencoder", ("오토인코더", "자기부호화기"), "")]


def test_latex_text_and_code_blocks():
    assert terms_of(r"$$h_t = o_t \odot \tanh(S_t) \quad \text{hidden state (은닉 상태)}$$") == [
        ("hidden state", ("은닉 상태",), "")
    ]
    assert find_terms("```python\nprint('경사 하강법')\n```\n") == ([], [])


def test_problems():
    assert "outside" in problems_of("경사 하강법 is the method")[0]
    assert "English term right before (역전파)" in problems_of("(역전파) is the method")[0]
    assert "mark it in bold" in problems_of("errors travel backwards layer after layer (역전파)")[0]
    assert "at most one English term and one abbreviation" in problems_of("a network (RNN, LSTM, 순환 신경망)")[0]


def test_find_terms_names_the_notebook_and_cell():
    (problem,) = find_terms("(역전파) alone", notebook="07_x.ipynb", cell=4)[1]
    assert (problem.notebook, problem.cell) == ("07_x.ipynb", 4)
    with pytest.raises(TypeError, match="markdown text"):
        find_terms(None)


def test_term_key_ignores_case_spacing_dashes_and_a_plural():
    assert term_key("Vanishing  gradients") == term_key("vanishing gradient")
    assert term_key("Kullback–Leibler divergence") == term_key("kullback-leibler divergence")
    assert term_key("loss") != term_key("los")  # a double s is not a plural
    with pytest.raises(ValueError, match="non-empty English term"):
        term_key("  ")


# --- collecting, rendering, reading -------------------------------------------------------------------------


def notebook(folder, name, *markdown_cells):
    path = Path(folder) / name
    cells = [{"cell_type": "markdown", "metadata": {}, "source": text} for text in markdown_cells]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")
    return path


def test_collect_keeps_the_first_chapter_sorts_and_finds_a_later_abbreviation(tmp_path):
    first = notebook(tmp_path, "01_a.ipynb", "the perceptron (퍼셉트론)", "backpropagation through time (시간을 통한 역전파)")
    second = notebook(
        tmp_path, "02_b.ipynb", "**Perceptrons** (퍼셉트론) and **backpropagation through time** (BPTT, 시간을 통한 역전파)"
    )
    entries = collect([first, second])
    assert [(e.english, e.korean, e.abbreviation, e.chapter) for e in entries] == [
        ("backpropagation through time", "시간을 통한 역전파", "BPTT", "01"),
        ("perceptron", "퍼셉트론", "", "01"),
    ]


def test_collect_wants_a_list_of_paths(tmp_path):
    with pytest.raises(TypeError, match="list of notebook paths"):
        collect(str(tmp_path / "01_a.ipynb"))


def test_render_and_read_glossary_round_trip(tmp_path):
    path = notebook(tmp_path, "01_a.ipynb", "an autoencoder (오토인코더, 자기부호화기) and PCA (주성분 분석, PCA)")
    text = render(collect([path]), base=tmp_path)
    assert "| autoencoder | 오토인코더, 자기부호화기 |  | [01](01_a.ipynb) |" in text
    assert WRITE_COMMAND in text
    glossary = tmp_path / "GLOSSARY.md"
    glossary.write_text(text, encoding="utf-8")
    assert read_glossary(glossary) == {"autoencoder": {"오토인코더", "자기부호화기"}, "pca": {"주성분 분석"}}


def test_read_glossary_says_how_to_create_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="glossary --write"):
        read_glossary(tmp_path / "GLOSSARY.md")


def test_cli_prints_or_writes_the_glossary(tmp_path, monkeypatch, capsys):
    expected = render(collect(find_chapters()), base=GLOSSARY_PATH.parent)
    assert cli.main(["glossary"]) == 0
    assert capsys.readouterr().out == expected
    target = tmp_path / "GLOSSARY.md"
    monkeypatch.setattr(cli, "GLOSSARY_PATH", target)
    assert cli.main(["glossary", "--write"]) == 0
    assert target.read_text(encoding="utf-8") == render(collect(find_chapters()), base=tmp_path)  # links from there
    assert "terms)" in capsys.readouterr().out


# --- GLOSSARY.md cannot drift from the notebooks ------------------------------------------------------------


def test_glossary_file_is_what_the_notebooks_generate():
    expected = render(collect(find_chapters()), base=GLOSSARY_PATH.parent)
    actual = GLOSSARY_PATH.read_text(encoding="utf-8") if GLOSSARY_PATH.is_file() else ""
    diff = list(difflib.unified_diff(actual.splitlines(), expected.splitlines(), "GLOSSARY.md", "generated", lineterm="", n=0))
    assert actual == expected, f"GLOSSARY.md is out of date with the notebooks; run `{WRITE_COMMAND}`:\n" + "\n".join(diff[:30])
