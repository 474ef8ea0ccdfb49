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
from typing import Any, Callable

import pandas as pd
import streamlit as st

from coverage.data import DataSet, build_engine, fingerprint
from coverage.engine import CoverageEngine
from coverage.errors import InputError
from coverage.travel import TravelModel
from coverage.workspace import Workspace
from ui import fmt

LOG = logging.getLogger("coverage.app")


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
    if "workspace" not in st.session_state:
        st.session_state["workspace"] = Workspace(engine_factory=shared_engine)
    return st.session_state["workspace"]


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
               "revision": workspace().revision, "page": st.session_state.get("page-now")}
    earlier = st.session_state.get("messages", []) if keep else []
    st.session_state["messages"] = [*earlier, message]


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
    revision, page = workspace().revision, st.session_state.get("page-now")
    kept = []
    for number, message in enumerate(st.session_state.get("messages", [])):
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
    st.session_state["messages"] = kept


def clear_messages(where: str | None = None) -> None:
    """Drop the messages shown at one place (the planner acted there again)."""
    st.session_state["messages"] = [m for m in st.session_state.get("messages", []) if m["where"] != where]


def _dismiss(message: dict) -> None:
    st.session_state["messages"] = [m for m in st.session_state.get("messages", []) if m != message]
