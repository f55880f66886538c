"""The HTML course report as a reader opens it: from disk (file://), offline, following its links."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import pytest

pytestmark = pytest.mark.browser

REPOSITORY = Path(__file__).resolve().parents[2]
REPORT_TIMEOUT = 900  # seconds for `python -m dlnotes run --fast --only 01`: 40-60 s on two idle cores


@dataclass
class Crawl:
    """What the report's pages showed: every page reached, and what did not load or resolve."""

    pages: list[Path] = field(default_factory=list)
    images: dict[Path, int] = field(default_factory=dict)  # images on each page
    broken_images: list[str] = field(default_factory=list)
    missing_files: list[str] = field(default_factory=list)
    missing_anchors: list[str] = field(default_factory=list)
    external_links: dict[Path, list[str]] = field(default_factory=dict)  # not followed: there is no internet


def crawl(page, start: Path) -> Crawl:
    """Open ``start`` and every HTML page of its folder that it links to, directly or not; check images and links."""
    found, pending, anchors_wanted, anchors_present = Crawl(), [start], [], {}
    while pending:
        path = pending.pop()
        if path in found.pages:
            continue
        found.pages.append(path)
        page.goto(path.as_uri(), wait_until="load")  # "load": after every image has loaded or failed
        images = page.eval_on_selector_all("img", "images => images.map(i => [i.currentSrc, i.naturalWidth])")
        found.images[path] = len(images)
        found.broken_images += [f"{path.name}: {src[:120]}" for src, width in images if width == 0]
        anchors_present[path] = set(page.eval_on_selector_all("[id], a[name]", "nodes => nodes.map(n => n.id || n.name)"))
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            url = urlsplit(href)
            if url.scheme != "file":
                found.external_links.setdefault(path, []).append(href)
                continue
            target = Path(url2pathname(url.path))
            if not target.exists():
                found.missing_files.append(f"{path.name} links to {target}")
                continue
            if url.fragment:
                anchors_wanted.append((path, target, url.fragment))
            if target.suffix == ".html" and target.parent == start.parent:
                pending.append(target)
    # as a browser finds a fragment's element: by the id as written, then percent-decoded (nbconvert's ids keep %C2%B7)
    found.missing_anchors = [
        f"{source.name} links to {target.name}#{anchor}"
        for source, target, anchor in anchors_wanted
        if not {anchor, unquote(anchor)} & anchors_present.get(target, set())
    ]
    return found


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """The HTML report of a FAST run of chapter 01, made by the runner as a user makes it."""
    out = tmp_path_factory.mktemp("report")
    made = subprocess.run(
        [sys.executable, "-m", "dlnotes", "run", "--fast", "--only", "01", "--out", str(out)],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=REPORT_TIMEOUT,
        env={**os.environ, "DLNOTES_CACHE_DIR": str(out / "cache")},  # every model trains: nothing from earlier runs
    )  # fmt: skip
    assert made.returncode == 0, f"python -m dlnotes run failed:\n{made.stdout}{made.stderr}"
    return out / "index.html"


def test_report_from_disk_loads_every_image_and_link(page, report):
    found = crawl(page, report)

    assert not found.broken_images, f"images that did not load: {found.broken_images}"
    assert not found.missing_files, f"links to files that do not exist: {found.missing_files}"
    assert not found.missing_anchors, f"links to anchors that do not exist: {found.missing_anchors}"
    rendered_chapter = report.parent / "01_perceptron_xor.html"
    assert rendered_chapter in found.pages, f"the index does not link the rendered chapter; pages: {found.pages}"
    assert found.images[report] > 0 and found.images[rendered_chapter] > 0, f"images per page: {found.images}"
    assert report not in found.external_links, f"the index must work offline: {found.external_links[report]}"


def test_crawl_finds_a_broken_image_a_missing_file_and_a_missing_anchor(page, tmp_path):
    (tmp_path / "index.html").write_text(
        '<img src="gone.png"><a href="other.html">other</a><a href="gone.html">gone</a><a href="#here">here</a>'
        '<a href="#nowhere">nowhere</a><h2 id="here">here</h2>'
    )
    (tmp_path / "other.html").write_text('<a href="index.html#elsewhere">back</a><a href="https://example.org/">out</a>')

    found = crawl(page, tmp_path / "index.html")

    assert found.pages == [tmp_path / "index.html", tmp_path / "other.html"]
    assert found.broken_images == ["index.html: " + (tmp_path / "gone.png").as_uri()]
    assert found.missing_files == [f"index.html links to {tmp_path / 'gone.html'}"]
    assert found.missing_anchors == ["index.html links to index.html#nowhere", "other.html links to index.html#elsewhere"]
    assert found.external_links == {tmp_path / "other.html": ["https://example.org/"]}
