"""The HTML course report: generated after a run, every link resolves, figures, thresholds and failures shown."""

import base64
import json
import re
from dataclasses import asdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest

from dlnotes.course.html_report import MATHJAX_DIR, key_figures, render_notebook, write_html_report
from dlnotes.course.runner import ChapterResult, run_course, write_reports

# a valid 1x1 PNG: enough to be an image output without drawing anything
PIXEL_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


def write_notebook(path, *cells):
    """A chapter notebook: a `parameters` cell, then ``cells`` given as source or (source, tags); a source that
    starts with ``## `` (a heading) is a markdown cell."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell("FAST = False", metadata={"tags": ["parameters"]}))
    for cell in cells:
        source, tags = (cell, []) if isinstance(cell, str) else cell
        if source.startswith("## "):
            notebook.cells.append(nbformat.v4.new_markdown_cell(source))
        else:
            notebook.cells.append(nbformat.v4.new_code_cell(source, metadata={"tags": tags}))
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)
    return path


class Links(HTMLParser):
    """Every href and src in a page, and every id (the targets of #fragment links)."""

    def __init__(self):
        super().__init__()
        self.references, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src"):
                self.references.append(value)
            elif name == "id":
                self.ids.add(value)


def unresolved_links(index: Path) -> list[str]:
    parser = Links()
    parser.feed(index.read_text(encoding="utf-8"))
    assert parser.references, "the page links nothing"
    broken = []
    for reference in parser.references:
        parts = urlsplit(reference)
        if parts.scheme or parts.netloc:  # the page must work offline: no external resources at all
            broken.append(f"{reference} (external)")
        elif not parts.path:
            if unquote(parts.fragment) not in parser.ids:
                broken.append(f"{reference} (no such id)")
        elif not (index.parent / unquote(parts.path)).is_file():
            broken.append(f"{reference} (no such file)")
    return broken


@pytest.fixture(scope="module")
def fast_run(tmp_path_factory):
    """Two tiny chapters run through the real runner in FAST mode: one records metrics and draws, one fails."""
    folder = tmp_path_factory.mktemp("notebooks")
    write_notebook(
        folder / "01_learns.ipynb",
        "from dlnotes import record",
        "record('mlp_xor_accuracy', 1.0)\nrecord('mlp_mnist_test_accuracy', 0.5)\nrecord('untargeted_count', 7)",
        "## 2. The result\n\nThe loss $L = \\frac{1}{n} \\sum_i (y_i - \\hat{y}_i)^2$ falls.",
        ("import matplotlib.pyplot as plt\nplt.plot([0, 1], [1, 0])\nplt.title('the key figure')\nplt.show()", ["key-figure"]),
        "plt.plot([0, 1], [0, 1])\nplt.show()  # not tagged: not a key figure",
    )
    write_notebook(folder / "02_broken.ipynb", "x = 1", "# divide\n1 / 0")
    out = tmp_path_factory.mktemp("build")
    lines = []
    results = run_course(out_dir=out, fast=True, notebook_dir=folder, echo=lambda *a, **k: lines.append(a[0]))
    return out, results, lines


@pytest.mark.slow
def test_run_writes_index_and_prints_its_path(fast_run):
    out, results, lines = fast_run
    assert [r.status for r in results] == ["ok", "failed"]
    assert (out / "index.html").is_file() and (out / "report.json").is_file() and (out / "report.md").is_file()
    assert str(out / "index.html") in lines[-1] and str(out / "report.md") in lines[-1]


@pytest.mark.slow
def test_every_link_resolves_to_a_file_or_an_anchor(fast_run):
    out, _, _ = fast_run
    assert unresolved_links(out / "index.html") == []


@pytest.mark.slow
def test_page_shows_status_metrics_and_fast_thresholds(fast_run):
    out, _, _ = fast_run
    page = (out / "index.html").read_text(encoding="utf-8")
    assert '<h2 id="01_learns">01_learns <span class="status ok">ok</span>' in page
    assert '<h2 id="02_broken">02_broken <span class="status failed">failed</span>' in page
    # FAST mode: each metric against its FAST threshold, the one the tests require
    assert "<th>threshold (FAST mode)</th>" in page and "checked against its FAST threshold" in page
    assert '<td>mlp_xor_accuracy</td><td class=num>1</td><td>== 1</td><td><span class="met">yes</span>' in page
    assert (
        '<td>mlp_mnist_test_accuracy</td><td class=num>0.5</td><td>&gt; 0.85 (6,000 images, 2 epochs; chance is 0.10 '
        'and a broken model stays near it)</td><td><span class="missed">no</span>' in page
    )
    assert "<td>untargeted_count</td><td class=num>7</td><td></td><td></td>" in page
    assert "<th>thresholds met</th>" in page and "<td>1 of 2</td>" in page  # in the summary table


@pytest.mark.slow
def test_failing_chapter_shows_its_error_naming_the_cell(fast_run):
    out, _, _ = fast_run
    page = (out / "index.html").read_text(encoding="utf-8")
    assert '<pre class="error">02_broken.ipynb failed in cell 3 (`# divide`): ' in page and "ZeroDivisionError" in page
    assert "1 of 2 chapters failed: 02_broken" in page


@pytest.mark.slow
def test_notebooks_are_rendered_and_linked_with_their_figure(fast_run):
    out, _, _ = fast_run
    page = (out / "index.html").read_text(encoding="utf-8")
    # each rendered page shows its notebook's outputs: the recorded metric, the error
    for name, output in [("01_learns", "[recorded] mlp_xor_accuracy = 1"), ("02_broken", "ZeroDivisionError")]:
        assert f'<a href="{name}.html">' in page and f'<a href="{name}.ipynb">' in page
        assert output in (out / f"{name}.html").read_text(encoding="utf-8")
    figure = out / "figures" / "01_learns-1.png"
    assert figure.read_bytes().startswith(b"\x89PNG") and figure.stat().st_size > 1000  # a real matplotlib figure
    # the tagged cell's figure only, captioned by its section
    assert '<img src="figures/01_learns-1.png" alt="2. The result (cell 5)">' in page
    assert not (out / "figures" / "01_learns-2.png").exists()
    assert not list((out / "figures").glob("02_broken-*"))  # the broken chapter drew nothing
    assert "No key figure: no cell tagged <code>key-figure</code> drew an image." in page


@pytest.mark.slow
def test_notebook_pages_typeset_equations_with_the_local_mathjax(fast_run):
    out, _, _ = fast_run
    for name in ("01_learns", "02_broken"):
        scripts = re.findall(r'<script[^>]*\bsrc="([^"]*)"', (out / f"{name}.html").read_text(encoding="utf-8"))
        assert scripts == [f"{MATHJAX_DIR}/tex-svg-full.js"]  # no MathJax, require.js or mermaid from a CDN
        assert (out / scripts[0]).stat().st_size > 1_000_000 and (out / MATHJAX_DIR / "LICENSE").is_file()
    page = (out / "01_learns.html").read_text(encoding="utf-8")
    assert "\\frac{1}{n}" in page and 'inlineMath: [["$", "$"]' in page  # the chapters write inline math as $...$


def executed_notebook(path, images, tags=()):
    """An executed-looking notebook: ``images`` cells that each show a 1x1 PNG (those numbered in ``tags`` are
    tagged `key-figure`), then one without output."""
    notebook = nbformat.v4.new_notebook()
    for number in range(images):
        cell = nbformat.v4.new_code_cell(f"show({number})", metadata={"tags": ["key-figure"] if number in tags else []})
        cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": PIXEL_PNG, "text/plain": "<Figure>"})]
        notebook.cells.append(cell)
    notebook.cells.append(nbformat.v4.new_code_cell("print('done')"))
    nbformat.write(notebook, path)
    return path


def test_key_figures_are_the_tagged_cells_captioned_by_their_section(tmp_path):
    untagged = json.loads(executed_notebook(tmp_path / "a.ipynb", 4).read_text())
    assert key_figures(untagged) == []  # never the last images by default: a chapter chooses its key figures
    tagged = json.loads(executed_notebook(tmp_path / "b.ipynb", 4, tags=(0, 2)).read_text())
    figures = key_figures(tagged)
    assert [f.cell_index for f in figures] == [0, 2]
    assert figures[0].mime_type == "image/png" and figures[0].data == base64.b64decode(PIXEL_PNG)
    assert [f.caption for f in figures] == ["cell 1 (`show(0)`)", "cell 3 (`show(2)`)"]  # no heading above
    tagged["cells"].insert(1, nbformat.v4.new_markdown_cell("Some prose.\n\n## 3 · Learned filters\n\nMore prose."))
    assert [f.caption for f in key_figures(tagged)] == ["cell 1 (`show(0)`)", "3 · Learned filters (cell 4)"]
    tagged["cells"][3]["outputs"] *= 2  # a cell that draws two figures
    assert [f.caption for f in key_figures(tagged)][1:] == [
        "3 · Learned filters (cell 4), figure 1 of 2",
        "3 · Learned filters (cell 4), figure 2 of 2",
    ]


def test_key_figures_reject_bad_input():
    with pytest.raises(ValueError, match="expected a notebook dict with a 'cells' list, got list"):
        key_figures([])


def chapter_result(notebook, metrics=None, error=None):
    return ChapterResult(
        chapter="01_x",
        status="failed" if error else "ok",
        seconds=12.3,
        notebook=str(notebook),
        metrics=metrics or {},
        error=error,
        slowest_cells=[{"cell": "cell 2 (`fit()`)", "seconds": 11.0}],
    )


def test_failed_render_is_noted_and_the_reports_survive(tmp_path, monkeypatch):
    import nbconvert

    def broken_exporter(self, filename, resources=None, **kw):
        raise RuntimeError("template missing")

    monkeypatch.setattr(nbconvert.HTMLExporter, "from_filename", broken_exporter)
    notebook = executed_notebook(tmp_path / "01_x.ipynb", 1, tags=(0,))
    (tmp_path / "01_x.html").write_text("stale page from an earlier run")
    write_reports([chapter_result(notebook, metrics={"pca30_sq_error": 15.0})], tmp_path, fast=False)
    assert json.loads((tmp_path / "report.json").read_text())["chapters"]["01_x"]["metrics"] == {"pca30_sq_error": 15.0}
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "Rendering the notebook to HTML failed: RuntimeError: template missing" in page
    assert not (tmp_path / "01_x.html").exists() and 'href="01_x.html"' not in page
    assert 'href="01_x.ipynb"' in page and (tmp_path / "figures" / "01_x-1.png").is_file()
    # full mode: each metric against the target full mode promises
    assert (
        '<td>pca30_sq_error</td><td class=num>15</td><td>&lt;= 14 (published PCA-30: 13.87)</td><td><span class="missed">no'
        in page
    )
    assert "<th>target (full mode)</th>" in page and "<th>targets met</th>" in page and "FAST threshold" not in page
    assert unresolved_links(tmp_path / "index.html") == []


def test_without_mathjax_the_pages_load_no_script_and_the_report_says_why(tmp_path, monkeypatch):
    from dlnotes.course import html_report

    monkeypatch.setattr(html_report, "MATHJAX_FILES", ("es5/no-such-build.js", "LICENSE"))
    notebook = executed_notebook(tmp_path / "01_x.ipynb", 1)
    write_html_report({"mode": "fast", "chapters": {"01_x": asdict(chapter_result(notebook))}}, tmp_path)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "MathJax is not installed, so equations would show as LaTeX: pip install django-static-mathjax" in page
    assert "<script" not in (tmp_path / "01_x.html").read_text(encoding="utf-8").split("</head>")[0]


def test_unreadable_notebook_is_noted_not_fatal(tmp_path):
    notebook = tmp_path / "01_x.ipynb"
    notebook.write_text("{ this is not json")
    write_html_report(
        {"mode": "full", "chapters": {"01_x": asdict(chapter_result(notebook, error="01_x.ipynb failed in cell 2: Boom"))}},
        tmp_path,
    )
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "Rendering the notebook to HTML failed:" in page
    assert "could not read the executed notebook for its figures: NotebookError" in page and "invalid JSON" in page
    assert "01_x.ipynb failed in cell 2: Boom" in page
    assert unresolved_links(tmp_path / "index.html") == []


def test_write_html_report_rejects_bad_input(tmp_path):
    with pytest.raises(ValueError, match="expected the runner's report.*got list"):
        write_html_report([], tmp_path)
    with pytest.raises(ValueError, match="chapter '01_x' lacks seconds"):
        write_html_report(
            {
                "mode": "fast",
                "chapters": {"01_x": {"status": "ok", "notebook": "x", "metrics": {}, "error": None, "slowest_cells": []}},
            },
            tmp_path,
        )
    with pytest.raises(FileNotFoundError, match="output folder not found"):
        write_html_report({"mode": "fast", "chapters": {}}, tmp_path / "missing")
    with pytest.raises(ValueError, match="expected an .html output path, got"):
        render_notebook(tmp_path / "a.ipynb", tmp_path / "a.txt")
