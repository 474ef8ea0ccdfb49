"""A planner's browser tab, spoken over Streamlit's own websocket protocol (for ``bench_app.py --load``).

What the browser does, and so what a :class:`Session` does (read from the installed
``streamlit/web/server/starlette/starlette_websocket.py``, ``runtime/app_session.py`` and
the frontend bundle's connection manager, and checked against Chromium's frames):

* **Connection.** GET ``/`` (where a sticky reverse proxy sets its cookie),
  ``/_stcore/health`` and ``/_stcore/host-config``; then a websocket to
  ``/_stcore/stream`` with the subprotocols ``streamlit`` and the XSRF token (the
  ``_streamlit_xsrf`` cookie, else ``PLACEHOLDER_AUTH_TOKEN``, as the frontend sends), the
  cookies and the page's ``Origin``.  Frames are binary protobufs: ``BackMsg`` up,
  ``ForwardMsg`` down.
* **A run.** ``BackMsg.rerun_script`` (a ``ClientState``): the query string (a share link
  on the first run), the widget states, the page's script hash (from ``new_session``),
  the browser's context and the hashes of the large messages the tab has kept.  The
  server answers ``new_session``, deltas (each at a ``metadata.delta_path``), a
  ``ref_hash`` in place of a kept message, and ``script_finished``.
* **Kept messages.** A delta marked ``metadata.cacheable`` is kept by its hash, and a
  ``ref_hash`` is resolved from what is kept; after every finished run a message not
  used for more than ``max_cached_message_age`` runs is dropped (the frontend's
  ``ForwardMessageCache``), so the server sends exactly what it sends a browser.
* **Settled.** ``script_finished`` with ``FINISHED_SUCCESSFULLY``: ``FINISHED_EARLY_FOR_RERUN``
  only ends one run of a chain (``st.rerun()`` after a table edit), and the next starts
  with another ``new_session``.
* **Fragments.** A widget inside an ``st.fragment`` (its deltas carry ``fragment_id``) is
  sent with ``rerun_script.fragment_id``, as the frontend does: the server reruns that
  fragment only, its deltas replace the fragment's part of the page, and it ends with
  ``FINISHED_FRAGMENT_RUN_SUCCESSFULLY`` (or early, for an ``st.rerun()`` of the app).
* **Widgets.** A widget's id (``$$ID-<hash>-<key>``) is read from its element in the
  page's deltas, never computed; the tab sends the values it set, as the frontend sends
  its widget manager's states (a widget it never touched keeps its value on the server).
* **The app's browser component** (``ui/storage.py``: keys of the browser and the tab for
  the drafts) answers as its JavaScript would, so drafts are autosaved as for a person.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterator

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

FINISHED = ForwardMsg.FINISHED_SUCCESSFULLY
FRAGMENT_FINISHED = ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
#: Widget values kept between runs (a trigger is sent once).
PERSISTENT = ("bool_value", "double_value", "int_value", "string_value", "json_value", "string_array_value")


class SessionError(RuntimeError):
    """The session broke: the socket closed, a run did not settle in time, or the script raised."""


@dataclass
class Change:
    """One interaction: what was done, how long until the page settled, and what came down for it."""

    kind: str
    started: float  # time.monotonic() when the BackMsg was sent
    seconds: float = 0.0  # until script_finished (success) of the run chain
    script_seconds: float = 0.0  # first new_session to that script_finished, as the client saw them
    runs: int = 0  # script runs in the chain (2 after a table edit: the edit, then st.rerun())
    bytes_received: int = 0
    bytes_sent: int = 0
    by_element: dict[str, int] = field(default_factory=dict)  # bytes received by element type
    error: str | None = None


@dataclass
class Element:
    kind: str  # the Element oneof: button, number_input, dataframe, deck_gl_json_chart...
    proto: Any  # that oneof's message
    fragment_id: str = ""  # the st.fragment it was drawn in ("" outside any)

    @property
    def id(self) -> str:
        return getattr(self.proto, "id", "") or ""

    @property
    def label(self) -> str:
        return getattr(self.proto, "label", "") or ""


class Session:
    """One browser tab on the app at ``base_url`` (``http://host:port``), driven over the websocket."""

    def __init__(self, base_url: str, query: str = "", timeout_s: float = 120.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.query = query
        self.timeout_s = timeout_s
        self.cookies: dict[str, str] = {}
        self.connection = None
        self.page_script_hash = ""
        self.session_id = ""
        self.pages: dict[str, str] = {}  # url path of each page -> its script hash (from `navigation`)
        self.elements: dict[tuple[int, ...], Element] = {}  # the page as of the last finished run
        self._building: dict[tuple[int, ...], Element] = {}
        self._kept: dict[str, list] = {}  # hash -> [ForwardMsg, run count when last used]
        self._run_count = 0
        self._max_age = 2
        self._states: dict[str, WidgetState] = {}
        self._change: Change | None = None
        self._fragment_run = False  # the run under way reruns one fragment: the rest of the page stays
        self._settled = asyncio.Event()
        self._reader: asyncio.Task | None = None
        self._closed: str | None = None
        self.browser_key = secrets.token_hex(16)
        self.tab_key = secrets.token_hex(5)
        self.received_total = 0

    # -- connection --------------------------------------------------------------------------
    async def open(self) -> Change:
        """Load the page as a browser does; returns the first run (with its bytes) once the page has settled."""
        client = AsyncHTTPClient()
        for path in ("/", "/_stcore/health", "/_stcore/host-config"):
            try:
                answer = await client.fetch(self.base_url + path, headers=self._cookie_header(),
                                            request_timeout=self.timeout_s)
            except HTTPClientError as error:
                raise SessionError(f"GET {path}: {error}") from error
            self._take_cookies(answer.headers.get_list("Set-Cookie"))
        ws_url = "ws" + self.base_url[4:] + "/_stcore/stream"
        token = self.cookies.get("_streamlit_xsrf", "PLACEHOLDER_AUTH_TOKEN")
        request = HTTPRequest(ws_url, headers={**self._cookie_header(), "Origin": self.base_url},
                              connect_timeout=self.timeout_s, request_timeout=self.timeout_s)
        self.connection = await websocket_connect(request, subprotocols=["streamlit", token],
                                                  max_message_size=512 * 1024 * 1024)
        self._reader = asyncio.create_task(self._read())
        first = await self.rerun({}, kind="load", query=self.query)
        browser = self.find(kind="bidi_component", key="browser")
        if browser is not None:  # what the component's JavaScript answers (ui/storage.py)
            state = WidgetState(id=browser.id)
            state.json_value = json.dumps({"key": self.browser_key, "tab": self.tab_key, "tabs": [self.tab_key],
                                           "author": "", "query_length": len(self.query) + 1 if self.query else 0})
            second = await self.rerun({browser.id: state}, kind="load")
            first.seconds += second.seconds
            first.bytes_received += second.bytes_received
            first.runs += second.runs
        return first

    async def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
        if self._reader is not None:
            try:
                await asyncio.wait_for(self._reader, 5)
            except (asyncio.TimeoutError, Exception):
                self._reader.cancel()

    def _cookie_header(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}

    def _take_cookies(self, headers: list[str]) -> None:
        for header in headers:
            name, _, value = header.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()

    # -- runs --------------------------------------------------------------------------------
    async def goto(self, url_path: str) -> Change:
        """Open another page of the app (as its link in the sidebar does)."""
        if url_path not in self.pages:
            raise SessionError(f"no page {url_path!r} (pages: {sorted(self.pages)})")
        return await self.rerun({}, kind="page", page_script_hash=self.pages[url_path])

    async def rerun(self, widgets: dict[str, WidgetState], kind: str, query: str = "",
                    page_script_hash: str | None = None, fragment_id: str = "") -> Change:
        """Send one rerun with these widget values (on top of the ones set before); wait until the page settles.

        With ``fragment_id`` (the :attr:`Element.fragment_id` of the widget) only that fragment reruns."""
        if self._closed:
            raise SessionError(self._closed)
        live = {element.id for element in self.elements.values() if element.id}
        self._states = {k: v for k, v in self._states.items() if k in live}
        message = BackMsg()
        rerun = message.rerun_script
        rerun.query_string = query
        rerun.page_script_hash = page_script_hash or self.page_script_hash
        rerun.fragment_id = fragment_id
        self._fragment_run = bool(fragment_id)
        for state in {**self._states, **widgets}.values():
            rerun.widget_states.widgets.append(state)
        rerun.cached_message_hashes.extend(self._kept)
        context = rerun.context_info
        context.timezone, context.timezone_offset, context.locale = "UTC", 0, "en-US"
        context.url, context.is_embedded, context.color_scheme = self.base_url + "/", False, "light"
        for widget_id, state in widgets.items():
            if state.WhichOneof("value") in PERSISTENT:
                self._states[widget_id] = state
        payload = message.SerializeToString()
        change = Change(kind=kind, started=time.monotonic(), bytes_sent=len(payload))
        self._change = change
        self._settled.clear()
        await self.connection.write_message(payload, binary=True)
        try:
            await asyncio.wait_for(self._settled.wait(), self.timeout_s)
        except asyncio.TimeoutError:
            change.error = f"no script_finished within {self.timeout_s:.0f} s"
        if self._closed and change.error is None and not self._settled.is_set():
            change.error = self._closed
        self._change = None
        change.by_element = dict(change.by_element)
        return change

    async def _read(self) -> None:
        try:
            while True:
                payload = await self.connection.read_message()
                if payload is None:
                    self._closed = f"websocket closed ({self.connection.close_code})"
                    break
                self._on_message(payload)
        except Exception as error:  # noqa: BLE001 - any failure ends the session and is reported
            self._closed = f"{type(error).__name__}: {error}"
        finally:
            self._settled.set()

    def _on_message(self, payload: bytes) -> None:
        now = time.monotonic()
        self.received_total += len(payload)
        message = ForwardMsg()
        message.ParseFromString(payload)
        change = self._change
        kind = message.WhichOneof("type")
        if kind == "ref_hash":
            kept = self._kept.get(message.ref_hash)
            if kept is None:
                raise SessionError(f"ref_hash {message.ref_hash} not kept")
            kept[1] = self._run_count
            resolved = ForwardMsg()
            resolved.CopyFrom(kept[0])
            resolved.metadata.CopyFrom(message.metadata)
            message, kind = resolved, "delta"
            label = "ref_hash"
        else:
            label = kind
            if message.metadata.cacheable and message.hash and message.hash not in self._kept:
                self._kept[message.hash] = [message, self._run_count]
        if kind == "delta":
            delta_kind = message.delta.WhichOneof("type")
            path = tuple(message.metadata.delta_path)
            if delta_kind == "new_element":
                element_kind = message.delta.new_element.WhichOneof("type")
                self._building[path] = Element(element_kind, getattr(message.delta.new_element, element_kind),
                                               message.delta.fragment_id)
                if label != "ref_hash":
                    label = element_kind
                if element_kind == "exception" and change is not None and change.error is None:
                    change.error = "exception in the page: " + message.delta.new_element.exception.message[:200]
            elif delta_kind == "add_block":
                self._building[path] = Element("block", message.delta.add_block)
        elif kind == "new_session":
            self.page_script_hash = message.new_session.page_script_hash
            if message.new_session.HasField("config"):
                self._max_age = message.new_session.config.max_cached_message_age or self._max_age
            self._building = dict(self.elements) if self._fragment_run else {}
            if change is not None:
                change.runs += 1
                if change.runs == 1:
                    change.script_seconds = -now
        elif kind == "navigation":
            self.pages = {page.url_pathname: page.page_script_hash for page in message.navigation.app_pages}
        elif kind == "session_event" and message.session_event.HasField("script_compilation_exception"):
            if change is not None:
                change.error = "script compilation error"
        elif kind == "script_finished":
            status = message.script_finished
            if status in (FINISHED, FRAGMENT_FINISHED):
                self.elements = self._building
                self._building = dict(self._building)
            if status != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                self._run_count += 1
                self._kept = {h: kept for h, kept in self._kept.items() if self._run_count - kept[1] <= self._max_age}
            else:  # an st.rerun() ends the fragment's run: the app's whole run comes next
                self._fragment_run = False
            if status in (FINISHED, FRAGMENT_FINISHED) and change is not None:
                change.seconds = now - change.started
                change.script_seconds += now
                change.bytes_received += len(payload)
                self._settled.set()
                return
        if change is not None:
            change.bytes_received += len(payload)
            change.by_element[label] = change.by_element.get(label, 0) + len(payload)

    # -- the page ----------------------------------------------------------------------------
    def iter(self, kind: str | None = None) -> Iterator[tuple[tuple[int, ...], Element]]:
        for path, element in sorted(self.elements.items()):
            if kind is None or element.kind == kind:
                yield path, element

    def find(self, kind: str | None = None, key: str | None = None, key_part: str | None = None,
             label: str | None = None) -> Element | None:
        """The first element of this kind whose widget key is ``key`` (or contains ``key_part``), or with this label."""
        for _, element in self.iter(kind):
            if key is not None and not element.id.endswith("-" + key):
                continue
            if key_part is not None and f"-{key_part}" not in element.id:
                continue
            if label is not None and element.label != label:
                continue
            return element
        return None

    def texts(self, kind: str) -> list[str]:
        """Bodies of the page's elements of one kind (alerts, markdown)."""
        return [getattr(e.proto, "body", "") for _, e in self.iter(kind)]


# -- widget values ---------------------------------------------------------------------------------
def trigger(widget_id: str) -> WidgetState:
    return WidgetState(id=widget_id, trigger_value=True)


def number(widget_id: str, value: float) -> WidgetState:
    return WidgetState(id=widget_id, double_value=value)


def text(widget_id: str, value: str) -> WidgetState:
    return WidgetState(id=widget_id, string_value=value)


def deck_selection(widget_id: str, layer: str, row: dict) -> WidgetState:
    """A click on one object of a pydeck layer, as the frontend reports it."""
    return text(widget_id, json.dumps({"selection": {"indices": {layer: [0]}, "objects": {layer: [row]}}}))


def table_edit(widget_id: str, edited: dict[int, dict] | None = None, deleted: list[int] | None = None,
               added: list[dict] | None = None) -> WidgetState:
    """An edit of ``st.data_editor``, as the frontend reports it (row positions as keys)."""
    return text(widget_id, json.dumps({"edited_rows": {str(k): v for k, v in (edited or {}).items()},
                                       "added_rows": added or [], "deleted_rows": deleted or []}))


def arrow_table(element: Element):
    """The data of a dataframe element as a pyarrow table."""
    import pyarrow as pa

    return pa.ipc.open_stream(element.proto.arrow_data.data).read_all()


def summarize(changes: list[Change]) -> dict[str, Any]:
    """Median and p95 seconds, bytes received per change and errors, over all and by kind."""
    import numpy as np

    def block(items: list[Change]) -> dict[str, Any]:
        good = [c for c in items if c.error is None]
        seconds = np.array([c.seconds for c in good]) if good else np.array([np.nan])
        by_element: dict[str, float] = defaultdict(float)
        for c in good:
            for k, v in c.by_element.items():
                by_element[k] += v / len(good)
        return {"changes": len(items), "errors": len(items) - len(good),
                "median_s": round(float(np.median(seconds)), 3), "p95_s": round(float(np.percentile(seconds, 95)), 3),
                "script_median_s": round(float(np.median([c.script_seconds for c in good])), 3) if good else None,
                "bytes_median": int(np.median([c.bytes_received for c in good])) if good else None,
                "bytes_by_element": {k: int(v) for k, v in sorted(by_element.items(), key=lambda kv: -kv[1])[:6]}}

    kinds = sorted({c.kind for c in changes})
    return {"all": block(changes), "by_kind": {k: block([c for c in changes if c.kind == k]) for k in kinds}}


def share_query(scenario_path: str) -> str:
    """The query string of a share link for a scenario file (``?scenario=...``)."""
    from coverage.links import encode
    from coverage.scenario import load_scenario

    return urllib.parse.urlencode({"scenario": encode(load_scenario(scenario_path))})
