"""The scenario store in the app: which store, saving and opening, share links, and the autosaved drafts.

* **Which store**: ``COVERAGE_STORE_URL``, else ``[store] url`` in
  ``.streamlit/secrets.toml``, else the SQLite file in the user data folder.  One
  store object per URL for the whole server (``st.cache_resource``).  A store that
  cannot be opened, or a database server that stops answering later, leaves every
  page working with saving off and a banner saying why; the app looks again every
  few seconds and turns saving back on by itself when the store is back.  No store
  call reaches a page as a traceback: :class:`~coverage.store.StoreUnavailable` is
  caught here (and, for a page's own reads, around the page in ``app.py``).
* **The drafts**: a tiny component keeps a random key for the browser in its
  localStorage and one for the tab in its sessionStorage (which a reload keeps and
  another tab does not have).  The working plan is saved under browser and tab after
  every change, so two tabs never overwrite each other's work.  A reloaded tab gets
  its own plan back; a new tab starts from the browser's most recent draft; and when
  another tab of the browser holds a different unsaved plan, the page offers it.
  Nothing is autosaved before that restore was decided, so a fresh tab never
  overwrites a draft with an empty plan.
* **Links**: ``?scenario=...`` and ``?id=ID&v=V`` open as an unsaved copy; the query is
  then cleared whatever happened, so reloading the tab brings back the draft, not the
  link again.  A draft with work in it that a link would replace is kept aside
  (``<draft key>:before-link``) and offered on the Scenarios page.  A link whose hubs
  are on sites the data lacks says which, and lets the planner open it without them.
* **Who**: without sign-in (no ``[auth]`` in the secrets), the planner's name is free text,
  kept for the session and in the browser, and recorded with every save.  With sign-in,
  :func:`store` is the store *acting as the signed-in person* (``store.acting(person)``):
  every call is checked and recorded by the store itself, and the pages show its "not found
  or no access" and "not allowed" messages.  Drafts are then keyed per person as well as per
  browser and tab, so two people in one browser, or two tabs, never see or overwrite each
  other's work.
"""

from __future__ import annotations

import time

import streamlit as st

from coverage.errors import InputError
from coverage.scenario import Scenario, parse_scenario
from coverage.store import ScenarioStore, StoreUnavailable, store_url
from coverage.store.data import MissingData, keep, keep_matrix, open_dataset
from coverage.store.data import open_version as open_stored_version
from coverage.store.url import normalise
from coverage.workspace import HubsNotInData
from ui import auth, fmt
from ui.state import LOG, keys, tell, tell_problems, unexpected, workspace

_BROWSER_JS = """
export default function(component) {
  const { data, setStateValue } = component;
  const random = (n) => ((window.crypto && crypto.randomUUID) ? crypto.randomUUID().replace(/-/g, "")
                         : Math.random().toString(36).slice(2) + Date.now().toString(36)).slice(0, n);
  const read = (store, name) => { try { return store.getItem(name); } catch (e) { return null; } };
  const write = (store, name, value) => { try { store.setItem(name, value); } catch (e) {} };
  // the browser: localStorage, shared by its tabs
  let key = read(window.localStorage, "rural-coverage:browser");
  if (!key) { key = random(32); write(window.localStorage, "rural-coverage:browser", key); }
  // this tab: sessionStorage survives a reload of the tab, and another tab has its own
  let tab = read(window.sessionStorage, "rural-coverage:tab");
  if (!tab) { tab = random(10); write(window.sessionStorage, "rural-coverage:tab", tab); }
  let tabs = [];
  try { tabs = JSON.parse(read(window.localStorage, "rural-coverage:tabs") || "[]"); } catch (e) {}
  if (!Array.isArray(tabs)) { tabs = []; }
  tabs = tabs.filter((t) => typeof t === "string" && t !== tab).concat([tab]).slice(-12);
  write(window.localStorage, "rural-coverage:tabs", JSON.stringify(tabs));
  // the planner's name, once given
  if (data && typeof data.author === "string") { write(window.localStorage, "rural-coverage:author", data.author); }
  setStateValue("key", key);
  setStateValue("tab", tab);
  setStateValue("tabs", tabs);
  setStateValue("author", read(window.localStorage, "rural-coverage:author") || "");
  // Streamlit drops a query string longer than it accepts without a word; say how long it was
  setStateValue("query_length", window.location.search.length);
}
"""
_browser_component = st.components.v2.component("rural_coverage_browser_key", js=_BROWSER_JS)
BEFORE_LINK = ":before-link"
#: Seconds between looks at a store that could not be reached (saving comes back on by itself).
RETRY_SECONDS = 5.0


# -- which store -----------------------------------------------------------------------------
def _secrets_url() -> str | None:
    try:
        return st.secrets.get("store", {}).get("url")
    except Exception:  # no secrets file: the usual case
        return None


@st.cache_resource(show_spinner="Opening the scenario store...")
def _open(url: str) -> ScenarioStore:
    return ScenarioStore(url)


#: Per server process: when each store was last looked at, and why it did not answer (url -> (time, reason)).
_CHECKED: dict[str, tuple[float, str | None]] = {}
#: Seconds a store that answered is taken to be up without asking again.
UP_SECONDS = 2.0


def _reachable(opened: ScenarioStore) -> str | None:
    """None when the store answers; else why not (``ScenarioStore.unavailable_reason``, one ``SELECT 1`` that never
    raises).  Asked at most every few seconds per server process."""
    checked = _CHECKED.get(opened.url)
    if checked is not None and time.monotonic() - checked[0] < (UP_SECONDS if checked[1] is None else RETRY_SECONDS):
        return checked[1]
    reason = opened.unavailable_reason()
    _CHECKED[opened.url] = (time.monotonic(), reason)
    return reason


def went_away(error: StoreUnavailable) -> None:
    """A store call failed mid-way: saving is off (the banner says why) until the store answers again."""
    _CHECKED[normalise(store_url(None, _secrets_url()))] = (time.monotonic(), str(error.problems[0].message))
    keys.STORE_GONE.set(str(error.problems[0].message))


def store() -> ScenarioStore | None:
    """The session's scenario store, or None (with :func:`problem` saying why).

    With sign-in configured it is the store acting as the signed-in person, and nothing else:
    each call is checked by the store.
    """
    opened = _store()
    if opened is None or not auth.configured():
        return opened
    who = auth.person()
    return opened.acting(who) if who is not None else None


def admin_store() -> ScenarioStore | None:
    """The store as opened, acting as its administrator: only for applying ``[teams]`` from the secrets."""
    return _store()


def _store() -> ScenarioStore | None:
    url = store_url(None, _secrets_url())
    failed = keys.STORE_PROBLEM.get()
    if failed and failed[0] == url and time.monotonic() - failed[2] < RETRY_SECONDS:
        return None
    try:
        opened = _open(url)
    except InputError as error:
        keys.STORE_PROBLEM.set((url, str(error.problems[0].message), time.monotonic()))
        return None
    except Exception as error:  # an unexpected failure to open: logged, and saving is off
        LOG.error("opening the scenario store failed", exc_info=error)
        keys.STORE_PROBLEM.set((url, f"the scenario store could not be opened (an unexpected "
                                f"{type(error).__name__}; the details are in the server's log)",
                                time.monotonic()))
        return None
    keys.STORE_PROBLEM.pop()
    reason = _reachable(opened)
    if reason:
        keys.STORE_GONE.set(reason)
        return None
    keys.STORE_GONE.pop()
    if opened.messages:  # said once, to whoever opened it: "created" only when it really was
        st.toast(fmt.text(opened.messages.pop(0)), icon=":material/database:")
    return opened


def problem() -> str | None:
    """Why saving is off (None when it is on)."""
    opened = store()
    if opened is None:
        failed = keys.STORE_PROBLEM.get()
        return failed[1] if failed else keys.STORE_GONE.get("the scenario store is not available")
    return opened.read_only_reason if not opened.writable else None


def retry() -> None:
    """Forget a failed opening and a store found down, so that this run looks again."""
    keys.STORE_PROBLEM.pop()
    keys.STORE_GONE.pop()
    _CHECKED.clear()
    _open.clear()


def banner() -> None:
    """A warning on every page while saving is off; it looks again every few seconds and goes when saving is back."""
    if problem():
        _saving_off()
    _link_problem()
    _open_problem()
    _other_tab()


@st.fragment(run_every=RETRY_SECONDS)
def _saving_off() -> None:
    reason = problem()
    if not reason:
        st.rerun(scope="app")  # the store is back: every page saves again, and the banner goes
    left, right = st.columns([6, 1])
    left.warning(fmt.say("Saving is off: {reason}. Everything else works; download the scenario (Data page) to keep "
                         "it. Saving comes back on by itself when the store does.", reason=reason),
                 icon=":material/cloud_off:")
    right.button("Try again", key="store-retry", on_click=retry, icon=":material/refresh:")


def author() -> str:
    """Who saves: the signed-in person's email; without sign-in, the name given ('local' by default)."""
    who = auth.person()
    if who is not None:
        return who.email
    return (keys.AUTHOR_NAME.get() or "local").strip() or "local"


def author_field() -> None:
    """The "Your name" field: kept for the session (on every page) and in this browser (signed in: who saves)."""
    who = auth.person()
    if who is not None:
        st.caption(fmt.say("Saving as **{name}** ({email}): every save, rename and comment is recorded under your "
                           "name.", name=auth.display_name(who), email=who.email))
        return
    def remember() -> None:
        keys.AUTHOR_NAME.set(keys.AUTHOR_INPUT.get("").strip()[:200])

    if not keys.AUTHOR_INPUT.present():
        keys.AUTHOR_INPUT.set(keys.AUTHOR_NAME.get(""))
    st.text_input("Your name", key="author-input", placeholder="local", max_chars=200, on_change=remember,
                  help="Kept with every save, rename and delete (free text until team login arrives), and "
                       "remembered in this browser.")


# -- saving and opening ---------------------------------------------------------------------
def keep_upload(kind: str, table, name: str, content: bytes) -> None:
    """Keep an uploaded table in the store now (and in the session, for a save once the store is back)."""
    from coverage.data import fingerprint

    keys.UPLOADS.setdefault({})[fingerprint(table)] = (kind, table, name, content)
    opened = store()
    if opened is not None and opened.writable:
        try:
            keep(opened, kind, table, name, content, author=author())
        except StoreUnavailable as error:
            went_away(error)  # kept in the session: the next save stores it


def keep_matrix_upload(matrix, content: bytes) -> None:
    """Keep an uploaded travel matrix in the store (so plans made on it reopen with it)."""
    keys.MATRIX_UPLOADS.setdefault({})[matrix.fingerprint] = (matrix, content)
    opened = store()
    if opened is not None and opened.writable:
        try:
            keep_matrix(opened, matrix, content, author=author())
        except StoreUnavailable as error:
            went_away(error)


def keep_session_uploads(opened: ScenarioStore) -> None:
    """Store the data sets uploaded in this session (a plan saved on them reopens with them)."""
    for kind, table, name, content in keys.UPLOADS.get({}).values():
        keep(opened, kind, table, name, content, author=author())
    for matrix, content in keys.MATRIX_UPLOADS.get({}).values():
        keep_matrix(opened, matrix, content, author=author())


def save_label() -> tuple[str, str]:
    """The Save button's label (the version it will make) and a sentence on what it saves on top of."""
    ws, opened = workspace(), store()
    if not ws.origin:
        return "Save", "Saves this plan as a new scenario (version 1)."
    newest = ws.origin_latest or ws.origin_version
    if opened is not None:
        try:
            newest = max(newest, opened.info(ws.origin).latest_version)
        except InputError:
            pass  # gone from the store, or the store went away: the save says so
    following = newest + 1
    if newest != ws.origin_version:
        return (f"Save as version {following}",
                f"Saving on top of version {newest}; this plan was opened from version {ws.origin_version}.")
    return f"Save version {following}", f"Saves version {following}, on top of version {newest}."


def spaces() -> list[tuple[str, str]]:
    """Where this person may save a new scenario: (space id, label); empty without sign-in (one space for all)."""
    opened = store()
    if opened is None or not auth.configured():
        return []
    try:
        return list(opened.spaces())
    except StoreUnavailable as error:
        went_away(error)
        return []


def record(action: str, target: str = "", detail: str = "") -> None:
    """Put something the store does not see (a sign-in, a share link made) in its audit log; never fails a page."""
    opened = store()
    if opened is None or not auth.configured():
        return
    try:
        opened.record(action, target, detail)
    except InputError as error:  # the store went away, or is read-only: the log misses it, the page carries on
        LOG.warning("audit record %s %s not kept: %s", action, target, error)


def save(as_new: bool = False, space: str | None = None) -> None:
    """Save the working plan as a new version of its scenario (or, ``as_new``, a new scenario, into ``space``)."""
    ws, opened = workspace(), store()
    if opened is None or not opened.writable:
        tell("error", "Not saved: saving is off ({reason}).", reason=problem())
        return
    opened_from, newest = ws.origin_version, ws.origin_latest
    try:
        keep_session_uploads(opened)
        new = as_new or not ws.origin
        where = {"space": space} if space and new else {}
        result = opened.save(ws.scenario.to_dict(), figures=ws.evaluation.key_figures(),
                             data=ws.data_in_use.ref,
                             scenario_id=None if as_new else ws.origin,
                             based_on=None if as_new else newest, author=author(), **where)
    except StoreUnavailable as error:
        went_away(error)
        tell_problems(error, "Not saved: {problem}. Your plan is kept in this tab.")
        return
    except InputError as error:
        tell_problems(error, "Not saved: {problem}")
        return
    ws.mark_saved(result.id, result.version)
    if result.conflict:
        tell("warning", f"{{name}}: another save came in between; yours is version {result.version}.",
             name=ws.scenario.name)
    elif not as_new and opened_from is not None and opened_from != newest:
        tell("success", f"{{name}}: saved as version {result.version}, on top of version {newest} (this plan was "
             f"opened from version {opened_from}).", name=ws.scenario.name)
    else:
        tell("success", "{name}: {what}.", name=ws.scenario.name, what=result.message)


def rename(scenario_id: str, name: str) -> None:
    """Rename a stored scenario (a new version); renaming the open one renames the working plan too."""
    opened = store()
    if opened is None:
        tell("error", "Not renamed: saving is off ({reason}).", reason=problem())
        return
    try:
        result = opened.rename(scenario_id, name, author=author())
        workspace().renamed_in_store(scenario_id, result.version, opened.get(scenario_id, result.version).document)
    except StoreUnavailable as error:
        went_away(error)
        tell_problems(error, "Not renamed: {problem}")
        return
    except InputError as error:
        tell_problems(error, "Not renamed: {problem}")
        return
    tell("success", f"Renamed to {{name}}: version {result.version}.", name=name.strip())


def open_version(scenario_id: str, version: int | None = None, *, copy: bool = False,
                 on_current_data: bool = False, drop_missing: bool = False, what: str | None = None) -> bool:
    """Open a stored version (one undo step), on the data it was made on; False with a message when it cannot.

    ``what`` names it in the message ("run 3 of the sweep", say); the message stays until the planner acts.
    """
    ws, opened = workspace(), store()
    if opened is None:
        tell("error", "The scenario store is not available: {reason}", reason=problem())
        return False
    try:
        plan = open_stored_version(opened, scenario_id, version, data=ws.data if on_current_data else None)
        saved, scenario = plan.version, plan.scenario
        latest = opened.info(scenario_id).latest_version
        ws.open_stored(scenario, plan.data, None if copy else saved.scenario_id,
                       None if copy else saved.version, saved.document, drop_missing=drop_missing,
                       label=f"open {scenario.name} v{saved.version}" + (" (a copy)" if copy else ""),
                       latest=latest)
    except MissingData as error:
        keys.OPEN_PROBLEM.set({"id": scenario_id, "version": version, "copy": copy, "what": what,
                               "missing": [str(p.message) for p in error.problems]})
        return False
    except HubsNotInData as error:
        keys.OPEN_PROBLEM.set({"id": scenario_id, "version": version, "copy": copy, "what": what,
                               "hubs": [(h.id, h.name, h.site_id) for h in error.hubs],
                               "on_current_data": on_current_data})
        return False
    except StoreUnavailable as error:
        went_away(error)
        tell_problems(error, "Could not open it: {problem}")
        return False
    except InputError as error:
        tell_problems(error, "Could not open it: {problem}")
        return False
    keys.OPEN_PROBLEM.pop()
    tell("success", ("Opened {what} " if what else "Opened ") + "“{name}” (version " + f"{saved.version})"
         + (" as an unsaved copy" if copy else "") + ": one undo step" + (", Undo brings back the plan before."
                                                                         if ws.can_undo else "."),
         stay=True, what=what or "", name=ws.scenario.name)
    return True


def evaluate_version(scenario_id: str, version: int):
    """A stored version evaluated on the data it was made on (kept for the session: versions never change)."""
    from coverage.evaluation import evaluate
    from ui.state import shared_engine

    cache = keys.EVALUATED_VERSIONS.setdefault({})
    if (scenario_id, version) not in cache:
        opened = store()
        if opened is None:
            raise InputError(f"the scenario store is not available: {problem()}")
        plan = open_stored_version(opened, scenario_id, version)
        cache[(scenario_id, version)] = evaluate(plan.scenario, engine=shared_engine(plan.data,
                                                                                      plan.scenario.travel))
        while len(cache) > 16:
            cache.pop(next(iter(cache)))
    return cache[(scenario_id, version)]


# -- links -----------------------------------------------------------------------------------------
def open_link() -> bool:
    """Open a ``?scenario=`` or ``?id=&v=`` link once per session; True when the query held one.

    Whatever the link holds, the page gets a message and never an exception; the query
    is cleared in every case, so a reload does not repeat it.
    """
    params = st.query_params
    if "scenario" not in params and "id" not in params:
        return False
    try:
        _open_link(params)
    except Exception as error:  # bad input is an InputError (said above); anything else is logged, not shown
        unexpected(error, "Opening this share link")
    finally:
        st.query_params.clear()
    return True


def _open_link(params) -> None:
    from coverage.links import decode

    ws = workspace()
    unchanged = " Your current plan is unchanged."
    try:
        if "scenario" in params:
            scenario = decode(params.get("scenario", ""))
            try:
                ws.open_stored(scenario, ws.data.with_matrix(None), None, None, label=f"open the shared plan "
                               f"{scenario.name}")
            except HubsNotInData as error:
                keys.LINK_PROBLEM.set({"scenario": scenario,
                                       "hubs": [(h.id, h.name, h.site_id) for h in error.hubs]})
                tell("error", "This share link could not be opened as it is: {problem}." + unchanged,
                     problem=error.problems[0])
                return
            tell("success", "Opened the shared plan “{name}” as an unsaved copy; your saved plans are unchanged, "
                 "and Undo brings back the plan you had.", stay=True, name=scenario.name)
        else:
            version = params.get("v")
            if version is not None and not str(version).isdigit():
                raise InputError(f"share link: v={version!r} is not a version number")
            open_version(str(params.get("id")), int(version) if version else None, copy=True,
                         what="the shared plan")
    except InputError as error:
        tell_problems(error, "This share link could not be opened: {problem}." + unchanged)


def _link_problem() -> None:
    """A share link whose hubs the data lacks: which hubs, and open it without them (or not)."""
    problem_ = keys.LINK_PROBLEM.get()
    if not problem_:
        return
    import pandas as pd

    hubs = problem_["hubs"]
    with st.container(border=True, key="link-problem"):
        st.error(fmt.say("The share link's plan “{name}” has {count} hub(s) on sites the current data lacks; nothing "
                         "was opened.", name=problem_["scenario"].name, count=len(hubs)), icon=":material/error:")
        st.dataframe(pd.DataFrame(hubs, columns=["hub", "name", "site"]), hide_index=True, key="link-missing-hubs",
                     height=min(38 + 35 * len(hubs), 250))
        left, right = st.columns(2)
        left.button(f"Open it without these {len(hubs)} hubs", key="link-dropping", on_click=_open_link_dropping,
                    type="primary")
        right.button("Keep my current plan", key="link-cancel",
                     on_click=lambda: keys.LINK_PROBLEM.pop())


def _open_problem() -> None:
    """A stored version that could not be opened as it was: its data is gone, or some hubs' sites are."""
    problem_ = keys.OPEN_PROBLEM.get()
    if not problem_:
        return
    import pandas as pd

    again = {"copy": problem_["copy"], "what": problem_.get("what")}
    with st.container(border=True, key="open-problem"):
        if problem_.get("missing"):
            st.error(fmt.say("This version was made on data that is not in the scenario store: {missing}",
                             missing="; ".join(problem_["missing"])), icon=":material/error:")
            st.button("Open it on the current data instead", key="open-on-current", on_click=open_version,
                      args=(problem_["id"], problem_["version"]), kwargs={**again, "on_current_data": True})
        else:
            hubs = problem_["hubs"]
            st.error(f"{len(hubs)} of its hubs sit on sites the data lacks; nothing was opened.",
                     icon=":material/error:")
            st.dataframe(pd.DataFrame(hubs, columns=["hub", "name", "site"]), hide_index=True, key="missing-hubs",
                         height=min(38 + 35 * len(hubs), 250))
            st.button(f"Open it without these {len(hubs)} hubs", key="open-dropping", on_click=open_version,
                      args=(problem_["id"], problem_["version"]),
                      kwargs={**again, "on_current_data": problem_.get("on_current_data", False),
                              "drop_missing": True})
        st.button("Cancel", key="open-cancel", on_click=lambda: keys.OPEN_PROBLEM.pop())


def _open_link_dropping() -> None:
    problem_ = keys.LINK_PROBLEM.pop()
    if not problem_:
        return
    ws, scenario = workspace(), problem_["scenario"]
    try:
        ws.open_stored(scenario, ws.data.with_matrix(None), None, None, drop_missing=True,
                       label=f"open the shared plan {scenario.name} without {len(problem_['hubs'])} hubs")
    except InputError as error:
        tell_problems(error, "This share link could not be opened: {problem}.")
        return
    tell("success", f"Opened the shared plan “{{name}}” without the {len(problem_['hubs'])} hub(s) the data has no "
         "site for, as an unsaved copy: one undo step.", stay=True, name=scenario.name)


# -- the drafts -----------------------------------------------------------------------------------------
def browser() -> dict | None:
    """What the browser said: its key, this tab's key, the tabs it knows and the planner's name (None at first)."""
    author_now = keys.AUTHOR_NAME.get()
    result = _browser_component(key="browser", data={"author": author_now} if author_now is not None else None,
                                on_key_change=lambda: None, on_tab_change=lambda: None, on_tabs_change=lambda: None,
                                on_author_change=lambda: None, on_query_length_change=lambda: None)
    key = getattr(result, "key", None) if result is not None else None
    if not (isinstance(key, str) and 8 <= len(key) <= 40):
        return None
    tab = getattr(result, "tab", None)
    tab = tab if isinstance(tab, str) and 4 <= len(tab) <= 16 else None
    tabs = getattr(result, "tabs", None)
    tabs = [t for t in tabs if isinstance(t, str) and 4 <= len(t) <= 16][-12:] if isinstance(tabs, list) else []
    name = getattr(result, "author", None)
    return {"key": key, "tab": tab, "tabs": tabs, "author": name[:200] if isinstance(name, str) else None}


def _draft_key(found: dict, tab: str | None = None) -> str:
    """The draft key of a tab of this browser: ``browser:tab``, after the person's own key when signed in."""
    tab = tab if tab is not None else found["tab"]
    key = f"{found['key']}:{tab}" if tab else found["key"]
    who = auth.person_key(auth.person())
    return f"{who}/{key}" if who else key


def _dropped_query() -> int:
    """Length of an address query that Streamlit refused to pass on (0 when none was dropped)."""
    from streamlit.runtime.state.query_params import CLIENT_STATE_QUERY_STRING_MAX_LENGTH

    length = (keys.BROWSER.get() or {}).get("query_length") or 0
    return length if isinstance(length, int) and length > CLIENT_STATE_QUERY_STRING_MAX_LENGTH else 0


def start() -> None:
    """Per session, once: open a link from the address; when the browser has said who it is, restore its draft."""
    if not keys.WELCOMED.present():
        keys.WELCOMED.set(True)
        _welcome()
    if not keys.LINKED.present():
        keys.LINKED.set(open_link())
    found = browser()
    if found is None or keys.DRAFT_READY.get():
        return
    if found["author"] and not keys.AUTHOR_NAME.get():
        keys.AUTHOR_NAME.set(found["author"])
        if not keys.AUTHOR_INPUT.get():
            keys.AUTHOR_INPUT.set(found["author"])  # the field shows it, on whichever page it is
    too_long = _dropped_query()
    if too_long and not keys.LINKED.get():
        from coverage.links import MAX_LINK_CHARS

        keys.LINKED.set(True)
        tell("error", f"This share link could not be opened: it is {too_long:,} characters long, and a share link "
             f"holds at most {MAX_LINK_CHARS:,}. Your current plan is unchanged.")
        st.query_params.clear()
    opened = store()
    if opened is None:
        return  # looked at again on a later run: restoring waits for the store
    key = _draft_key(found)
    try:
        _start_drafts(opened, found, key)
    except StoreUnavailable as error:
        went_away(error)  # the plan in this tab carries on; the drafts wait for the store
        return
    keys.DRAFT_READY.set(True)
    keys.DRAFT_KEY.set(key)


def _welcome() -> None:
    """A signed-in person's first run of a session: roles from ``[teams]``, and a new sign-in in the audit log."""
    who = auth.person()
    if who is None:
        return
    if auth.team_roles(who):
        admin = admin_store()
        try:
            if admin is not None and admin.writable:
                auth.apply_groups(admin, who)
        except InputError as error:
            LOG.warning("roles from the groups claim not applied for %s: %s", who.email, error)
    if auth.fresh_sign_in(who):
        record("sign-in", who.email, who.name)


def _start_drafts(opened: ScenarioStore, found: dict, key: str) -> None:
    """Restore this tab's plan (or, in a new tab, the browser's latest); note another tab's different plan."""
    own = opened.get_draft(key)
    others = [d for d in (opened.get_draft(_draft_key(found, tab)) for tab in found["tabs"] if tab != found["tab"])
              if d is not None]
    legacy = (opened.get_draft(found["key"]) if found["tab"] and not auth.configured()
              else None)  # a draft from before drafts were per tab
    others += [legacy] if legacy is not None else []
    ws = workspace()
    if keys.LINKED.get() or ws.revision != 0:
        # the tab shows another plan already (a link, or work done while the store was away): keep its draft aside
        if own is not None and own.document.get("hubs") and own.document != ws.scenario.to_dict() and opened.writable:
            opened.save_draft(key + BEFORE_LINK, own.document, own.data, own.origin_id, own.origin_version)
        return
    if own is not None:  # this tab, reloaded: its own plan
        _restore(opened, own)
    elif others:  # a new tab: the browser's most recent plan, as this tab's own copy
        own = _newest(others)
        _restore(opened, own)
    different = [d for d in others if d is not own and d.document.get("hubs")
                 and d.document != (own.document if own is not None else None)]
    if different:
        keys.OTHER_TAB.set(_newest(different).key)


def _newest(drafts: list):
    return max(drafts, key=lambda d: d.updated_at) if drafts else None


def _restore(opened: ScenarioStore, draft, label: str = "restore your unsaved plan") -> bool:
    ws = workspace()
    when = draft.updated_at[:16].replace("T", " ")
    try:
        scenario = parse_scenario(draft.document, source="draft")
        data = open_dataset(opened, draft.data)
        saved = opened.get(draft.origin_id, draft.origin_version) if draft.origin_id else None
        latest = opened.info(draft.origin_id).latest_version if draft.origin_id else None
        ws.open_stored(scenario, data, draft.origin_id, draft.origin_version,
                       saved.document if saved else None, label=label, latest=latest)
    except StoreUnavailable:
        raise
    except InputError as error:
        tell_problems(error, f"Your unsaved plan from {when} UTC could not be restored: {{problem}}")
        return False
    if ws.scenario.to_dict() != Scenario().to_dict() or draft.origin_id:
        tell("success", f"Restored your unsaved plan “{{name}}” ({fmt.count(len(ws.scenario.hubs), 'hub')}) from "
             f"{when} UTC.", stay=True, name=ws.scenario.name)
    return True


def _other_tab() -> None:
    """Offer the different unsaved plan another tab of this browser holds (no work is lost to a second tab)."""
    key = keys.OTHER_TAB.get()
    opened = store() if key else None
    if opened is None:
        return
    try:
        draft = opened.get_draft(key)
    except StoreUnavailable as error:
        went_away(error)
        return
    if draft is None or draft.document == workspace().scenario.to_dict():
        keys.OTHER_TAB.pop()
        return
    with st.container(border=True, key="other-tab"):
        left, middle, right = st.columns([6, 1.4, 1], vertical_alignment="center")
        left.info(fmt.say("Another tab of this browser has a different unsaved plan, “{name}” ({count}, {when} UTC). "
                          "Both are kept.", name=draft.document.get("name", ""),
                          count=fmt.count(len(draft.document.get("hubs", [])), "hub"),
                          when=draft.updated_at[:16].replace("T", " ")),
                  icon=":material/tab:")
        middle.button("Open it here", key="other-tab-open", on_click=_open_other_tab, args=(key,),
                      help="One undo step; the other tab keeps its plan")
        right.button("Dismiss", key="other-tab-dismiss", on_click=lambda: keys.OTHER_TAB.pop())


def _open_other_tab(key: str) -> None:
    keys.OTHER_TAB.pop()
    opened = store()
    if opened is None:
        return
    try:
        draft = opened.get_draft(key)
        if draft is not None:
            _restore(opened, draft, label="open the plan of another tab")
    except StoreUnavailable as error:
        went_away(error)


def earlier_draft():
    """The draft a share link set aside in this tab, if any."""
    key, opened = keys.DRAFT_KEY.get(), store()
    if not key or opened is None:
        return None
    try:
        return opened.get_draft(key + BEFORE_LINK)
    except StoreUnavailable as error:
        went_away(error)
        return None


def restore_earlier() -> None:
    """Bring back the plan a share link set aside (one undo step)."""
    key, opened, draft = keys.DRAFT_KEY.get(), store(), earlier_draft()
    try:
        if draft is not None and _restore(opened, draft, label="bring back the plan before the link"):
            opened.delete_draft(key + BEFORE_LINK)
    except StoreUnavailable as error:
        went_away(error)


def autosave() -> None:
    """Save the working plan as this tab's draft when it changed since the last run."""
    key, opened = keys.DRAFT_KEY.get(), store()
    if not keys.DRAFT_READY.get() or not key or opened is None or not opened.writable:
        return
    ws = workspace()
    marker = (id(ws), ws.revision)
    if keys.DRAFT_SAVED.get() == marker:
        return
    try:
        opened.save_draft(key, ws.scenario.to_dict(), ws.data_in_use.ref, ws.origin, ws.origin_version)
    except StoreUnavailable as error:
        went_away(error)  # the banner says why saving is off; the plan stays in the session
        return
    except InputError:
        return
    keys.DRAFT_SAVED.set(marker)


__all__ = ["StoreUnavailable", "author", "author_field", "autosave", "banner", "browser", "earlier_draft",
           "keep_upload", "open_version", "problem", "rename", "restore_earlier", "save", "save_label", "start",
           "store", "went_away"]
