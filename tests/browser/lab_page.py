"""What a learner does in JupyterLab, as Playwright steps on a page: open a notebook, set FAST in its parameters
cell, Run All, save; and what the page then shows: prompts, outputs, images, exercise verdicts.

Every wait has a timeout; the selectors are JupyterLab 4's (``jp-*`` classes, Lumino menus, CodeMirror 6 lines).
"""

from __future__ import annotations

import re

KERNEL_START_TIMEOUT_MS = 120_000  # a fresh kernel on busy cores
RUN_ALL_TIMEOUT_MS = 600_000  # a FAST chapter takes 40-60 s on two idle cores; ten times that on shared ones
IMAGE_TIMEOUT_MS = 30_000

KERNEL_IDLE = '.jp-Notebook-ExecutionIndicator[data-status="idle"]'
VERDICT = re.compile(r"^([✓✗]) (\w+): (passed|not answered yet|not yet)", re.MULTILINE)
STDERR = "application/vnd.jupyter.stderr"  # JupyterLab shows stderr and error tracebacks under this type

# True once Run All is over: no cell waits or runs ([*]) and a cell has run (a fresh, stripped notebook shows
# none before, so this cannot hold before Run All has started).
RUN_ALL_DONE = """() => {
    const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.textContent);
    return !prompts.some(p => p.includes('*')) && prompts.some(p => /\\[\\d+\\]/.test(p));
}"""
IMAGES_DONE = "() => [...document.querySelectorAll('.jp-OutputArea-output img')].every(image => image.complete)"


def open_notebook(page, lab, path: str) -> None:
    """Open ``path`` (relative to the server's root) and wait until its kernel has started and is idle."""
    page.goto(lab.tree_url(path))
    page.wait_for_selector(".jp-NotebookPanel .jp-CodeCell")
    assert page.locator(".jp-NotebookPanel").count() == 1, "other notebooks are open: the checks would read them too"
    page.wait_for_selector(KERNEL_IDLE, timeout=KERNEL_START_TIMEOUT_MS)


def set_fast(page) -> str:
    """Turn ``FAST = False`` into ``FAST = True`` by typing in the parameters cell; return that cell's new text."""
    line = page.locator(".cm-line").filter(has_text=re.compile(r"^FAST = False\b"))
    cell = page.locator(".jp-CodeCell").filter(has=line).element_handle()  # stays this cell after the edit
    line.click()  # edit mode, the cursor somewhere on that line
    page.keyboard.press("Home")
    for _ in "FAST = ":
        page.keyboard.press("ArrowRight")
    for _ in "False":
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.type("True")
    page.keyboard.press("Escape")  # back to command mode, as after any edit
    return cell.query_selector(".cm-content").inner_text()


def run_all(page) -> None:
    """Run ▸ Run All Cells, then wait until the last cell has run or the run has stopped at an error."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    page.wait_for_function(RUN_ALL_DONE, timeout=RUN_ALL_TIMEOUT_MS, polling=1000)
    page.wait_for_selector(KERNEL_IDLE)


def save(page) -> None:
    """File ▸ Save (Ctrl+S) and wait until the notebook's tab no longer shows unsaved changes."""
    page.keyboard.press("Control+s")
    page.wait_for_selector(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty", state="detached")


def execution_counts(page) -> list[int | None]:
    """Each code cell's execution count, from its prompt (``[3]:``); None for a cell that never ran (``[ ]:``)."""
    prompts = page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
    counts = [re.fullmatch(r"\[(\d+)\]:", prompt.strip()) for prompt in prompts]
    return [int(count[1]) if count else None for count in counts]


def outputs(page) -> list[tuple[str, str]]:
    """Every output on the page, in order, as (MIME type it is rendered as, its text)."""
    return page.eval_on_selector_all(
        ".jp-OutputArea-output", "nodes => nodes.map(node => [node.dataset.mimeType || '', node.innerText])"
    )


def image_widths(page) -> list[int]:
    """The natural width of every image in the outputs once each has finished loading (0: it did not load)."""
    page.wait_for_function(IMAGES_DONE, timeout=IMAGE_TIMEOUT_MS)
    return page.eval_on_selector_all(".jp-OutputArea-output img", "images => images.map(image => image.naturalWidth)")


def verdicts(page) -> dict[str, str]:
    """The exercise verdicts the check cells printed, by exercise id: ``"passed"``, ``"not yet"`` (a wrong answer) or
    ``"not answered yet"`` (an answer still ``...``)."""
    found = {}
    for _, text in outputs(page):
        for _, exercise_id, verdict in VERDICT.findall(text):
            found[exercise_id] = verdict
    return found
