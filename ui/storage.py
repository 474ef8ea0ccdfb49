"""The scenario store in the app: which store, saving and opening, share links, and the autosaved draft.

* **Which store**: ``COVERAGE_STORE_URL``, else ``[store] url`` in
  ``.streamlit/secrets.toml``, else the SQLite file in the user data folder.  One
  store object per URL for the whole server (``st.cache_resource``).  A store that
  cannot be opened leaves the app working with saving off and a banner saying why
  (retried on request, not on every rerun).
* **The draft**: a tiny component keeps a random key in the browser's localStorage;
  the working plan (with which data set and which stored version it continues) is
  saved under that key after every change, and a new session in that browser
  restores it and says so.  Nothing is autosaved before that restore was decided, so
  a fresh tab never overwrites the draft with an empty plan.
* **Links**: ``?scenario=...`` and ``?id=ID&v=V`` open as an unsaved copy; the query is
  then cleared, so reloading the tab brings back the draft, not the link again.  A
  draft with work in it that a link would replace is kept aside (``<key>:before-link``)
  and offered on the Scenarios page.
"""

from __future__ import annotations

import streamlit as st

from coverage.errors import InputError
from coverage.scenario import Scenario, parse_scenario
from coverage.store import ScenarioStore, StoreUnavailable, store_url
from coverage.store.data import MissingData, data_ref, keep, keep_matrix, open_data, open_matrix
from coverage.workspace import HubsNotInData
from ui.state import workspace

_BROWSER_JS = """
export default function(component) {
  const { setStateValue } = component;
  const name = "rural-coverage:browser";
  let key = null;
  try { key = window.localStorage.getItem(name); } catch (e) {}
  if (!key) {
    key = (window.crypto && crypto.randomUUID) ? crypto.randomUUID()
        : Math.random().toString(36).slice(2) + Date.now().toString(36);
    try { window.localStorage.setItem(name, key); } catch (e) {}
  }
  setStateValue("key", key);
  // Streamlit drops a query string longer than it accepts without a word; say how long it was
  setStateValue("query_length", window.location.search.length);
}
"""
_browser_component = st.components.v2.component("rural_coverage_browser_key", js=_BROWSER_JS)
BEFORE_LINK = ":before-link"


# -- which store -----------------------------------------------------------------------------
def _secrets_url() -> str | None:
    try:
        return st.secrets.get("store", {}).get("url")
    except Exception:  # no secrets file: the usual case
        return None


@st.cache_resource(show_spinner="Opening the scenario store...")
def _open(url: str) -> ScenarioStore:
    return ScenarioStore(url)


def store() -> ScenarioStore | None:
    """The session's scenario store, or None (with :func:`problem` saying why)."""
    url = store_url(None, _secrets_url())
    failed = st.session_state.get("store-problem")
    if failed and failed[0] == url:
        return None
    try:
        opened = _open(url)
    except InputError as error:
        st.session_state["store-problem"] = (url, str(error.problems[0].message))
        return None
    if opened.messages and not st.session_state.get("store-announced"):
        st.session_state["store-announced"] = True
        st.toast(opened.messages[0], icon=":material/database:")
    return opened


def problem() -> str | None:
    """Why saving is off ('' when it is on)."""
    opened = store()
    if opened is None:
        return st.session_state["store-problem"][1]
    return opened.read_only_reason if not opened.writable else None


def retry() -> None:
    """Forget a failed opening, so that the next run tries again."""
    st.session_state.pop("store-problem", None)
    _open.clear()


def banner() -> None:
    """A warning on every page while saving is off."""
    reason = problem()
    if reason:
        left, right = st.columns([6, 1])
        left.warning(f"Saving is off: {reason}. Everything else works; download the scenario (Data page) to keep "
                     "it.", icon=":material/cloud_off:")
        right.button("Try again", key="store-retry", on_click=retry, icon=":material/refresh:")


def author() -> str:
    """Who saves (free text, 'local' by default; team login will fill it in later)."""
    return (st.session_state.get("author") or "local").strip() or "local"


# -- saving and opening ---------------------------------------------------------------------
def keep_upload(kind: str, table, name: str, content: bytes) -> None:
    """Keep an uploaded table in the store now (and in the session, for a save once the store is back)."""
    from coverage.evaluation import fingerprint

    st.session_state.setdefault("uploads", {})[fingerprint(table)] = (kind, table, name, content)
    opened = store()
    if opened is not None and opened.writable:
        keep(opened, kind, table, name, content, author=author())


def matrix_in_use():
    """The workspace's travel matrix when the plan uses it (travel mode 'matrix'), else None."""
    ws = workspace()
    return ws.matrix if ws.scenario.travel.mode == "matrix" else None


def keep_matrix_upload(matrix, content: bytes) -> None:
    """Keep an uploaded travel matrix in the store (so plans made on it reopen with it)."""
    st.session_state.setdefault("matrix-uploads", {})[matrix.fingerprint] = (matrix, content)
    opened = store()
    if opened is not None and opened.writable:
        keep_matrix(opened, matrix, content, author=author())


def save(as_new: bool = False) -> None:
    """Save the working plan as a new version of its scenario (or, ``as_new``, a new scenario)."""
    ws, opened = workspace(), store()
    if opened is None or not opened.writable:
        st.session_state["messages"] = [("error", f"Not saved: saving is off ({problem()}).")]
        return
    try:
        for kind, table, name, content in st.session_state.get("uploads", {}).values():
            keep(opened, kind, table, name, content, author=author())
        for matrix, content in st.session_state.get("matrix-uploads", {}).values():
            keep_matrix(opened, matrix, content, author=author())
        result = opened.save(ws.scenario.to_dict(), figures=ws.evaluation.key_figures(),
                             data=data_ref(ws.communities, ws.sites, matrix_in_use()),
                             scenario_id=None if as_new else ws.origin,
                             based_on=None if as_new else ws.origin_version, author=author())
    except InputError as error:
        st.session_state["messages"] = [("error", f"Not saved: {p}") for p in error.problems]
        return
    ws.mark_saved(result.id, result.version)
    kind = "warning" if result.conflict else "success"
    st.session_state["messages"] = [(kind, f"{ws.scenario.name}: {result.message}.")]


def open_version(scenario_id: str, version: int | None = None, *, copy: bool = False,
                 on_current_data: bool = False, drop_missing: bool = False) -> bool:
    """Open a stored version (one undo step), on the data it was made on; False with a message when it cannot."""
    ws, opened = workspace(), store()
    if opened is None:
        st.session_state["messages"] = [("error", f"The scenario store is not available: {problem()}")]
        return False
    try:
        saved = opened.get(scenario_id, version)
        scenario = parse_scenario(saved.document, source=f"store:{saved.scenario_id}@{saved.version}")
        if on_current_data:
            communities, sites, matrix = ws.communities, ws.sites, ws.matrix
        else:
            communities, sites = open_data(opened, saved.data)
            matrix = open_matrix(opened, saved.data, communities, sites)
        ws.open_stored(scenario, communities, sites, None if copy else saved.scenario_id,
                       None if copy else saved.version, saved.document, drop_missing=drop_missing, matrix=matrix,
                       label=f"open {scenario.name} v{saved.version}" + (" (a copy)" if copy else ""))
    except MissingData as error:
        st.session_state["open-problem"] = {"id": scenario_id, "version": version, "copy": copy,
                                            "missing": [str(p.message) for p in error.problems]}
        return False
    except HubsNotInData as error:
        st.session_state["open-problem"] = {"id": scenario_id, "version": version, "copy": copy,
                                            "hubs": [(h.id, h.name, h.site_id) for h in error.hubs],
                                            "on_current_data": on_current_data}
        return False
    except InputError as error:
        st.session_state["messages"] = [("error", f"Could not open it: {p}") for p in error.problems]
        return False
    st.session_state.pop("open-problem", None)
    st.session_state["messages"] = [("success", f"Opened {ws.scenario.name} (version {saved.version})"
                                     + (" as an unsaved copy" if copy else "") + ": one undo step.")]
    return True


def evaluate_version(scenario_id: str, version: int):
    """A stored version evaluated on the data it was made on (kept for the session: versions never change)."""
    from coverage.evaluation import evaluate
    from ui.state import shared_engine

    cache = st.session_state.setdefault("evaluated-versions", {})
    if (scenario_id, version) not in cache:
        opened = store()
        if opened is None:
            raise InputError(f"the scenario store is not available: {problem()}")
        saved = opened.get(scenario_id, version)
        scenario = parse_scenario(saved.document, source=f"store:{scenario_id}@{version}")
        communities, sites = open_data(opened, saved.data)
        matrix = open_matrix(opened, saved.data, communities, sites)
        cache[(scenario_id, version)] = evaluate(scenario, engine=shared_engine(communities, sites, scenario.travel,
                                                                                 matrix))
        while len(cache) > 16:
            cache.pop(next(iter(cache)))
    return cache[(scenario_id, version)]


# -- links -----------------------------------------------------------------------------------------
def open_link() -> bool:
    """Open a ``?scenario=`` or ``?id=&v=`` link once per session; True when the query held one."""
    params = st.query_params
    if "scenario" not in params and "id" not in params:
        return False
    from coverage.links import decode

    ws = workspace()
    try:
        if "scenario" in params:
            scenario = decode(params.get("scenario", ""))
            ws.open_stored(scenario, ws.communities, ws.sites, None, None, label=f"open the shared plan "
                           f"{scenario.name}")
            st.session_state["messages"] = [("success", f"Opened the shared plan “{scenario.name}” as an unsaved "
                                             "copy; your saved plans are unchanged.")]
        else:
            version = params.get("v")
            if version is not None and not str(version).isdigit():
                raise InputError(f"share link: v={version!r} is not a version number")
            open_version(str(params.get("id")), int(version) if version else None, copy=True)
    except HubsNotInData as error:
        st.session_state["messages"] = [("error", "This share link could not be opened: " + str(error.problems[0])
                                         + ". Your current plan is unchanged.")]
    except InputError as error:
        st.session_state["messages"] = [("error", f"This share link could not be opened: {p}. Your current plan is "
                                         "unchanged.") for p in error.problems]
    st.query_params.clear()
    return True


# -- the draft -----------------------------------------------------------------------------------------
def browser_key() -> str | None:
    """This browser's random key (None until the browser has answered, on the second run of a session)."""
    result = _browser_component(key="browser", on_key_change=lambda: None, on_query_length_change=lambda: None)
    key = getattr(result, "key", None) if result is not None else None
    return key if isinstance(key, str) and 8 <= len(key) <= 64 else None


def _dropped_query() -> int:
    """Length of an address query that Streamlit refused to pass on (0 when none was dropped)."""
    from streamlit.runtime.state.query_params import CLIENT_STATE_QUERY_STRING_MAX_LENGTH

    length = (st.session_state.get("browser") or {}).get("query_length") or 0
    return length if isinstance(length, int) and length > CLIENT_STATE_QUERY_STRING_MAX_LENGTH else 0


def start() -> None:
    """Per session, once: open a link from the address; when the browser has said who it is, restore its draft."""
    if "linked" not in st.session_state:
        st.session_state["linked"] = open_link()
    key = browser_key()
    if key is None or st.session_state.get("draft-ready"):
        return
    opened = store()
    draft = opened.get_draft(key) if opened is not None else None
    too_long = _dropped_query()
    if too_long and not st.session_state["linked"]:
        from coverage.links import MAX_LINK_CHARS

        st.session_state["linked"] = True
        st.session_state["messages"] = [("error", f"This share link could not be opened: it is {too_long:,} characters "
                                         f"long, and a share link holds at most {MAX_LINK_CHARS:,}. Your current plan "
                                         "is unchanged.")]
        st.query_params.clear()
    if st.session_state["linked"]:
        if draft is not None and draft.document.get("hubs") and opened.writable:
            opened.save_draft(key + BEFORE_LINK, draft.document, draft.data, draft.origin_id, draft.origin_version)
    elif draft is not None and workspace().revision == 0:
        _restore(opened, draft)
    st.session_state["draft-ready"] = True
    st.session_state["draft-key"] = key


def _restore(opened: ScenarioStore, draft, label: str = "restore your unsaved plan") -> bool:
    ws = workspace()
    try:
        scenario = parse_scenario(draft.document, source="draft")
        communities, sites = open_data(opened, draft.data)
        matrix = open_matrix(opened, draft.data, communities, sites)
        saved = opened.get(draft.origin_id, draft.origin_version) if draft.origin_id else None
        ws.open_stored(scenario, communities, sites, draft.origin_id, draft.origin_version,
                       saved.document if saved else None, label=label, matrix=matrix)
    except InputError as error:
        st.session_state["messages"] = [("error", f"Your unsaved plan from {draft.updated_at[:16].replace('T', ' ')} "
                                         f"UTC could not be restored: {p}") for p in error.problems]
        return False
    if ws.scenario.to_dict() != Scenario().to_dict() or draft.origin_id:
        st.session_state["messages"] = [("success", f"Restored your unsaved plan “{ws.scenario.name}” "
                                         f"({len(ws.scenario.hubs)} hubs) from {draft.updated_at[:16].replace('T', ' ')} "
                                         "UTC.")]
    return True


def earlier_draft():
    """The draft a share link set aside in this browser, if any."""
    key, opened = st.session_state.get("draft-key"), store()
    if not key or opened is None:
        return None
    return opened.get_draft(key + BEFORE_LINK)


def restore_earlier() -> None:
    """Bring back the plan a share link set aside (one undo step)."""
    key, opened, draft = st.session_state.get("draft-key"), store(), earlier_draft()
    if draft is not None and _restore(opened, draft, label="bring back the plan before the link"):
        opened.delete_draft(key + BEFORE_LINK)


def autosave() -> None:
    """Save the working plan as this browser's draft when it changed since the last run."""
    key, opened = st.session_state.get("draft-key"), store()
    if not st.session_state.get("draft-ready") or not key or opened is None or not opened.writable:
        return
    ws = workspace()
    marker = (id(ws), ws.revision)
    if st.session_state.get("draft-saved") == marker:
        return
    try:
        opened.save_draft(key, ws.scenario.to_dict(), data_ref(ws.communities, ws.sites, matrix_in_use()), ws.origin,
                          ws.origin_version)
    except InputError:
        return  # the banner says why saving is off; the plan stays in the session
    st.session_state["draft-saved"] = marker


__all__ = ["StoreUnavailable", "author", "autosave", "banner", "browser_key", "earlier_draft", "keep_upload",
           "open_version", "problem", "restore_earlier", "save", "start", "store"]
