"""The browser tests' machinery: a real ``jupyter lab`` on 127.0.0.1 over a temporary copy of the notebooks,
and Debian's Chromium driven by Playwright.

These tests run only when the marker expression names them (``make test-browser``: ``pytest -m browser``);
any other selection, ``make test`` included, deselects them and says so, so that the everyday commands need
neither a browser nor Playwright. A missing Chromium or Playwright fails the test with the fix, never skips it.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from dlnotes.course.notebooks import NOTEBOOK_DIR

CHROMIUM = os.environ.get("DLNOTES_CHROMIUM", "/usr/bin/chromium")
SERVER_START_TIMEOUT = 120  # seconds until the server answers: it imports every server extension first
SERVER_STOP_TIMEOUT = 30
# JupyterLab's settings for the test's own settings folder (the user's own settings are never read):
SETTINGS = {
    # every cell stays in the page (JupyterLab 4 may leave cells outside the window out of the DOM)
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    # no "Would you like to get notified about official Jupyter news?" toast over the notebook, no request out
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
}


DESELECTED = pytest.StashKey[int]()  # how many browser tests this run left out


# --- run only under -m browser -------------------------------------------------------------------------------


def pytest_collection_modifyitems(config, items):
    """Deselect the browser tests unless ``-m`` names them: ``make test`` must run without a browser."""
    if "browser" in (config.option.markexpr or ""):
        return
    browser_tests = [item for item in items if item.get_closest_marker("browser")]
    if browser_tests:
        items[:] = [item for item in items if not item.get_closest_marker("browser")]
        config.hook.pytest_deselected(items=browser_tests)
        config.stash[DESELECTED] = len(browser_tests)


def pytest_terminal_summary(terminalreporter, config):
    if config.stash.get(DESELECTED, 0):
        terminalreporter.write_line(f"{config.stash[DESELECTED]} browser tests deselected: `make test-browser` runs them")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so that the ``page`` fixture knows whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


# --- the JupyterLab server -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lab:
    """A running JupyterLab: its address, token and the folder it serves."""

    url: str
    token: str
    root: Path

    def tree_url(self, path: str) -> str:
        """The address that opens ``path`` (relative to :attr:`root`) alone in JupyterLab, logged in by the token.

        ``reset`` empties the workspace first: without it JupyterLab reopens the notebooks of earlier tests.
        """
        return f"{self.url}/lab/tree/{path}?reset&token={self.token}"

    def api(self, endpoint: str, method: str = "GET", timeout: float = 10):
        """The JSON answer of the server's REST API at ``/api/<endpoint>``."""
        request = urllib.request.Request(
            f"{self.url}/api/{endpoint}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _write_settings(folder: Path) -> None:
    for name, values in SETTINGS.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")


def _server_environment(scratch: Path) -> dict[str, str]:
    """Our environment (DLNOTES_DATA_DIR, PYTHONPATH), as a student's JupyterLab would have it, in ``scratch``."""
    environment = dict(os.environ)
    # the runner and CI set MPLBACKEND=Agg; a kernel started with it shows no figures, a student's has none
    environment.pop("MPLBACKEND", None)
    environment["JUPYTER_CONFIG_DIR"] = str(scratch / "config")  # no user configuration
    environment["JUPYTER_RUNTIME_DIR"] = str(scratch / "runtime")
    environment["DLNOTES_CACHE_DIR"] = str(scratch / "cache")  # every model trains: nothing from earlier runs
    return environment


def _wait_until_serving(lab: Lab, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"jupyter lab exited with status {process.returncode} before serving; its log:\n{_tail(log)}")
        try:
            lab.api("status", timeout=2)
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    pytest.fail(f"jupyter lab did not answer on {lab.url} within {SERVER_START_TIMEOUT} s; its log:\n{_tail(log)}")


def _stop(lab: Lab, process: subprocess.Popen) -> None:
    """Shut the server down through its API (it stops its kernels), else end its process group."""
    try:
        lab.api("shutdown", method="POST")
        process.wait(timeout=SERVER_STOP_TIMEOUT)
    except (urllib.error.URLError, ConnectionError, TimeoutError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)  # the server and the kernels it started, nothing else
        process.wait(timeout=SERVER_STOP_TIMEOUT)


def _tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory) -> Lab:
    """JupyterLab serving a temporary folder that holds a copy of ``notebooks/``; stopped after the session."""
    scratch = tmp_path_factory.mktemp("jupyterlab")
    root = scratch / "root"
    shutil.copytree(NOTEBOOK_DIR, root / "notebooks")
    settings = scratch / "settings"
    _write_settings(settings)
    lab = Lab(url=f"http://127.0.0.1:{_free_port()}", token=secrets.token_hex(16), root=root)
    log = scratch / "jupyter-lab.log"
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={lab.url.rsplit(':', 1)[1]}",
        "--ServerApp.port_retries=0",  # the port we chose or a failure, never another one
        "--ServerApp.allow_root=True",  # CI runs as root
        f"--IdentityProvider.token={lab.token}", f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={scratch / 'workspaces'}",
        "--LabApp.news_url=None",
    ]  # fmt: skip
    with log.open("w") as log_file:
        process = subprocess.Popen(
            command, cwd=root, env=_server_environment(scratch), stdout=log_file, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, which _stop can end with its kernels
        )  # fmt: skip
    try:
        _wait_until_serving(lab, process, log)
        yield lab
    finally:
        _stop(lab, process)


@pytest.fixture
def lab(lab_server) -> Lab:
    """The JupyterLab server; the kernels a test started are shut down after it (each holds TensorFlow)."""
    yield lab_server
    for session in lab_server.api("sessions"):
        lab_server.api(f"sessions/{session['id']}", method="DELETE")


# --- the browser ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium (``$DLNOTES_CHROMIUM``, default /usr/bin/chromium), headless, driven by Playwright."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is not installed: `pip install -e '.[browser]'` (make test-browser does it)")
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"no Chromium at {CHROMIUM}: install it (Debian, Ubuntu: `apt-get install chromium`) or point "
            "DLNOTES_CHROMIUM at a Chromium binary; never `playwright install`, which downloads its own"
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, request, tmp_path):
    """A fresh browser page (its own cookies and storage); a screenshot is kept when the test fails."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)  # milliseconds: any single wait on the page unless a test says otherwise
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        page.screenshot(path=tmp_path / "failure.png", full_page=True)
        print(f"screenshot of the page when the test failed: {tmp_path / 'failure.png'}")
    context.close()
