"""The course report as one HTML page per run.

``write_html_report(report, out_dir)`` takes the runner's report (the content of
report.json) and writes into ``out_dir``:

- ``index.html``: every chapter's status (with the failing notebook and cell),
  seconds, slowest cells, recorded metrics against their bounds in the run's mode
  (dlnotes.course.thresholds: the FAST thresholds for a FAST run, the full-mode targets
  otherwise) and its key figures as thumbnails; inline CSS and no
  external resources, so it works offline and can be copied with its folder;
- ``<chapter>.html``: each executed notebook rendered by nbconvert, its equations
  typeset by the local copy of MathJax below (no script from the internet);
- ``mathjax/``: MathJax's one-file TeX-to-SVG build, from the pinned pip package
  django-static-mathjax (no fonts to load, so it also works from ``file://``);
- ``figures/<chapter>-<n>.<ext>``: the key figures, as files rather than
  base64 so the page stays small and a click opens the full-size image.

Key figures are the images of the cells a chapter tags ``key-figure`` (one or
two cells that show its main result; the linter asks for them), captioned by
the section heading above the cell. A notebook that nbconvert cannot render is
noted on the page; the rest of the report is still written.
"""

from __future__ import annotations

import base64
import binascii
import os
import shutil
from collections import Counter
from dataclasses import dataclass, replace
from html import escape
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from dlnotes.course.notebooks import KEY_FIGURE_TAG, cell_number, describe_cell, load_notebook, section_heading
from dlnotes.course.thresholds import bound_text, meets

FIGURE_DIR = "figures"
MATHJAX_DIR = "mathjax"
# MathJax 3's build with every TeX extension and SVG output: one file that needs nothing else at run time
MATHJAX_FILES = ("es5/tex-svg-full.js", "LICENSE")
MATHJAX_INSTALL = "pip install django-static-mathjax==3.2.2.1 (make install does it)"
# nbconvert's own page loads MathJax 2, require.js and mermaid from a CDN; the course's pages use none of them
# but MathJax, which they load from the report's folder, configured for the $...$ and $$...$$ of the chapters.
NOTEBOOK_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_js_mathjax -%}
{%- if resources.mathjax_url -%}
<script>
window.MathJax = {tex: {inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]], processEscapes: true, tags: "ams"}};
</script>
<script src="{{ resources.mathjax_url }}"></script>
{%- endif -%}
{%- endblock html_head_js_mathjax -%}
"""
IMAGE_SUFFIXES = {"image/png": ".png", "image/jpeg": ".jpg", "image/svg+xml": ".svg"}
CHAPTER_KEYS = ("status", "seconds", "notebook", "metrics", "error", "slowest_cells")


@dataclass(frozen=True)
class Figure:
    """One image output of an executed notebook."""

    cell_index: int  # position in the executed notebook's cells
    mime_type: str  # a key of IMAGE_SUFFIXES
    data: bytes
    caption: str


def _output_bytes(mime_type: str, payload) -> bytes:
    # nbformat allows a multi-line string to be stored as a list of lines
    text = "".join(payload) if isinstance(payload, list) else str(payload)
    if mime_type == "image/svg+xml":
        return text.encode("utf-8")
    return base64.b64decode(text, validate=False)


def figure_caption(cells: list, index: int) -> str:
    """``“section heading” (cell 20)``: what the figure of cell ``index`` shows, and where to find it."""
    section = section_heading(cells, index)
    return f"{section} (cell {cell_number(cells, index)})" if section else describe_cell(cells, index)


def key_figures(notebook: dict) -> list[Figure]:
    """The images of the cells tagged ``key-figure``, in order, each captioned by :func:`figure_caption`."""
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise ValueError(f"key_figures: expected a notebook dict with a 'cells' list, got {type(notebook).__name__}")
    cells = notebook["cells"]
    figures = []
    for index, cell in enumerate(cells):
        if KEY_FIGURE_TAG not in cell.get("metadata", {}).get("tags", []):
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            # an output may offer several formats of one image: keep the first we can show
            mime_type = next((m for m in IMAGE_SUFFIXES if m in data), None)
            if mime_type is None:
                continue
            try:
                payload = _output_bytes(mime_type, data[mime_type])
            except (binascii.Error, ValueError):
                continue  # a corrupt image is not worth failing the report over
            figures.append(Figure(index, mime_type, payload, figure_caption(cells, index)))
    return _numbered_within_cells(figures)


def _numbered_within_cells(figures: list[Figure]) -> list[Figure]:
    """Tell apart the figures of one cell: ``caption, figure 2 of 3``."""
    per_cell = Counter(figure.cell_index for figure in figures)
    seen = Counter()
    numbered = []
    for figure in figures:
        seen[figure.cell_index] += 1
        if per_cell[figure.cell_index] > 1:
            caption = f"{figure.caption}, figure {seen[figure.cell_index]} of {per_cell[figure.cell_index]}"
            figure = replace(figure, caption=caption)
        numbered.append(figure)
    return numbered


def copy_mathjax(out_dir: Path) -> Path:
    """Copy MathJax into ``out_dir/mathjax/``; return its script. FileNotFoundError when the package is missing."""
    try:
        source = resources.files("mathjax") / "static" / "mathjax"
    except ModuleNotFoundError:
        source = None
    if source is None or not source.joinpath(MATHJAX_FILES[0]).is_file():
        raise FileNotFoundError(f"MathJax is not installed, so equations would show as LaTeX: {MATHJAX_INSTALL}")
    folder = Path(out_dir) / MATHJAX_DIR
    folder.mkdir(parents=True, exist_ok=True)
    for name in MATHJAX_FILES:
        with resources.as_file(source.joinpath(name)) as path:
            shutil.copyfile(path, folder / Path(name).name)
    return folder / Path(MATHJAX_FILES[0]).name


def render_notebook(notebook: Path, html_path: Path, mathjax: Path | None = None) -> str | None:
    """Render an executed notebook to HTML with nbconvert (images embedded); the error text on failure, else None.

    ``mathjax``: the MathJax script the page loads, by a path relative to the page (None: no typesetting).
    """
    notebook, html_path = Path(notebook), Path(html_path)
    if html_path.suffix != ".html":
        raise ValueError(f"render_notebook: expected an .html output path, got {html_path}")
    try:
        import jinja2
        from nbconvert import HTMLExporter

        exporter = HTMLExporter(
            embed_images=True,
            extra_loaders=[jinja2.DictLoader({"dlnotes.html.j2": NOTEBOOK_TEMPLATE})],
            template_file="dlnotes.html.j2",
            mathjax_url=_link(mathjax, html_path.parent) if mathjax else "",
        )
        body, _ = exporter.from_filename(str(notebook))
        html_path.write_text(body, encoding="utf-8")
    except Exception as exc:  # nbconvert, its templates and the notebook's JSON raise many types; all mean "not rendered"
        html_path.unlink(missing_ok=True)  # never link a stale page from an earlier run
        return f"{type(exc).__name__}: {exc}".strip()
    return None


def _link(path: Path, out_dir: Path) -> str:
    """An href for ``path`` relative to the page in ``out_dir``."""
    return quote(Path(os.path.relpath(path, out_dir)).as_posix())


def _write_figures(name: str, notebook: Path, out_dir: Path) -> tuple[list[tuple[str, str]], str | None]:
    """Write a chapter's key figures under out_dir/figures; return (href, caption) pairs and an error, if any."""
    folder = out_dir / FIGURE_DIR
    for stale in folder.glob(f"{name}-*"):  # figures of an earlier run into the same folder
        stale.unlink()
    if not notebook.is_file():
        return [], None
    try:
        figures = key_figures(load_notebook(notebook))
    except (OSError, ValueError) as exc:
        return [], f"could not read the executed notebook for its figures: {type(exc).__name__}: {exc}"
    written = []
    folder.mkdir(exist_ok=True)
    for number, figure in enumerate(figures, 1):
        path = folder / f"{name}-{number}{IMAGE_SUFFIXES[figure.mime_type]}"
        path.write_bytes(figure.data)
        written.append((_link(path, out_dir), figure.caption))
    return written, None


STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 72rem;
       padding: 0 1rem; color: #1d1d1f; }
h1 { margin-bottom: .2rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
table { border-collapse: collapse; margin: .6rem 0; } th, td { border: 1px solid #ddd; padding: .25rem .6rem; }
th { background: #f4f4f6; text-align: left; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.status { font-weight: 600; padding: .05rem .5rem; border-radius: .6rem; }
.ok { color: #0a6b2d; background: #dff5e5; } .failed { color: #9b1c1c; background: #fde2e2; }
.met { color: #0a6b2d; } .missed { color: #9b1c1c; font-weight: 600; }
.note { background: #fff7db; border-left: 4px solid #e0b400; padding: .4rem .8rem; }
pre.error { background: #fde2e2; padding: .6rem; white-space: pre-wrap; }
.figures { display: flex; flex-wrap: wrap; gap: 1rem; }
figure { margin: 0; max-width: 20rem; } figure img { max-width: 100%; max-height: 14rem; border: 1px solid #ddd; }
figcaption { font-size: 85%; color: #555; }
"""


def _status(status: str) -> str:
    css = "ok" if status == "ok" else "failed"
    return f'<span class="status {css}">{escape(status)}</span>'


def _metrics_table(metrics: dict, mode: str) -> str:
    if not metrics:
        return "<p>No metrics recorded.</p>"
    rows = []
    for metric, value in metrics.items():
        ok = meets(metric, metrics, mode)
        met = "" if ok is None else '<span class="met">yes</span>' if ok else '<span class="missed">no</span>'
        rows.append(
            f"<tr><td>{escape(metric)}</td><td class=num>{value:.4g}</td>"
            f"<td>{escape(bound_text(metric, mode))}</td><td>{met}</td></tr>"
        )
    bound = "threshold (FAST mode)" if mode == "fast" else "target (full mode)"
    head = f"<tr><th>metric</th><th>value</th><th>{bound}</th><th>met</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def _bounds_summary(metrics: dict, mode: str) -> str:
    verdicts = [meets(metric, metrics, mode) for metric in metrics]
    verdicts = [v for v in verdicts if v is not None]
    return f"{sum(verdicts)} of {len(verdicts)}" if verdicts else "none to meet"


def _chapter_section(name: str, chapter: dict, out_dir: Path, mode: str, mathjax: Path | None) -> str:
    notebook = Path(chapter["notebook"])
    parts = [f'<h2 id="{escape(name)}">{escape(name)} {_status(chapter["status"])}</h2>']
    links = []
    if notebook.is_file():
        rendered = out_dir / f"{name}.html"
        render_error = render_notebook(notebook, rendered, mathjax)
        if render_error is None:
            links.append(f'<a href="{_link(rendered, out_dir)}">executed notebook (HTML)</a>')
        links.append(f'<a href="{_link(notebook, out_dir)}">{escape(notebook.name)}</a>')
        if render_error is not None:
            parts.append(f'<p class="note">Rendering the notebook to HTML failed: {escape(render_error)}</p>')
    else:
        parts.append('<p class="note">The executed notebook was not written.</p>')
    parts.append(f"<p>{float(chapter['seconds']):.1f} s" + (" · " + " · ".join(links) if links else "") + "</p>")
    if chapter["error"]:
        parts.append(f'<pre class="error">{escape(chapter["error"])}</pre>')
    parts.append("<h3>Metrics</h3>" + _metrics_table(chapter["metrics"], mode))
    slowest = "".join(f"<li>{escape(c['cell'])}: {float(c['seconds']):.1f} s</li>" for c in chapter["slowest_cells"])
    parts.append("<h3>Slowest cells</h3>" + (f"<ul>{slowest}</ul>" if slowest else "<p>none</p>"))
    figures, figure_error = _write_figures(name, notebook, out_dir)
    parts.append("<h3>Key figures</h3>")
    if figure_error:
        parts.append(f'<p class="note">{escape(figure_error)}</p>')
    if figures:
        thumbnails = "".join(
            f'<figure><a href="{href}"><img src="{href}" alt="{escape(caption)}"></a>'
            f"<figcaption>{escape(caption)}</figcaption></figure>"
            for href, caption in figures
        )
        parts.append(f'<div class="figures">{thumbnails}</div>')
    elif not figure_error:
        parts.append(f"<p>No key figure: no cell tagged <code>{KEY_FIGURE_TAG}</code> drew an image.</p>")
    return "<section>" + "\n".join(parts) + "</section>"


def _check_report(report) -> None:
    if not isinstance(report, dict) or report.get("mode") not in ("fast", "full") or not isinstance(report.get("chapters"), dict):
        raise ValueError(
            "write_html_report: expected the runner's report, a dict with 'mode' ('fast' or 'full') and a 'chapters' dict; "
            f"got {type(report).__name__} with keys {sorted(report) if isinstance(report, dict) else 'none'}"
        )
    for name, chapter in report["chapters"].items():
        missing = [key for key in CHAPTER_KEYS if key not in chapter]
        if missing:
            raise ValueError(f"write_html_report: chapter {name!r} lacks {', '.join(missing)} (expected the keys {CHAPTER_KEYS})")


def write_html_report(report: dict, out_dir: str | Path) -> Path:
    """Write index.html, the rendered notebooks and the key figures for ``report`` into ``out_dir``; return index.html."""
    _check_report(report)
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise FileNotFoundError(f"write_html_report: output folder not found: {out_dir}")
    mode = report["mode"]
    chapters = report["chapters"]
    summary_rows = "".join(
        f'<tr><td><a href="#{quote(name)}">{escape(name)}</a></td><td>{_status(c["status"])}</td>'
        f"<td class=num>{float(c['seconds']):.1f}</td><td>{_bounds_summary(c['metrics'], mode)}</td></tr>"
        for name, c in chapters.items()
    )
    failed = [name for name, c in chapters.items() if c["status"] != "ok"]
    verdict = f"{len(failed)} of {len(chapters)} chapters failed: {', '.join(failed)}" if failed else "all chapters ok"
    total = sum(float(c["seconds"]) for c in chapters.values())
    fast_note = (
        '<p class="note">FAST mode: the chapters trained on small subsets for a few steps, so each metric is '
        "checked against its FAST threshold (what the tests require), not against the target that full mode "
        "promises; run without FAST to check the targets.</p>"
        if mode == "fast"
        else ""
    )
    bounds = "thresholds met" if mode == "fast" else "targets met"
    try:
        mathjax, mathjax_note = copy_mathjax(out_dir), ""
    except FileNotFoundError as exc:
        mathjax, mathjax_note = None, f'<p class="note">{escape(str(exc))}</p>'
    sections = "\n".join(_chapter_section(name, c, out_dir, mode, mathjax) for name, c in chapters.items())
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dlnotes course run ({escape(report["mode"])} mode)</title>
<style>{STYLE}</style>
</head>
<body>
<h1>dlnotes course run, {escape(report["mode"])} mode</h1>
<p>Finished {escape(str(report.get("finished", "?")))} on {escape(str(report.get("machine", "?")))}:
{escape(verdict)}, {total:.1f} s in all.</p>
{fast_note}
{mathjax_note}
<table><tr><th>chapter</th><th>status</th><th>seconds</th><th>{bounds}</th></tr>{summary_rows}</table>
{sections}
</body>
</html>
"""
    index = out_dir / "index.html"
    index.write_text(page, encoding="utf-8")
    return index
