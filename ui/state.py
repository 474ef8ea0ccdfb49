"""The session's workspace, the shared engine cache, and messages from callbacks.

One :class:`~coverage.workspace.Workspace` per browser session, in
``st.session_state``.  Engines are expensive to build and identical for everyone
on the same data, so they are shared with ``st.cache_resource``.  Changes run in
widget callbacks through :func:`apply`, which turns bad input into a message that
the next run shows, leaving the scenario as it was.
"""

from __future__ import annotations

from typing import Any, Callable

import pandas as pd
import streamlit as st

from coverage.engine import CoverageEngine
from coverage.errors import InputError
from coverage.evaluation import fingerprint, radius_for
from coverage.travel import TravelModel
from coverage.workspace import Workspace


@st.cache_resource(show_spinner="Building the coverage engine...", max_entries=8)
def _engine(communities_key: str, sites_key: str | None, reach: float | str,
            _communities: pd.DataFrame, _sites: pd.DataFrame | None, _matrix=None) -> CoverageEngine:
    if _matrix is not None:
        return CoverageEngine(_communities, _sites, matrix=_matrix)
    return CoverageEngine(_communities, _sites, radius_miles=reach)


def shared_engine(communities: pd.DataFrame, sites: pd.DataFrame | None, travel: TravelModel,
                  matrix=None) -> CoverageEngine:
    """An engine for this data set and reach (or travel matrix), shared by every session."""
    from coverage.evaluation import check_matrix

    check_matrix(travel, matrix)
    reach = matrix.fingerprint if matrix is not None else radius_for(travel)
    return _engine(data_key(communities), data_key(sites) if sites is not None else None, reach, communities, sites,
                   matrix)


def data_key(frame: pd.DataFrame) -> str:
    """A content fingerprint of a table (remembered on it), for cache keys."""
    return fingerprint(frame)


def workspace() -> Workspace:
    """This session's workspace (created on first use with the default data set)."""
    if "workspace" not in st.session_state:
        st.session_state["workspace"] = Workspace(engine_factory=shared_engine)
    return st.session_state["workspace"]


def apply(change: Callable[..., Any], *args: Any, done: str | None = None, **kwargs: Any) -> bool:
    """Run a workspace change; on bad input keep a message for the next run instead of failing."""
    try:
        change(*args, **kwargs)
    except InputError as error:
        st.session_state["messages"] = [("error", str(p)) for p in error.problems]
        return False
    if done:
        st.session_state["messages"] = [("success", done)]
    return True


def show_messages() -> None:
    """Show (once) what the last change reported."""
    for kind, text in st.session_state.pop("messages", []):
        if kind == "error":
            st.error(text, icon=":material/error:")
        elif kind == "warning":
            st.warning(text, icon=":material/warning:")
        else:
            st.toast(text, icon=":material/check_circle:")
