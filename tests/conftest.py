"""Shared fixtures: system parts (Chromium, PostgreSQL), scenario stores and a served app.

A test that needs a system part skips when it is missing, unless
REQUIRE_SYSTEM_TESTS=1 (set by .ci/run), which turns the skip into a failure so
that CI never passes on skipped tests.

Every test gets its own empty SQLite scenario store (``COVERAGE_STORE_URL``), so no
test reads or writes the planner's real store in the user data folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

from .pgcluster import free_port  # noqa: F401 (re-exported for the tests)

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
REQUIRE_SYSTEM_TESTS = os.environ.get("REQUIRE_SYSTEM_TESTS") == "1"


def require_system(part: str, found: object) -> None:
    """Skip (or, under REQUIRE_SYSTEM_TESTS=1, fail) when a system part is missing."""
    if found:
        return
    message = f"{part} is not installed on this machine"
    if REQUIRE_SYSTEM_TESTS:
        pytest.fail(f"{message}, and REQUIRE_SYSTEM_TESTS=1 forbids skipping (.ci/run installs it)")
    pytest.skip(message)


@pytest.fixture(autouse=True)
def isolated_store(tmp_path, monkeypatch) -> str:
    """Each test's own scenario store (a SQLite file in its temporary folder)."""
    url = f"sqlite:///{tmp_path / 'store' / 'scenarios.db'}"
    monkeypatch.setenv("COVERAGE_STORE_URL", url)
    return url


@pytest.fixture(scope="session")
def postgres_server():
    """A throw-away PostgreSQL cluster for the whole run; yields its base URL."""
    from .pgcluster import binaries, throwaway_cluster

    require_system("PostgreSQL server (Debian package 'postgresql')", binaries())
    with throwaway_cluster() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """A fresh, empty database on the throw-away server."""
    from .pgcluster import create_database

    return create_database(postgres_server, f"t{uuid.uuid4().hex[:16]}")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    """An empty store, once as a SQLite file and once as a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'scenarios.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of Debian's Chromium, the browser the UI tests drive."""
    path = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    require_system("Chromium (Debian package 'chromium')", path)
    return str(path)


@contextlib.contextmanager
def serve_app(log_name: str = "streamlit-server.log"):
    """The real app served as ``make run`` serves it (``streamlit run app.py``) on 127.0.0.1; yields its URL."""
    from ui.serve import serving

    store = Path(tempfile.mkdtemp(prefix="coverage-served-")) / "scenarios.db"
    with open(ARTIFACTS.mkdir(exist_ok=True) or ARTIFACTS / log_name, "w") as log, contextlib.ExitStack() as stack:
        try:
            url = stack.enter_context(serving(log, environment={"COVERAGE_STORE_URL": f"sqlite:///{store}"}))
        except RuntimeError as error:
            pytest.fail(f"{error}; see {log.name}")
        yield url


@pytest.fixture(scope="session")
def served_app(chromium_path: str):
    """The app served once for the browser tests; yields its URL."""
    with serve_app() as url:
        yield url


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def browser(chromium_path: str):
    """A headless Chromium driven by Playwright (never Playwright's own browser download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, request):
    """A fresh page that records console errors, dialogs and failed requests for assertions."""
    context = browser.new_context(viewport={"width": 1400, "height": 950})
    tab = context.new_page()
    tab.console_errors = []
    tab.dialogs = []
    tab.failed_requests = []
    tab.on("console", lambda message: message.type == "error" and tab.console_errors.append(message.text))
    tab.on("pageerror", lambda error: tab.console_errors.append(str(error)))
    tab.on("requestfailed", lambda req: tab.failed_requests.append(req.url))

    def on_dialog(dialog):
        tab.dialogs.append(dialog.message)
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    yield tab
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
