"""The English-Korean glossary, generated from the notebooks' markdown.

A chapter introduces a term with its Korean name in parentheses, right after the English:

    **backpropagation through time** (시간을 통한 역전파, BPTT)   bold: the bold text is the term
    the perceptron (퍼셉트론)                                      plain: the words right before "("
    needs no labels (unsupervised learning, 비지도 학습)            the English inside the parentheses

Inside the parentheses, items are separated by commas: Hangul items are the Korean name (several
are synonyms), an item in capitals (LSTM, VAE) is the abbreviation, any other item is the English
term itself (for when the words before "(" are not the term). A plain term runs back from "(" to the
nearest punctuation, possessive, line break that starts a block, or function word (the, a, of, by, ...;
see FUNCTION_WORDS), and is at most PLAIN_TERM_MAX_WORDS words; a term that contains a function word
("sum of squares") must be in bold. A leading article is never part of the term.

``collect(notebooks)`` gathers the terms with the chapter of their first appearance;
``python -m dlnotes glossary --write`` writes them to GLOSSARY.md, which a test keeps in step.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from dlnotes.course.notebooks import chapter_label, read_cells, without_code_blocks
from dlnotes.markdown import markdown_table

REPO = Path(__file__).resolve().parents[2]
GLOSSARY_PATH = REPO / "GLOSSARY.md"
WRITE_COMMAND = "python -m dlnotes glossary --write"

HANGUL = "\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f"
HAS_HANGUL = re.compile(f"[{HANGUL}]")
KOREAN_PARENTHESIS = re.compile(rf"\(([^()]*[{HANGUL}][^()]*)\)")
ABBREVIATION = re.compile(r"^[A-Z][A-Z0-9\-]*[A-Z0-9]s?$")  # LSTM, VAE, ELBO, GANs
EMPHASIS_BEFORE = re.compile(r"(\*\*|__|\*|_)([^*_\n][^*_]*?)\1\s*$")
# a word (letters of any script, so "Fréchet" stays whole), or a boundary: blank line, list item, punctuation
PLAIN_TOKEN = re.compile(r"[^\W_][\w'’\-–]*|\n[ \t]*\n|\n[ \t]*(?:[-*+]|\d+\.)[ \t]|[^\w\s]|_")
LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.I)
PLAIN_TERM_MAX_WORDS = 4  # longer runs are sentence fragments, not terms: the author must mark the term in bold
# Words that end a plain term when scanning back from "(": "the perceptron (퍼셉트론)" introduces
# "perceptron", "trained by backpropagation (역전파)" introduces "backpropagation".
FUNCTION_WORDS = frozenset(
    """a an the this that these those its their our your each every some any no
    and or but nor so then also not is are was were be been being has have it we you they
    which what who how why when where called named known
    of by from with in on at to for as into onto than via about against between over under within without""".split()
)


@dataclass(frozen=True)
class Term:
    """One introduction of a term: ``english`` as written, ``korean`` items, where it stands."""

    english: str
    korean: tuple[str, ...]
    abbreviation: str
    notebook: str
    cell: int

    @property
    def key(self) -> str:
        return term_key(self.english)


@dataclass(frozen=True)
class TermProblem:
    """Korean text that does not follow the term syntax."""

    notebook: str
    cell: int
    message: str


@dataclass(frozen=True)
class Entry:
    """A glossary line: the term's first introduction in the course."""

    english: str
    korean: str
    abbreviation: str
    chapter: str
    notebook: str


def term_key(english: str) -> str:
    """What makes two spellings one term: case, spacing, dash style and a plural -s do not count."""
    if not isinstance(english, str) or not english.strip():
        raise ValueError(f"term_key: expected a non-empty English term, got {english!r}")
    key = re.sub(r"\s+", " ", english.strip().casefold()).replace("–", "-").replace("—", "-")
    if len(key) > 3 and key.endswith("s") and not key.endswith("ss"):
        key = key[:-1]  # "vanishing gradients" and "vanishing gradient" are one entry
    return key


def _plain_term_before(text: str) -> tuple[str, int]:
    """The words right before the end of ``text``, back to a boundary; and how many words ran back."""
    tokens = PLAIN_TOKEN.findall(text[-300:])
    words: list[str] = []
    for token in reversed(tokens):
        if not token[0].isalnum() or token.casefold() in FUNCTION_WORDS:
            break
        if token.endswith(("'s", "’s")):  # a possessive is never part of the term: "the network's decision boundary"
            break
        words.insert(0, token)
    return " ".join(words), len(words)


def find_terms(markdown: str, notebook: str = "<markdown>", cell: int = 1) -> tuple[list[Term], list[TermProblem]]:
    """The terms introduced in one markdown cell, and the Korean text that does not follow the syntax."""
    if not isinstance(markdown, str):
        raise TypeError(f"find_terms: expected markdown text, got {type(markdown).__name__}")
    text = without_code_blocks(markdown)
    terms, problems = [], []

    def problem(message: str) -> None:
        problems.append(TermProblem(notebook, cell, message))

    for match in KOREAN_PARENTHESIS.finditer(text):
        shown = match.group(0)
        items = [item.strip() for item in re.split(r"[,，]", match.group(1)) if item.strip()]
        korean = tuple(item for item in items if HAS_HANGUL.search(item))
        abbreviations = [item for item in items if not HAS_HANGUL.search(item) and ABBREVIATION.match(item)]
        inside = [item for item in items if not HAS_HANGUL.search(item) and not ABBREVIATION.match(item)]
        if len(abbreviations) > 1 or len(inside) > 1:
            problem(
                f"expected at most one English term and one abbreviation in {shown}, found {', '.join(inside + abbreviations)}"
            )
            continue
        before = text[: match.start()]
        if inside:
            english = inside[0]
        elif emphasised := EMPHASIS_BEFORE.search(before):
            english = emphasised.group(2).strip()
        else:
            english, count = _plain_term_before(before)
            if count > PLAIN_TERM_MAX_WORDS:
                problem(
                    f"cannot tell where the English term before {shown} starts ('{english}' is {count} words); "
                    f"mark it in bold: **English term** {shown}"
                )
                continue
        english = LEADING_ARTICLE.sub("", english)  # "(the non-saturating loss, 비포화 손실)": the term is "non-saturating loss"
        if not english:
            problem(f"expected the English term right before {shown} (English term (한국어)), found none")
            continue
        terms.append(Term(english, korean, abbreviations[0] if abbreviations else "", notebook, cell))
    for line in KOREAN_PARENTHESIS.sub("", text).splitlines():
        if HAS_HANGUL.search(line):
            problem(
                f"expected Korean only in a term introduction, English term (한국어); found it outside: '{line.strip()[:80]}'"
            )
    return terms, problems


def find_notebook_terms(path: str | Path) -> tuple[list[Term], list[TermProblem]]:
    """The terms (and term problems) of every markdown cell of one notebook, in cell order."""
    terms, problems = [], []
    for cell in read_cells(path):
        if cell.kind == "markdown":
            found, wrong = find_terms(cell.source, notebook=str(path), cell=cell.number)
            terms += found
            problems += wrong
    return terms, problems


def _checked_paths(notebooks) -> list[Path]:
    if isinstance(notebooks, (str, Path)) or not all(isinstance(p, (str, Path)) for p in notebooks):
        raise TypeError("expected a list of notebook paths")
    return [Path(p) for p in notebooks]


def collect(notebooks) -> list[Entry]:
    """One entry per term, from its first introduction (in the order given), sorted by English term.

    Later introductions may repeat a term with the same or fewer Korean synonyms; a conflicting one is
    the linter's business (rule term-conflict), here the first introduction wins.
    """
    first: dict[str, tuple[Term, Path]] = {}
    abbreviations: dict[str, str] = {}  # a summary may omit the abbreviation that the section gives
    for path in _checked_paths(notebooks):
        for term in find_notebook_terms(path)[0]:
            first.setdefault(term.key, (term, path))
            if term.abbreviation:
                abbreviations.setdefault(term.key, term.abbreviation)
    entries = []
    for key, (term, path) in first.items():
        entries.append(Entry(term.english, ", ".join(term.korean), abbreviations.get(key, ""), chapter_label(path), str(path)))
    return sorted(entries, key=lambda entry: (term_key(entry.english), entry.english))


def render(entries: list[Entry], base: str | Path = REPO) -> str:
    """GLOSSARY.md's text; notebook links are relative to ``base`` (the file's folder)."""
    lines = [
        "# Glossary",
        "",
        "The English and Korean terms of the course, with the chapter where each first appears.",
        "",
        f"Generated from the notebooks by `{WRITE_COMMAND}`; do not edit by hand (a test fails when it is out",
        "of date). To add a term, introduce it in a chapter's markdown as `**English term** (한국어)`,",
        "`English term (한국어, ABBR)` or `(English term, 한국어)`; `python -m dlnotes lint` checks the syntax.",
        "",
    ]
    rows = []
    for entry in entries:
        link = Path(os.path.relpath(Path(entry.notebook).resolve(), Path(base).resolve())).as_posix()
        rows.append([entry.english, entry.korean, entry.abbreviation, f"[{entry.chapter}]({link})"])
    lines.append(markdown_table(["English", "Korean", "abbreviation", "first chapter"], rows))
    return "\n".join(lines) + "\n"


def read_glossary(path: str | Path = GLOSSARY_PATH) -> dict[str, set[str]]:
    """The term keys of a GLOSSARY.md and the Korean synonyms listed for each."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no glossary; create it with `{WRITE_COMMAND}`")
    found: dict[str, set[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = [part.strip() for part in line.strip().strip("|").split("|")]
        if len(fields) == 4 and HAS_HANGUL.search(fields[1]):
            found[term_key(fields[0])] = {item.strip() for item in fields[1].split(",")}
    return found
