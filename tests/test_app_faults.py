"""The app when its PostgreSQL store goes away and comes back (issue 22.8): every page works, saving is off with a
banner that says why, and back on by itself.  A real server, stopped and started by the test."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from coverage.store import ScenarioStore

from .conftest import require_system
from .pgcluster import binaries, create_database, free_port
from .test_app import said
from .test_app_store import add, go, new_session

PAGES = ("map_hubs", "coverage_tables", "budget", "optimiser", "scenarios", "compare", "sweeps", "data")


class Server:
    """A throw-away PostgreSQL cluster this test can stop and start again on the same port."""

    def __init__(self):
        self.bin = binaries()
        self.folder = Path(tempfile.mkdtemp(prefix="coverage-pg-fault-"))
        self.prefix: list[str] = []
        if os.geteuid() == 0:  # initdb refuses root
            shutil.chown(self.folder, "postgres")
            self.prefix = ["runuser", "-u", "postgres", "--"]
        self.data, self.port = self.folder / "data", free_port()
        subprocess.run([*self.prefix, str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "coverage",
                        "-E", "UTF8", "--no-sync"], check=True, capture_output=True)
        self.url = f"postgresql://coverage@127.0.0.1:{self.port}"

    def pg_ctl(self, *arguments: str) -> None:
        subprocess.run([*self.prefix, str(self.bin / "pg_ctl"), "-D", str(self.data), *arguments], check=True,
                       capture_output=True, timeout=120)

    def start(self) -> None:
        self.pg_ctl("-l", str(self.folder / "server.log"), "-w", "-o",
                    f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def stop(self) -> None:
        self.pg_ctl("-m", "fast", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self.pg_ctl("-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def server():
    require_system("PostgreSQL server (Debian package 'postgresql')", binaries())
    instance = Server()
    instance.start()
    try:
        yield instance
    finally:
        instance.remove()


def saving_off(app) -> list[str]:
    return [w.value for w in said(app.warning) if "Saving is off" in w.value or "stopped answering" in w.value]


def test_a_stopped_database_turns_saving_off_on_every_page_and_back_on_by_itself(server, monkeypatch):
    url = create_database(server.url, "faults")
    monkeypatch.setenv("COVERAGE_STORE_URL", url)
    app = new_session(browser="browser-faults")
    add(app, "Dodge City, KS")
    go(app, "scenarios")
    app.button(key="save").click()
    run_ok(app)
    assert not saving_off(app)

    server.stop()
    for page in PAGES:  # the first look after the stop may still find a pooled connection: no traceback either way
        go(app, page)
        assert not app.exception, [e.value for e in app.exception]
    assert saving_off(app), [w.value for w in said(app.warning)]
    assert any("does not answer" in w or "stopped answering" in w or "cannot use the scenario store" in w
               for w in saving_off(app)), saving_off(app)
    assert not any("Traceback" in w or ".py" in w for w in saving_off(app))
    add(app, "Hays, KS")  # the plan goes on
    assert len(app.session_state["workspace"].scenario.hubs) == 2
    go(app, "scenarios")
    assert app.button(key="save").disabled
    go(app, "compare")
    assert not app.exception

    server.start()
    deadline = time.monotonic() + 60
    while saving_off(app) and time.monotonic() < deadline:  # back on by itself: no "Try again" needed
        time.sleep(1)
        app.run()
        assert not app.exception, [e.value for e in app.exception]
    assert not saving_off(app)
    go(app, "scenarios")
    app.button(key="save").click()
    run_ok(app)
    (saved,) = ScenarioStore(url).list()
    assert saved.latest_version == 2 and saved.figures["hubs"] == 2
    assert [h["site_id"] for h in ScenarioStore(url).get_draft("browser-faults").document["hubs"]] == [
        h.site_id for h in app.session_state["workspace"].scenario.hubs]  # the draft is saved again too


def run_ok(app) -> None:
    app.run()
    assert not app.exception, [e.value for e in app.exception]
