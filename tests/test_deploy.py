"""A team's deployment: two app processes behind nginx on one PostgreSQL store (``python -m ui.serve --processes 2``).

The sessions are tabs spoken over Streamlit's own websocket protocol
(``benchmarks/loadclient.py``), each pinned to a process by the proxy's cookie, as a
browser is; psutil shows which process holds each tab's websocket.  Sign-in is tested with
Chromium and a real OpenID provider (``test_auth_browser.py``'s): one secrets file, so one
``cookie_secret``, for both processes.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import urllib.request

import pytest

from benchmarks.loadclient import Session, arrow_table, share_query, trigger

from .conftest import ROOT, require_system
from .test_auth_browser import provider, secrets_text, sign_in  # noqa: F401 (provider is a fixture)

PILOT = ROOT / "examples" / "plains_pilot.json"


def run_async(coroutine):
    """Run a coroutine to its end in a thread of its own: a Playwright browser of an earlier test (its sync API
    keeps an event loop running in this thread) must not stop ``asyncio.run``."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture
def nginx() -> str:
    from ui.serve import nginx_binary

    found = nginx_binary()
    require_system("nginx (Debian package 'nginx')", found)
    return found


def websockets_on(pid: int, port: int) -> int:
    """Open connections to the app process ``pid`` on its port (nginx keeps none to it but a tab's websocket)."""
    import psutil

    return sum(1 for c in psutil.Process(pid).net_connections(kind="tcp")
               if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port)


def listed_names(session: Session) -> list[str]:
    table = session.find("dataframe", key_part="scenario-list")
    return [] if table is None else [str(name) for name in arrow_table(table).column("name").to_pylist()]


def test_a_plan_saved_through_one_process_is_listed_at_once_by_a_tab_on_the_other(nginx, postgres_url):
    from coverage.scenario import load_scenario
    from coverage.store import ScenarioStore
    from ui.serve import deployment

    name = load_scenario(PILOT).name

    async def scenario(running) -> None:
        ports = [int(url.rsplit(":", 1)[1]) for url in running.app_urls]
        first, second = Session(running.url, share_query(str(PILOT))), Session(running.url)
        first.cookies["rcp_process"], second.cookies["rcp_process"] = "0", "1"  # as the proxy set them before
        for session in (first, second):
            opened = await session.open()
            assert opened.error is None, opened.error
        # the cookie decides the process: each tab's websocket is held by the process it names
        assert [websockets_on(pid, port) for pid, port in zip(running.app_pids, ports)] == [1, 1]
        try:
            assert (await second.goto("scenarios")).error is None
            assert name not in listed_names(second)
            assert (await first.goto("scenarios")).error is None
            save = first.find("button", key="save")
            assert save is not None and not save.proto.disabled, "saving is off on process 0"
            saved = await first.rerun({save.id: trigger(save.id)}, kind="save")
            assert saved.error is None, saved.error
            # the other process lists it on its next run: nothing cached per process stands in between
            again = await second.rerun({}, kind="rerun")
            assert again.error is None, again.error
            assert name in listed_names(second)
        finally:
            await first.close()
            await second.close()

    with deployment(2, store_url=postgres_url) as running:
        run_async(scenario(running))
        logs = "".join(log.read_text() for log in running.logs)
    assert "Traceback" not in logs, logs[-3000:]
    store = ScenarioStore(postgres_url)
    assert [info.name for info in store.list()] == [name]


def test_a_new_browser_is_pinned_to_the_process_that_answered_it(nginx, postgres_url):
    """The first answer sets the cookie; with it, every request (HTTP and websocket) goes to that process."""
    from ui.serve import deployment

    async def scenario(running) -> list[str]:
        pinned = []
        for _ in range(4):
            session = Session(running.url)
            await session.open()
            pinned.append(session.cookies.get("rcp_process"))
            await session.close()
        return pinned

    with deployment(2, store_url=postgres_url) as running:
        pinned = run_async(scenario(running))
        assert set(pinned) == {"0", "1"}, pinned  # new browsers spread over both processes (least connections)
        # a process that is down: its browsers go to the other one, and the cookie follows
        import psutil

        psutil.Process(running.app_pids[0]).terminate()
        psutil.Process(running.app_pids[0]).wait(30)
        request = urllib.request.Request(f"{running.url}/_stcore/health", headers={"Cookie": "rcp_process=0"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.status == 200
            assert any(c.startswith("rcp_process=1;") for c in answer.headers.get_all("Set-Cookie") or [])


def test_a_sign_in_through_one_process_is_accepted_by_the_other(nginx, postgres_url, provider, browser,  # noqa: F811
                                                                  tmp_path):
    """The sign-in starts on process 0, its callback lands on process 1 (which reads the sign-in's state that 0
    signed), and the signed cookie is then good on both: both read one secrets file, so one ``cookie_secret``."""
    from ui.serve import deployment, free_port

    port = free_port()
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(secrets_text(provider, redirect_uri=f"http://127.0.0.1:{port}/oauth2callback"))
    with deployment(2, port=port, store_url=postgres_url, options=["--secrets.files", str(secrets)]) as running:
        ports = [int(url.rsplit(":", 1)[1]) for url in running.app_urls]

        def pin(context, process: str) -> None:
            context.add_cookies([{"name": "rcp_process", "value": process, "url": running.url}])

        context, page = sign_in(browser, running.url, "alice", cookies=[
            {"name": "rcp_process", "value": "0", "url": running.url}], at_the_provider=lambda c: pin(c, "1"))
        assert websockets_on(running.app_pids[1], ports[1]) >= 1  # signed in, and shown, by process 1
        pin(context, "0")
        page.goto(running.url)  # the same browser on process 0: its cookie, signed by process 1, is good there
        page.locator(".st-key-signed-in").wait_for(timeout=90_000)
        assert "Alice Archer" in page.locator(".st-key-signed-in").inner_text()
        assert page.get_by_role("button", name="Sign in").count() == 0
        assert websockets_on(running.app_pids[0], ports[0]) >= 1
        context.close()
        logs = "".join(log.read_text() for log in running.logs)
    assert "Traceback" not in logs, logs[-3000:]
