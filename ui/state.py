"""The session's workspace, the shared engine cache, and messages from callbacks.

One :class:`~coverage.workspace.Workspace` per browser session, in
``st.session_state``.  Engines are expensive to build and identical for everyone
on the same data, so :func:`shared_engine` keeps them with ``st.cache_resource``
under the data set's own key (``DataSet.engine_key``).  Changes run in
widget callbacks through :func:`apply`, which turns bad input into a message that
the next run shows, leaving the scenario as it was.

Messages
--------
:func:`tell` queues one; its template is ours (Markdown), every value in it is shown as
text (``fmt.text``), whoever wrote it.  A message stays until the planner acts (the plan
changes) or dismisses it; errors stay on the page they came from (or next to the
control that caused them, ``where``); plain confirmations are toasts.  Anything
unexpected is logged on the server (:func:`unexpected`) and the page says so in a
sentence, never with a traceback or a server path.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Generic, TypeVar, overload

import pandas as pd
import streamlit as st

from coverage.data import DataSet, build_engine, fingerprint
from coverage.engine import CoverageEngine
from coverage.errors import InputError
from coverage.travel import TravelModel
from coverage.workspace import Workspace
from ui import fmt

LOG = logging.getLogger("coverage.app")
T = TypeVar("T")


class Key(Generic[T]):
    """One entry of ``st.session_state``: its name there (what AppTest and the widgets see) and its type.

    ``get`` gives the value (or ``default``), ``set`` stores one, ``pop`` takes it out,
    ``setdefault`` gives it, storing ``value`` first when there is none, ``present`` says
    whether it is there.
    """

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    @overload
    def get(self) -> T | None: ...

    @overload
    def get(self, default: T) -> T: ...

    def get(self, default: T | None = None) -> T | None:
        return st.session_state.get(self.name, default)

    def set(self, value: T) -> None:
        st.session_state[self.name] = value

    def pop(self, default: T | None = None) -> T | None:
        return st.session_state.pop(self.name, default)

    def setdefault(self, value: T) -> T:
        return st.session_state.setdefault(self.name, value)

    def present(self) -> bool:
        return self.name in st.session_state

    def __repr__(self) -> str:
        return f"Key({self.name!r})"


class KeyFamily(Generic[T]):
    """Keys made from a pattern (``{}-problems`` for ``upload-problems``, ``matrix-problems``...)."""

    def __init__(self, pattern: str):
        self.pattern = pattern

    def __getitem__(self, part: str) -> Key[T]:
        return Key(self.pattern.format(part))


class keys:  # a namespace, lower case as a module would be: keys.MESSAGES.get()
    """Every key this app keeps in ``st.session_state`` (widgets' own keys apart), typed, in one place."""

    # -- the session ------------------------------------------------------------------------------------------------
    WORKSPACE: Key[Workspace] = Key("workspace")
    PAGE_NOW: Key[str] = Key("page-now")                      # the page this run shows (messages stay on theirs)
    MESSAGES: Key[list] = Key("messages")                    # queued by tell(), shown by show_messages()
    # -- the store, drafts, links and the planner's name (ui/storage.py) ---------------------------------------------
    STORE_PROBLEM: Key[tuple] = Key("store-problem")         # (url, why it could not be opened, when)
    STORE_GONE: Key[str] = Key("store-gone")                 # why a store that was open stopped answering
    AUTHOR_NAME: Key[str] = Key("author-name")
    AUTHOR_INPUT: Key[str] = Key("author-input")             # the "Your name" field (a widget key set from here too)
    UPLOADS: Key[dict] = Key("uploads")                      # fingerprint -> (kind, table, name, bytes)
    MATRIX_UPLOADS: Key[dict] = Key("matrix-uploads")        # fingerprint -> (matrix, bytes)
    OPEN_PROBLEM: Key[dict] = Key("open-problem")            # a stored version that could not be opened as it was
    LINK_PROBLEM: Key[dict] = Key("link-problem")            # a share link whose hubs the data lacks
    EVALUATED_VERSIONS: Key[dict] = Key("evaluated-versions")
    BROWSER: Key[dict] = Key("browser")                      # what the browser component said
    LINKED: Key[bool] = Key("linked")                        # this session opened a link from its address
    DRAFT_READY: Key[bool] = Key("draft-ready")
    DRAFT_KEY: Key[str] = Key("draft-key")
    DRAFT_SAVED: Key[tuple] = Key("draft-saved")             # (workspace id, revision) last autosaved
    OTHER_TAB: Key[str] = Key("other-tab")                   # the draft key of another tab's different plan
    # -- sign-in (ui/auth.py) and the team's store ----------------------------------------------------------------
    WELCOMED: Key[bool] = Key("welcomed")                    # this session's first run as a signed-in person is done
    LINKS_MADE: Key[set] = Key("links-made")                 # (scenario id, version) share links recorded in the audit
    SAVE_SPACE: Key[str] = Key("save-space")                 # where a new scenario is saved (a widget key)
    # -- pages --------------------------------------------------------------------------------------------------------
    TRAVEL_REFUSALS: Key[int] = Key("travel-refusals")       # the sidebar's fields start afresh after a refusal
    REPORT_MADE: Key[tuple] = Key("report-made")
    CONFIRM_LOCKED: Key[dict] = Key("confirm-locked")        # a hub-table edit that removes locked hubs, asked first
    HUB_TABLE_RESETS: Key[int] = Key("hub-table-resets")
    MAP_RESETS: Key[int] = Key("map-resets")
    PENDING_DATA: Key[dict] = Key("pending-data")            # new data that lacks some hubs' sites, asked first
    PROBLEMS: KeyFamily[tuple] = KeyFamily("{}-problems")    # upload, scenario, matrix: (file name, problems)
    DONE: KeyFamily[str] = KeyFamily("done-{}")              # the upload (file id) already taken, by kind
    OPTIMISER_JOB: Key[Any] = Key("optimiser-job")
    OPTIMISER_BASE: Key[int] = Key("optimiser-base")         # the revision the run started from
    OPTIMISER_SHOWN: Key[bool] = Key("optimiser-shown")
    COMPARE_WITH: Key[list] = Key("compare-with")
    COMPARE_CACHE: Key[tuple] = Key("compare-cache")
    SCENARIO_LISTS: Key[int] = Key("scenario-lists")
    SWEEP_CHOSEN: Key[str] = Key("sweep-chosen")
    RENAME: KeyFamily[str] = KeyFamily("rename-{}")          # the rename field of a stored scenario (a widget key)
    PROPOSE_NOTE: KeyFamily[str] = KeyFamily("propose-note-{}")    # scenario id: the note of a proposal (widget)
    REVIEW_COMMENT: KeyFamily[str] = KeyFamily("review-comment-{}")  # scenario id: an owner's review comment (widget)
    COMMENT_TEXT: KeyFamily[str] = KeyFamily("comment-text-{}")      # scenario id: a new comment (widget)
    TEAM_CHOSEN: Key[str] = Key("team-chosen")               # the team shown on the Team page (a widget key)
    AUDIT_TEAM: Key[str] = Key("audit-team")                 # the team whose log the Audit page shows (a widget key)
    MEMBER_EMAIL: Key[str] = Key("member-email")             # the Team page's form (widget keys)
    MEMBER_ROLE: Key[str] = Key("member-role")
    NEW_TEAM: Key[str] = Key("new-team")


@st.cache_resource(show_spinner="Building the coverage engine...", max_entries=8)
def _engine(key: tuple, _data: DataSet, _travel: TravelModel) -> CoverageEngine:
    return build_engine(_data, _travel)


def shared_engine(data: DataSet, travel: TravelModel) -> CoverageEngine:
    """An engine for this data set and reach (or travel matrix), shared by every session of the server."""
    data.check(travel)
    return _engine(data.engine_key(travel), data, travel)


def data_key(frame: pd.DataFrame) -> str:
    """A content fingerprint of a table (remembered on it), for cache keys."""
    return fingerprint(frame)


def workspace() -> Workspace:
    """This session's workspace (created on first use with the default data set)."""
    ws = keys.WORKSPACE.get()
    if ws is None:
        ws = Workspace(engine_factory=shared_engine)
        keys.WORKSPACE.set(ws)
    return ws


def apply(change: Callable[..., Any], *args: Any, done: str | tuple[str, dict] | None = None,
          where: str | None = None, **kwargs: Any) -> bool:
    """Run a workspace change; on bad input keep a message for the next run instead of failing.

    ``done`` is the toast on success: our text, or (template, untrusted values).
    ``where`` puts an error next to the control that caused it (see :func:`show_messages`).
    """
    try:
        change(*args, **kwargs)
    except InputError as error:
        tell_problems(error, where=where)
        return False
    if done:
        template, values = (done, {}) if isinstance(done, str) else done
        tell("success", template, **values)
    return True


def tell(kind: str, template: str, *, where: str | None = None, stay: bool = False, keep: bool = False,
         **values: Any) -> None:
    """Queue a message: ``template`` is ours (Markdown), ``values`` untrusted and shown as text.

    ``kind`` is ``success``, ``info``, ``warning`` or ``error``.  ``stay`` keeps a success or
    info on screen (not a toast) until the planner acts: for what explains what just
    happened (a link opened, a draft restored).  ``keep`` adds to the messages queued in
    this run instead of replacing them.
    """
    message = {"kind": kind, "text": fmt.say(template, **values), "where": where, "stay": stay,
               "revision": workspace().revision, "page": keys.PAGE_NOW.get()}
    earlier = keys.MESSAGES.get([]) if keep else []
    keys.MESSAGES.set([*earlier, message])


def tell_problems(error: InputError, template: str = "{problem}", *, where: str | None = None, **values: Any) -> None:
    """One error message per problem of an InputError (each shown as text)."""
    for number, problem in enumerate(error.problems):
        tell("error", template, where=where, keep=number > 0, problem=str(problem), **values)


def unexpected(error: BaseException, what: str, *, where: str | None = None) -> None:
    """Something that should not happen: the details to the server's log, a plain sentence to the page."""
    LOG.error("%s failed", what, exc_info=error)
    tell("error", what + " failed on the server (an unexpected {error}); the details are in the server's log. Your "
         "plan is unchanged.", where=where, error=type(error).__name__)


_SHOW = {"error": (st.error, ":material/error:"), "warning": (st.warning, ":material/warning:"),
         "info": (st.info, ":material/info:"), "success": (st.success, ":material/check_circle:")}


def show_messages(where: str | None = None) -> None:
    """Show the messages for this place: errors and explanations until the planner acts, confirmations as toasts."""
    revision, page = workspace().revision, keys.PAGE_NOW.get()
    kept = []
    for number, message in enumerate(keys.MESSAGES.get([])):
        if message["revision"] != revision:
            continue  # the planner has acted since: the message has done its job
        stays = message["stay"] or message["kind"] in ("error", "warning")
        here = message["where"] == where and (message["stay"] or message["page"] in (None, page))
        if not here:
            kept.append(message)
            continue
        if not stays:
            st.toast(message["text"], icon=":material/check_circle:")
            continue
        kept.append(message)
        show, icon = _SHOW[message["kind"]]
        if message["stay"]:
            text, dismiss = st.columns([12, 1], vertical_alignment="center")
            with text:
                show(message["text"], icon=icon)
            dismiss.button("", icon=":material/close:", key=f"dismiss-{where}-{number}-{revision}",
                           help="Dismiss this message", on_click=_dismiss, args=(message,))
        else:
            show(message["text"], icon=icon)
    keys.MESSAGES.set(kept)


def clear_messages(where: str | None = None) -> None:
    """Drop the messages shown at one place (the planner acted there again)."""
    keys.MESSAGES.set([m for m in keys.MESSAGES.get([]) if m["where"] != where])


def _dismiss(message: dict) -> None:
    keys.MESSAGES.set([m for m in keys.MESSAGES.get([]) if m != message])
