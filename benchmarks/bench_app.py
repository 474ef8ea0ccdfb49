"""How fast the workspace answers a hub change: on the server and in the browser, for one planner or many.

    python benchmarks/bench_app.py [--json] [--hubs 300] [--repeats 10] [--samples 3] [--no-browser]
    python benchmarks/bench_app.py --load 1 5 10 20 50 --processes 1 2 4 [--duration 60] [--repeat 2]
                                   [--lever none nogc freeze] [--reports off on] [--probe] [--out results.jsonl]

Server: the map page rerun under Streamlit's AppTest on a plan of ``--hubs`` hubs, after a hub is added, after
a same-day threshold change, and with nothing changed (median over repeats; goal <= 100 ms; app.py and the
page compiled once, as the served app does). Browser: the real app served by ``streamlit run``, in Debian's
Chromium behind a proxy that counts the bytes the server sends (compressed, as on the wire); the plan opened
by its share link, then per sample a community selected on the map, *Add a hub here*, and a same-day threshold
change: click to settled (the run's ``script_finished`` and two animation frames), click to the sidebar's new
figure, bytes on the wire and of messages (goals: <= 400 ms, <= 50 kB).

Load (``--load N --processes P``): P app processes behind nginx with sticky sessions on
one PostgreSQL store (``python -m ui.serve``'s deployment, a throw-away cluster), and N
planners, each a tab spoken over Streamlit's websocket protocol (``loadclient.py``), on
the national plan opened from a share link.  Each planner, 2-4 s after its page settled,
changes something through the app's own widgets, in a cycle: selects a community on the
map and clicks *Add a hub here*, *Lock the hub here*, a same-day threshold change, moves
the hub in the hub table (its place), unlocks it there, removes it there, and the
threshold back.  Reported per configuration: median and p95 seconds from sending a change
to ``script_finished``, bytes received per change (and by element), server CPU per change
and per second, RSS per session (psutil on the app processes, after a warm-up tab on each),
errors, and the machine's load.  ``--lever nogc`` runs the processes with
``--runner.postScriptGC false``, ``--lever freeze`` with ``gc.freeze()`` after imports
(``python -m ui.serve --gc-freeze``).  ``--reports on`` adds one more tab that makes PDF reports back to
back (the sidebar's *Make the report*, a fragment run that waits for the report's worker process), changing the
threshold between them: its reports are reported apart, and the planners' figures show what they cost the
others.  ``--probe`` adds a Chromium tab under the load that
measures click to settled (the last frame in and the page's next two animation frames) and
the bytes its websocket receives per change.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: Issue 25's goals for one change on a 300-hub plan: server script time, click to settled in Chromium, wire bytes.
GOALS = {"server_ms": 100, "settled_ms": 400, "wire_bytes": 50_000}
#: Levers that need no change to the app: streamlit flags, and gc.freeze() after imports
#: (python -m ui.serve --gc-freeze).
LEVERS = {"none": ([], False), "nogc": (["--runner.postScriptGC", "false"], False), "freeze": ([], True)}
#: Kinds of change a planner makes (a map selection before an add is its own interaction, reported apart).
CHANGES = ("add", "lock", "threshold", "move", "unlock", "remove")


def server_rerun(hubs: int, repeats: int) -> dict:
    """The app's script under AppTest on a plan of ``hubs`` hubs: a rerun after a hub is added, after a same-day
    threshold change, and one that changes nothing (median and max milliseconds)."""
    import os
    import tempfile

    from streamlit.runtime.scriptrunner import script_cache
    from streamlit.testing.v1 import AppTest

    # The served app compiles app.py and each page once (the Runtime keeps one ScriptCache); AppTest makes a new
    # ScriptCache for every run, which would add 30-40 ms of parsing and compiling that no planner waits for.
    compiled: dict = {}
    fresh = script_cache.ScriptCache.__init__

    def one_cache(self) -> None:
        fresh(self)
        self._cache = compiled

    script_cache.ScriptCache.__init__ = one_cache  # type: ignore[method-assign]
    os.environ["COVERAGE_STORE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='bench-app-')}/scenarios.db"
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.run()
    workspace = app.session_state["workspace"]
    workspace.load(plan_with_hubs(hubs))
    app.run()
    app.run()
    ids = workspace.communities["community_id"].tolist()
    taken = {hub.site_id for hub in workspace.scenario.hubs}
    free = iter([i for i in ids[::-7] if i not in taken])
    times: dict[str, list[float]] = {"add": [], "threshold": [], "nothing": []}

    def timed(kind: str) -> None:
        start = time.perf_counter()
        app.run()
        times[kind].append(time.perf_counter() - start)

    for i in range(repeats):
        workspace.add_hub(next(free))
        timed("add")
        travel = workspace.scenario.travel
        workspace.set_travel(dataclasses.replace(travel, same_day_minutes=95.0 if i % 2 == 0 else 90.0))
        timed("threshold")
        timed("nothing")
    return {"hubs": hubs, **{f"{kind}_ms": round(float(np.median(values)) * 1000, 1) for kind, values in times.items()},
            **{f"{kind}_ms_max": round(float(np.max(values)) * 1000, 1) for kind, values in times.items()}}


def browser_changes(hubs: int, samples: int) -> dict:
    """Chromium on the served app behind a byte-counting proxy: a ``hubs``-hub plan's changes (medians)."""
    import tempfile
    from urllib.parse import urlparse

    from ui.serve import serving

    store = Path(tempfile.mkdtemp(prefix="bench-app-")) / "scenarios.db"  # never the planner's own store
    with serving(environment={"COVERAGE_STORE_URL": f"sqlite:///{store}"}) as url, \
            CountingProxy(urlparse(url).port) as proxy:
        changes = chromium_changes(proxy, plan_with_hubs(hubs), samples=samples)
    report: dict = {"hubs": hubs, "open_ms": changes[0]["settled_ms"], "open_bytes": changes[0]["wire_bytes"]}
    for kind in ("select", "add", "threshold"):
        done = [c for c in changes if c["kind"] == kind]
        if not done:
            continue
        report[kind] = {"samples": len(done), "settled_ms": int(np.median([c["settled_ms"] for c in done])),
                        "settled_ms_max": max(c["settled_ms"] for c in done),
                        "wire_bytes": int(np.median([c["wire_bytes"] for c in done])),
                        "payload_bytes": int(np.median([c["payload_bytes"] for c in done]))}
        if kind != "select":
            report[kind]["figures_ms"] = int(np.median([c["figures_ms"] or math.inf for c in done]))
    return report


# -- a change in Chromium: time to settled, bytes on the wire, the figures shown ---------------------------------------
class CountingProxy:
    """A TCP proxy in front of the app that counts the bytes the server sends: what the wire carries (compressed).

    ``with CountingProxy(port) as proxy:`` serves on ``proxy.url``; ``proxy.received`` grows with every byte
    from the server to the browser (HTTP and the websocket alike).
    """

    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.received = 0
        self.url = ""

    def __enter__(self) -> "CountingProxy":
        import asyncio
        import threading

        ready = threading.Event()

        async def pipe(source, target, counted: bool) -> None:
            try:
                while data := await source.read(65536):
                    if counted:
                        self.received += len(data)
                    target.write(data)
                    await target.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                target.close()

        async def handle(reader, writer) -> None:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
            await asyncio.gather(pipe(reader, upstream_writer, False), pipe(upstream_reader, writer, True))

        async def serve() -> None:
            server = await asyncio.start_server(handle, "127.0.0.1", 0)
            self.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
            self._stop = asyncio.Event()
            self._loop = asyncio.get_running_loop()
            ready.set()
            async with server:
                await self._stop.wait()

        self._thread = threading.Thread(target=lambda: asyncio.run(serve()), daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def __exit__(self, *exc) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(5)


def plan_with_hubs(hubs: int):
    """A plan of ``hubs`` hubs spread over the bundled communities (every 37th), conversions opening by default."""
    from coverage.dataset import default_communities
    from coverage.scenario import Hub, Scenario

    communities = default_communities()
    ids, names = communities["community_id"].astype(str).tolist(), communities["name"].astype(str).tolist()
    order = [(i * 37) % len(ids) for i in range(len(ids))]
    chosen = list(dict.fromkeys(order))[:hubs]
    return Scenario(name=f"{hubs} hubs").replace(hubs=tuple(
        Hub(id=f"H{number + 1}", name=f"Hub at {names[i]}", site_id=ids[i]) for number, i in enumerate(chosen)))


def chromium_changes(proxy: CountingProxy, scenario, samples: int = 1, artifacts: Path | None = None) -> list[dict]:
    """Open ``scenario`` by its share link through ``proxy`` (in front of the app) in Chromium and make changes.

    Per sample: a community selected on the map, *Add a hub here*, and a same-day threshold change.  Each
    change reports ``settled_ms`` (click to the run's ``script_finished`` and two animation frames after
    it), ``figures_ms`` (click to the sidebar's first figure showing its new value), ``wire_bytes`` (what the
    proxy carried from the server meanwhile), ``payload_bytes`` (the websocket messages, uncompressed), the
    figures shown (``same_day``, ``next_day``: the sidebar's communities) and the plan they belong to.
    """
    import urllib.parse

    from playwright.sync_api import sync_playwright
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    from coverage.dataset import default_communities
    from coverage.links import encode
    from ui.mapview import view_for

    frames: list[tuple[float, int, bool]] = []
    fetched: list[tuple[float, str, int]] = []  # HTTP answers the page got: (when, URL, status)

    def received(payload) -> None:
        data = payload if isinstance(payload, bytes) else payload.encode()
        message = ForwardMsg()
        message.ParseFromString(data)
        finished = message.WhichOneof("type") == "script_finished" and message.script_finished in (
            ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)  # a fragment's run too
        frames.append((time.perf_counter(), len(data), finished))

    def figure(page, label: str) -> str:
        return page.locator("[data-testid='stSidebar'] [data-testid='stMetric']").filter(has_text=label).locator(
            "[data-testid='stMetricValue']").first.inner_text()

    def change(page, act, kind: str, wait_for_figures: bool, plan, watch: str = "Same-day communities") -> dict:
        before = figure(page, watch)
        wire = counter.received
        started = time.perf_counter()
        act()
        figures_at = None
        while True:  # settled: a successful script_finished after the click, the last of its chain
            done = [t for t, _, ok in frames if t >= started and ok]
            if wait_for_figures and figures_at is None and figure(page, watch) != before:
                figures_at = time.perf_counter()
            if done and (not wait_for_figures or figures_at is not None):
                page.wait_for_timeout(150)  # a run chain (the fragment, then the page) ends with the page's run
                later = [t for t, _, ok in frames if t >= started and ok]
                if later[-1] == done[-1]:
                    break
            if time.perf_counter() - started > 120:
                raise TimeoutError(f"{kind} did not settle")
            page.wait_for_timeout(5)
        finished = [t for t, _, ok in frames if t >= started and ok][-1]
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        settled = time.perf_counter()
        page.wait_for_timeout(300)  # frames still in flight on the wire
        return {"kind": kind, "settled_ms": round((settled - started) * 1000),
                "figures_ms": round((figures_at - started) * 1000) if figures_at else None,
                "wire_bytes": counter.received - wire,
                "payload_bytes": sum(size for t, size, _ in frames if started <= t <= finished),
                "same_day": figure(page, "Same-day communities"), "next_day": figure(page, "Next-day communities"),
                "fetched": [f"{status} {where}" for t, where, status in fetched if t >= started],
                "plan": plan}

    counter, url = proxy, proxy.url
    communities = default_communities()
    view = view_for(communities["lat"], communities["lon"])
    taken = {hub.site_id for hub in scenario.hubs}
    results: list[dict] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"])
        page = browser.new_page(viewport={"width": 1400, "height": 950})
        page.on("websocket", lambda ws: ws.on("framereceived", received))
        page.on("requestfinished", lambda request: fetched.append(
            (time.perf_counter(), request.url.split("?")[0], request.response().status if request.response() else 0)))
        started = time.perf_counter()
        page.goto(f"{url}/?{urllib.parse.urlencode({'scenario': encode(scenario)})}")
        canvas = page.locator("[data-testid='stDeckGlJsonChart'] canvas").first
        canvas.wait_for(timeout=180_000)
        while not any(ok for _, _, ok in frames):
            page.wait_for_timeout(50)
        opened = {"kind": "open", "settled_ms": round((time.perf_counter() - started) * 1000),
                  "wire_bytes": counter.received}
        page.wait_for_timeout(3000)  # deck.gl has fetched its files and drawn
        waited = time.perf_counter()  # on a busy machine its files can come later: a change must not count them
        while not all(any(where.rsplit("/", 1)[-1].startswith(name) for _, where, _ in fetched)
                      for name in ("states-", "communities-")):
            if time.perf_counter() - waited > 120:
                break  # inline map data (no static serving): nothing to wait for
            page.wait_for_timeout(100)
        page.wait_for_load_state("networkidle")
        try:
            expander = page.locator("[data-testid='stSidebar'] summary").filter(has_text="Thresholds and travel")
            expander.scroll_into_view_if_needed(timeout=30_000)
            expander.click(timeout=30_000)
        except Exception:
            if artifacts is not None:
                page.screenshot(path=str(artifacts))
            raise
        page.wait_for_timeout(500)
        plan, same_day = scenario, scenario.travel.same_day_minutes
        lonely = spread_out(communities, samples * 8)
        for _, target in lonely[~lonely["community_id"].isin(taken)].iterrows():
            if sum(r["kind"] == "add" for r in results) >= samples:
                break
            x, y = point_at(page, canvas, target, view, pause_ms=400)
            add = page.get_by_role("button", name="Add a hub here")
            try:
                selected = change(page, lambda x=x, y=y: page.mouse.click(x, y), "select", False, plan)
                add.wait_for(timeout=10_000)
            except Exception:  # noqa: BLE001 - a hub or nothing under the pointer: the next community
                continue
            results.append(selected)
            page.wait_for_timeout(800)
            plan = plan.replace(hubs=(*plan.hubs, _hub_at(plan, str(target.community_id))))
            results.append(change(page, add.click, "add", True, plan, watch="Cost of"))
            page.wait_for_timeout(1500)
            same_day = 95.0 if same_day == 90.0 else 90.0
            plan = plan.replace(travel=dataclasses.replace(plan.travel, same_day_minutes=same_day))
            field = page.get_by_label("Same-day threshold (minutes)")
            field.fill(f"{same_day:g}")
            results.append(change(page, lambda field=field: field.press("Enter"), "threshold", True, plan))
            page.wait_for_timeout(1500)
        if artifacts is not None:
            page.screenshot(path=str(artifacts))
        browser.close()
    return [opened, *results]


def _hub_at(plan, site_id: str):
    from coverage.scenario import Hub

    return Hub(id=f"probe-{site_id}", name="probe", site_id=site_id)


def spread_out(communities, count: int):
    """Lower-48 communities far from their neighbours, so that a click picks exactly one."""
    lower48 = communities[(communities.lat < 49) & (communities.lat > 25) & (communities.lon > -124)]
    points = np.radians(lower48[["lat", "lon"]].to_numpy())
    delta = points[:, None, :] - points[None, :, :]
    distance = delta[..., 0] ** 2 + (delta[..., 1] * np.cos(points[:, None, 0])) ** 2
    np.fill_diagonal(distance, np.inf)
    order = np.argsort(-distance.min(axis=1))
    chosen = []
    for i in order:  # far from each other too, so one hub's ring does not cover the next
        if all(distance[i, j] > np.radians(4) ** 2 for j in chosen):
            chosen.append(i)
        if len(chosen) == count:
            break
    return lower48.iloc[chosen]


def point_at(page, canvas, target, view, pause_ms: int) -> tuple[float, float]:
    """Scroll the page to its top and hold the pointer over ``target`` (a community) on the map; its (x, y)."""
    page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollTo(0, 0)")
    x, y = project(target.lat, target.lon, view, canvas.bounding_box())
    page.mouse.move(x, y)
    page.wait_for_timeout(pause_ms)
    return x, y


def project(lat: float, lon: float, view, box) -> tuple[float, float]:
    from ui.mapview import pixel_offset

    dx, dy = pixel_offset(lat, lon, view)
    return box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2 + dy


def metric(page) -> str:
    return page.locator("[data-testid='stMetricValue']").first.inner_text()


def dark_pixels(canvas, row: int, column: int) -> int:
    import io

    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(canvas.screenshot())).convert("RGB")).astype(int)
    return int((pixels[row - 8:row + 9, column - 8:column + 9].mean(axis=2) < 90).sum())


# -- many planners at once ----------------------------------------------------------------------------------
async def act(session, record, kind: str, element, state, fragment_id: str = "") -> bool:
    """One change through a widget of the page, recorded (a failure when the widget is not there); True when the
    page settled without an error.  With ``fragment_id`` only that fragment reruns, as the browser sends it."""
    if element is None:
        record(Failure(kind, f"no widget for {kind} on the page"))
        return False
    result = await session.rerun({element.id: state}, kind, fragment_id=fragment_id)
    record(result)
    return result.error is None


def other_threshold(session, same_day: float):
    """The same-day threshold field and its state set to the other of 90 and 95 minutes; and that value."""
    from loadclient import number

    field = session.find("number_input", key_part="same_day_minutes")
    same_day = 95.0 if same_day == 90.0 else 90.0
    return field, (number(field.id, same_day) if field else None), same_day


async def planner(session, rng, stop: dict, record) -> None:
    """One planner's cycle of changes through the app's own widgets, 2-4 s apart, until ``stop["at"]``."""
    import asyncio

    from loadclient import arrow_table, deck_selection, table_edit, trigger

    def site_of(label: str) -> str:
        return label.rsplit("(", 1)[1].rstrip(")")

    async def think(low: float = 2.0, high: float = 4.0) -> bool:
        await asyncio.sleep(rng.uniform(low, high))
        return time.monotonic() < stop["at"]

    async def change(kind: str, element, state) -> bool:
        return await act(session, record, kind, element, state)

    def table_row(site: str):
        table = session.find("dataframe", key_part="hub-table")
        if table is None:
            return None, None
        places = arrow_table(table).column("place").to_pylist()
        rows = [i for i, place in enumerate(places) if str(place).endswith(f"({site})")]
        return table, (rows[0] if rows else None)

    labels = list(session.find("selectbox", key="search-site").proto.options)
    same_day = 90.0
    while time.monotonic() < stop["at"]:
        taken = {site_of(str(p)) for p in arrow_table(session.find("dataframe", key_part="hub-table"))
                 .column("place").to_pylist()}
        free = [label for label in labels if site_of(label) not in taken]
        site, moved_to = (site_of(label) for label in rng.sample(free, 2))
        deck = session.find("deck_gl_json_chart", key="map")
        if not await change("select", deck, deck_selection(deck.id, "communities", {"community_id": site})):
            return
        if not await think(0.5, 1.0):
            return
        add = session.find("button", label="Add a hub here")
        if not await change("add", add, trigger(add.id) if add else None) or not await think():
            return
        lock = session.find("button", label="Lock the hub here")
        if not await change("lock", lock, trigger(lock.id) if lock else None) or not await think():
            return
        field, state, same_day = other_threshold(session, same_day)
        if not await change("threshold", field, state) or not await think():
            return
        table, row = table_row(site)
        label = next(label for label in labels if site_of(label) == moved_to)
        state = table_edit(table.id, edited={row: {"place": label}}) if row is not None else None
        if not await change("move", table if row is not None else None, state) or not await think():
            return
        table, row = table_row(moved_to)
        state = table_edit(table.id, edited={row: {"locked": False}}) if row is not None else None
        if not await change("unlock", table if row is not None else None, state) or not await think():
            return
        table, row = table_row(moved_to)
        state = table_edit(table.id, deleted=[row]) if row is not None else None
        if not await change("remove", table if row is not None else None, state) or not await think():
            return
        field, state, same_day = other_threshold(session, same_day)
        if not await change("threshold", field, state) or not await think():
            return


async def reporter(session, stop: dict, record) -> None:
    """A planner who makes PDF reports back to back (the sidebar's *Make the report*, a fragment run that waits for
    the worker process), changing the same-day threshold between them so each report is a new one."""
    import asyncio

    from loadclient import trigger

    same_day = 90.0
    while time.monotonic() < stop["at"]:
        make = session.find("button", label="Make the report")
        if not await act(session, record, "report", make, trigger(make.id) if make else None,
                         fragment_id=make.fragment_id if make else ""):
            return
        field, state, same_day = other_threshold(session, same_day)
        if not await act(session, record, "report-change", field, state):
            return
        await asyncio.sleep(0.5)


class Failure:
    """A change that could not be made (its widget was not on the page): counted as an error."""

    def __init__(self, kind: str, error: str) -> None:
        from loadclient import Change

        self.change = Change(kind=kind, started=time.monotonic(), error=error)


def server_processes(pids: list[int]):
    import psutil

    return [psutil.Process(pid) for pid in pids]


def cpu_seconds(processes) -> float:
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except Exception:  # noqa: BLE001 - a process that ended counts nothing more
            pass
    return total


def rss_bytes(processes) -> int:
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except Exception:  # noqa: BLE001
            pass
    return total


async def drive(url: str, count: int, duration: float, query: str, seed: int, app_pids: list[int],
                reporting: bool = False) -> dict:
    """``count`` planners on ``url`` for ``duration`` measured seconds; what they saw and what the servers spent.

    With ``reporting``, one more tab makes PDF reports all the while (:func:`reporter`): its reports are counted
    apart, and the planners' figures show what it costs them."""
    import asyncio
    import random

    import psutil
    from loadclient import Session, SessionError, summarize

    processes = server_processes(app_pids)
    for index in range(len(app_pids)):  # a warm-up tab on each process: caches filled, first-run costs paid
        warm = Session(url, query)
        warm.cookies["rcp_process"] = str(index)
        await warm.open()
        await warm.close()
    await asyncio.sleep(2)
    rss_before = rss_bytes(processes)
    changes, opened, errors, reports = [], [], [], []
    stop = {"at": math.inf}  # set once every tab has opened: the measured window starts then
    sessions = [Session(url, query) for _ in range(count + reporting)]
    stagger = min(0.25 * count, 10.0)

    async def one(index: int, session) -> None:
        await asyncio.sleep(stagger * index / max(count, 1))
        try:
            opened.append(await session.open())
        except (SessionError, OSError) as error:
            errors.append(f"open: {error}")
            return
        finally:
            arrived.append(index)
        rng = random.Random(seed * 1000 + index)
        try:
            if index == count:  # the extra tab: the one making reports
                await reporter(session, stop, lambda c: reports.append(getattr(c, "change", c)))
                return
            await planner(session, rng, stop, lambda c: changes.append(getattr(c, "change", c)))
        except (SessionError, OSError) as error:
            errors.append(f"planner: {error}")

    me = psutil.Process()
    arrived: list[int] = []
    tasks = [asyncio.create_task(one(i, s)) for i, s in enumerate(sessions)]
    while len(arrived) < len(sessions):  # every tab has loaded its page (or failed to)
        await asyncio.sleep(0.5)
    await asyncio.sleep(8.0)  # and is into its cycle
    cpu_start, driver_start, measure_start = cpu_seconds(processes), cpu_seconds([me]), time.monotonic()
    stop["at"] = measure_start + duration
    await asyncio.sleep(duration)
    measure_end = time.monotonic()
    cpu_end, driver_end = cpu_seconds(processes), cpu_seconds([me])
    rss_after = rss_bytes(processes)
    await asyncio.wait(tasks, timeout=180)  # changes in flight finish (they are not counted)
    for task in tasks:
        task.cancel()
    for session in sessions:
        await session.close()
    def measured(items: list) -> list:
        return [c for c in items if measure_start <= c.started and c.started + c.seconds <= measure_end + 0.001
                or (c.error and measure_start <= c.started <= measure_end)]

    window = measured(changes)
    made = [c for c in measured(reports) if c.kind == "report"]
    edits = [c for c in window if c.kind in CHANGES]
    seconds = measure_end - measure_start
    summary = summarize(edits)
    return {
        "planners": count, "seconds": round(seconds, 1), **summary["all"],
        "changes_per_s": round(len(edits) / seconds, 2),
        "select": summarize([c for c in window if c.kind == "select"])["all"],
        "by_kind": summary["by_kind"],
        # CPU of the app processes over the window, per change (a map selection's rerun counted as one too)
        "server_cpu_ms_per_change": round(1000 * (cpu_end - cpu_start) / max(len(window), 1), 1),
        "server_cpu_share": round((cpu_end - cpu_start) / seconds / (psutil.cpu_count() or 1), 3),
        "driver_cpu_share": round((driver_end - driver_start) / seconds / (psutil.cpu_count() or 1), 3),
        "rss_base_mb": round(rss_before / 2**20), "rss_mb": round(rss_after / 2**20),
        "rss_per_session_mb": round((rss_after - rss_before) / 2**20 / max(count, 1), 1),
        "page_load_median_s": round(float(np.median([c.seconds for c in opened])), 2) if opened else None,
        "page_load_bytes": opened[0].bytes_received if opened else None,
        "session_errors": errors[:5], "session_error_count": len(errors),
        "error_examples": sorted({c.error for c in window if c.error})[:5],
        **({"reports": summarize(made)["all"]} if reporting else {}),
    }


def run_matrix(args) -> None:
    """Every (lever, processes, planners) configuration, ``--repeat`` times; one JSON line each."""
    import asyncio
    import os
    import platform
    import threading
    import uuid

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from loadclient import share_query

    from tests.pgcluster import binaries, create_database, throwaway_cluster
    from ui.serve import deployment

    if binaries() is None:
        sys.exit("the load benchmark needs PostgreSQL (Debian package 'postgresql') for the shared store")
    query = share_query(args.plan)
    with throwaway_cluster() as server:
        for repeat in range(args.repeat):
            for lever in args.lever:
                options, freeze = LEVERS[lever]
                for processes, count, reporting in [(p, n, r == "on") for p in args.processes for n in args.load
                                                    for r in args.reports]:
                    store = create_database(server, f"load{uuid.uuid4().hex[:12]}")
                    load_before = os.getloadavg()
                    with deployment(processes, store_url=store, options=options, gc_freeze=freeze) as running:
                        probe: dict = {}
                        if args.probe:  # a Chromium tab beside the planners, once they are all in
                            delay = min(0.25 * count, 10.0) + 15.0 + 5.0 * processes
                            thread = threading.Thread(target=lambda probe=probe, delay=delay: probe.update(
                                chromium_probe(running.url, query, delay=delay)), daemon=True)
                            thread.start()
                        result = asyncio.run(drive(running.url, count, args.duration, query,
                                                   seed=repeat, app_pids=running.app_pids, reporting=reporting))
                        if args.probe:
                            thread.join(timeout=300)
                            result["probe"] = probe
                    result = {"lever": lever, "processes": processes, "repeat": repeat, **result,
                              "load_before": [round(x, 2) for x in load_before],
                              "load_after": [round(x, 2) for x in os.getloadavg()],
                              "machine": f"{platform.node()} {os.cpu_count()} cores"}
                    reports = result.get("reports")
                    line = json.dumps(result)
                    if args.out:
                        with open(args.out, "a") as out:
                            out.write(line + "\n")
                    print(line if args.json else
                          f"{lever:6} P={processes} N={count:3}: median {result['median_s']:.2f} s, p95 "
                          f"{result['p95_s']:.2f} s, {result['changes_per_s']} changes/s, "
                          f"{result['bytes_median'] or 0:,} B/change, CPU {result['server_cpu_ms_per_change']} "
                          f"ms/change, RSS {result['rss_per_session_mb']} MB/session, errors "
                          f"{result['errors'] + result['session_error_count']}, load {result['load_before'][0]}"
                          + (f"; beside {reports['changes']} PDF reports (median {reports['median_s']:.1f} s)"
                             if reports else ""), flush=True)


def chromium_probe(url: str, query: str, samples: int = 3, delay: float = 0.0) -> dict:
    """A Chromium tab on ``url`` (under whatever load runs): click to settled and bytes received, per change.

    Settled: the frame with ``script_finished`` (success) has arrived and the page has drawn its
    next two animation frames (so React and deck.gl have taken the messages in).  Changes: a
    community selected on the map, *Add a hub here*, and a same-day threshold change.
    """
    from playwright.sync_api import sync_playwright
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    from coverage.dataset import default_communities
    from ui.mapview import view_for

    frames: list[tuple[float, int, bool]] = []

    def received(payload) -> None:
        data = payload if isinstance(payload, bytes) else payload.encode()
        message = ForwardMsg()
        message.ParseFromString(data)
        finished = message.WhichOneof("type") == "script_finished" and message.script_finished in (0, 3)  # 3: fragment
        frames.append((time.perf_counter(), len(data), finished))

    def settle(page, started: float, timeout_s: float = 120) -> tuple[float, int]:
        while not any(t >= started and done for t, _, done in frames):
            if time.perf_counter() - started > timeout_s:
                raise TimeoutError("no script_finished")
            page.wait_for_timeout(5)
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        ended = time.perf_counter()
        finished_at = min(t for t, _, done in frames if t >= started and done)
        return ended - started, sum(size for t, size, _ in frames if started <= t <= finished_at)

    time.sleep(delay)
    communities = default_communities()
    view = view_for(communities["lat"], communities["lon"])
    results: dict[str, list[tuple[float, int]]] = {"select": [], "add": [], "threshold": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"])
        page = browser.new_page(viewport={"width": 1400, "height": 950})
        page.on("websocket", lambda ws: ws.on("framereceived", received))
        started = time.perf_counter()
        page.goto(f"{url}/?{query}")
        canvas = page.locator("[data-testid='stDeckGlJsonChart'] canvas").first
        canvas.wait_for(timeout=120_000)
        settle(page, started)
        page.wait_for_timeout(1500)
        page.get_by_text("Thresholds and travel").click()
        same_day = 90
        for _, target in spread_out(communities, samples * 3).iterrows():
            if len(results["add"]) >= samples:
                break
            x, y = point_at(page, canvas, target, view, pause_ms=300)
            started = time.perf_counter()
            page.mouse.click(x, y)
            add = page.get_by_role("button", name="Add a hub here")
            try:
                add.wait_for(timeout=30_000)
            except Exception:  # noqa: BLE001 - a hub or nothing under the pointer: the next community
                continue
            results["select"].append(settle(page, started))
            page.wait_for_timeout(800)
            started = time.perf_counter()
            add.click()
            results["add"].append(settle(page, started))
            page.wait_for_timeout(1500)
            same_day = 95 if same_day == 90 else 90
            field = page.get_by_label("Same-day threshold (minutes)")
            field.fill(str(same_day))
            started = time.perf_counter()
            field.press("Enter")
            results["threshold"].append(settle(page, started))
            page.wait_for_timeout(1500)
        browser.close()
    return {kind: {"samples": len(pairs),
                   "settled_ms": round(float(np.median([s for s, _ in pairs])) * 1000) if pairs else None,
                   "settled_ms_max": round(float(np.max([s for s, _ in pairs])) * 1000) if pairs else None,
                   "bytes": int(np.median([b for _, b in pairs])) if pairs else None}
            for kind, pairs in results.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--load", type=int, nargs="+", help="planners at once (one run per value)")
    parser.add_argument("--processes", type=int, nargs="+", default=[1], help="app processes behind nginx")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds measured per run (after warm-up)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each configuration")
    parser.add_argument("--lever", nargs="+", default=["none"], choices=sorted(LEVERS))
    parser.add_argument("--plan", default=str(ROOT / "examples" / "national_rollout.json"))
    parser.add_argument("--probe", action="store_true", help="a Chromium tab under the load")
    parser.add_argument("--reports", nargs="+", default=["off"], choices=["off", "on"],
                        help="on: one more tab makes PDF reports back to back beside the planners")
    parser.add_argument("--out", help="append each run's JSON to this file (JSON lines)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--hubs", type=int, default=300, help="hubs of the plan a single planner changes")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--samples", type=int, default=3, help="communities clicked in the browser")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    if args.load:
        run_matrix(args)
        return
    import os
    import platform

    load_before = [round(x, 2) for x in os.getloadavg()]
    report: dict = {"server": server_rerun(args.hubs, args.repeats)}
    if not args.no_browser:
        report["browser"] = browser_changes(args.hubs, args.samples)
    report["machine"] = f"{platform.node()} {os.cpu_count()} cores"
    report["load_before"], report["load_after"] = load_before, [round(x, 2) for x in os.getloadavg()]
    report["goals"] = GOALS
    met = {"server_ms": max(report["server"]["add_ms"], report["server"]["threshold_ms"]) <= GOALS["server_ms"]}
    if "browser" in report:
        changes = [report["browser"][kind] for kind in ("add", "threshold") if kind in report["browser"]]
        met["settled_ms"] = all(c["settled_ms"] <= GOALS["settled_ms"] for c in changes)
        met["wire_bytes"] = all(c["wire_bytes"] <= GOALS["wire_bytes"] for c in changes)
    report["goals_met"] = met
    print(json.dumps(report, indent=2) if args.json else
          f"server (AppTest, {args.hubs} hubs): add {report['server']['add_ms']} ms, threshold "
          f"{report['server']['threshold_ms']} ms, nothing {report['server']['nothing_ms']} ms "
          f"(goal {GOALS['server_ms']} ms)"
          + "".join(f"\nChromium {kind}: settled {report['browser'][kind]['settled_ms']} ms, figures "
                    f"{report['browser'][kind].get('figures_ms')} ms, {report['browser'][kind]['wire_bytes']:,} B "
                    f"on the wire ({report['browser'][kind]['payload_bytes']:,} B of messages)"
                    for kind in ("select", "add", "threshold") if kind in report.get("browser", {}))
          + f"\nload {load_before} -> {report['load_after']}")

if __name__ == "__main__":
    main()
