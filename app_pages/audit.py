"""Audit: the append-only log of who changed what, for a team's owners (and the administrator in local mode).

The store keeps the log itself (save, rename, bin, restore, delete, status change, comment,
membership change, data set upload; the app adds sign-ins and share links made) and decides
who may read it; this page only asks and shows the answer.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from coverage.errors import InputError
from ui import fmt, storage
from ui.state import keys, show_messages

store = storage.store()
st.title("Audit")
show_messages()
st.markdown("Who did what, when: every change to plans, teams and data sets, sign-ins and share links made. "
            "Owners of a team read its log.")
ALL = "\u0000all"  # every team's log (the administrator's view)

if store is None:
    st.info(fmt.say("The scenario store is not available: {reason}", reason=storage.problem()))
    st.stop()

owned = [t.name for t in store.teams() if t.role == "owner"]
choices = [ALL, *owned]
if keys.AUDIT_TEAM.get() not in choices:
    keys.AUDIT_TEAM.set(owned[0] if owned else ALL)
left, right = st.columns([3, 1])
team = left.selectbox("Log of", choices, key="audit-team",
                      format_func=lambda name: "Everything you may read" if name == ALL else f"Team {name}")
limit = right.number_input("Entries", min_value=10, max_value=10_000, value=500, step=100, key="audit-limit")
try:
    entries = sorted(store.audit(None if team == ALL else team, limit=int(limit)), key=lambda e: str(e.when),
                     reverse=True)
except InputError as error:  # the store's "not allowed" or "not found or no access", as it says it
    st.error(fmt.say("{problem}", problem="; ".join(str(p) for p in error.problems)), icon=":material/error:")
    st.stop()
if not entries:
    st.caption("Nothing in this log yet.")
else:
    st.dataframe(pd.DataFrame([{"when": str(e.when)[:19].replace("T", " "), "who": e.who, "action": e.action,
                                "target": e.target, "detail": e.detail, "space": e.space} for e in entries]),
                 hide_index=True, key="audit-log", width="stretch",
                 column_config={"when": st.column_config.TextColumn("When (UTC)"),
                                "who": "Who", "action": "Action", "target": "What", "detail": "Detail",
                                "space": "Space"})
    st.caption(fmt.count(len(entries), "entry", "entries") + ", newest first.")
