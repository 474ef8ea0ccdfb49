"""Scenarios: save, open, rename, delete and restore plans; their versions; share links."""

from __future__ import annotations

from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from coverage.links import scenario_link, stored_link
from ui import fmt, storage
from ui.state import apply, show_messages, workspace

ws = workspace()
store = storage.store()
writable = store is not None and store.writable
st.title("Scenarios")
show_messages()

# -- the plan you are working on --------------------------------------------------------------------------
with st.container(border=True, key="this-plan"):
    left, right = st.columns([3, 2])
    with left:
        name = st.text_input("Scenario name", ws.scenario.name, max_chars=500, key=f"scenario-name-{ws.revision}")
        if name.strip() and name != ws.scenario.name:
            apply(ws.rename, name, done=f"Renamed to {name}")
            st.rerun()
        if ws.origin:
            state = "unsaved changes since" if ws.unsaved else "saved as"
            st.caption(f"Scenario `{ws.origin}` · {state} version {ws.origin_version}")
        else:
            st.caption("Never saved" + (" · unsaved changes" if ws.unsaved else ""))
    with right:
        st.text_input("Your name", key="author", placeholder="local", max_chars=200,
                      help="Kept with every save, rename and delete (free text until team login arrives).")
    buttons = st.columns(4)
    save_label = f"Save version {ws.origin_version + 1}" if ws.origin else "Save"
    buttons[0].button(save_label, type="primary", icon=":material/save:", disabled=not writable, width="stretch",
                      on_click=storage.save, key="save",
                      help="Every save is a new version; nothing is overwritten." if writable else storage.problem())
    with buttons[1].popover("Save as new scenario", icon=":material/note_add:", disabled=not writable,
                            width="stretch"):
        with st.form("save-as", border=False):
            new_name = st.text_input("Name of the new scenario", f"{ws.scenario.name} (copy)"
                                     if ws.origin else ws.scenario.name, max_chars=500)
            if st.form_submit_button("Save as new", type="primary"):
                if apply(ws.rename, new_name):
                    storage.save(as_new=True)
                st.rerun()
    with buttons[2].popover("New scenario", icon=":material/add_box:", width="stretch"):
        st.markdown("Start an empty plan with the default settings, on the current data. "
                    "The current plan stays one Undo away" + (" and in the store." if ws.origin else "."))
        st.button("Start a new scenario", key="new-scenario", on_click=apply, args=(ws.new_scenario,),
                  kwargs={"done": "New scenario: one undo step"})
    locked = [hub for hub in ws.scenario.hubs if hub.locked]
    with buttons[3].popover("Clear all hubs", icon=":material/layers_clear:", width="stretch",
                            disabled=not ws.scenario.hubs):
        st.markdown(f"Remove the {len(ws.scenario.hubs)} hubs of this plan (one undo step).")
        if locked:
            st.warning(f"{len(locked)} of them are locked.", icon=":material/lock:")
            st.button("Remove only the unlocked hubs", key="clear-unlocked", on_click=apply,
                      args=(ws.clear_hubs,), kwargs={"done": "Unlocked hubs removed"})
        st.button("Remove all hubs" + (", locked ones too" if locked else ""), key="clear-all", on_click=apply,
                  args=(ws.clear_hubs,), kwargs={"remove_locked": True, "done": "All hubs removed"})

# -- a version that could not be opened as it was ----------------------------------------------------------
problem = st.session_state.get("open-problem")
if problem:
    with st.container(border=True, key="open-problem"):
        if problem.get("missing"):
            st.error("This version was made on data that is not in the scenario store: "
                     + "; ".join(problem["missing"]), icon=":material/error:")
            st.button("Open it on the current data instead", key="open-on-current",
                      on_click=storage.open_version, args=(problem["id"], problem["version"]),
                      kwargs={"copy": problem["copy"], "on_current_data": True})
        else:
            hubs = problem["hubs"]
            st.error(f"{len(hubs)} of its hubs sit on sites the data lacks; nothing was opened.",
                     icon=":material/error:")
            st.dataframe(pd.DataFrame(hubs, columns=["hub", "name", "site"]), hide_index=True, key="missing-hubs")
            st.button(f"Open it without these {len(hubs)} hubs", key="open-dropping",
                      on_click=storage.open_version, args=(problem["id"], problem["version"]),
                      kwargs={"copy": problem["copy"], "on_current_data": problem.get("on_current_data", False),
                              "drop_missing": True})
        st.button("Cancel", key="open-cancel", on_click=lambda: st.session_state.pop("open-problem", None))

# -- share ---------------------------------------------------------------------------------------------------
with st.expander("Share this plan", icon=":material/share:", key="share"):
    address = urlsplit(st.context.url or "http://localhost:8501/")
    base = f"{address.scheme}://{address.netloc}/"
    st.markdown("**Copy link** (the copy button is at the right of the box). It carries the whole plan, so it "
                "opens on any server running the planner, as an unsaved copy: the recipient's own plans are not "
                "touched.")
    st.code(scenario_link(ws.scenario, base), language=None, wrap_lines=True)
    if ws.origin and not ws.unsaved:
        st.markdown(f"Or the link to version {ws.origin_version} in this store (for colleagues using it):")
        st.code(stored_link(ws.origin, ws.origin_version, base), language=None)

earlier = storage.earlier_draft() if store is not None else None
if earlier is not None:
    st.info(f"A share link replaced your unsaved plan “{earlier.document.get('name', '')}” "
            f"({len(earlier.document.get('hubs', []))} hubs) in this browser; it was kept.",
            icon=":material/history:")
    st.button("Bring it back", key="restore-earlier", on_click=storage.restore_earlier)

# -- saved scenarios ------------------------------------------------------------------------------------------
st.subheader("Saved scenarios")
if store is None:
    st.info("The scenario store is not available, so there is nothing to list.")
    st.stop()
search = st.text_input("Search", key="scenario-search", placeholder="Name or id", label_visibility="collapsed")
scenarios = store.list(search=search or None)


def listing(items) -> pd.DataFrame:
    rows = []
    for info in items:
        figures = info.figures
        rows.append({"id": info.id, "name": info.name, "version": info.latest_version,
                     "saved": pd.Timestamp(info.updated_at).tz_convert(None), "by": info.updated_by,
                     "hubs": figures.get("hubs", 0), "cost": figures.get("cost_usd", 0.0) / 1e6,
                     "same-day people": figures.get("population", {}).get("same_day", 0),
                     "next-day people": figures.get("population", {}).get("next_day", 0),
                     "not covered": figures.get("population", {}).get("none", 0)})
    return pd.DataFrame(rows, columns=["id", "name", "version", "saved", "by", "hubs", "cost", "same-day people",
                                       "next-day people", "not covered"])


COLUMNS = {
    "id": None,  # shown with the chosen scenario below, to leave the width to the figures
    "name": st.column_config.TextColumn("Name", width="medium"),
    "note": st.column_config.TextColumn("Note"),
    "version": st.column_config.NumberColumn("Version", format="%d"),
    "saved": st.column_config.DatetimeColumn("Saved (UTC)", format="YYYY-MM-DD HH:mm"),
    "by": st.column_config.TextColumn("By"),
    "hubs": st.column_config.NumberColumn("Hubs", format="%d"),
    "cost": st.column_config.NumberColumn("Cost ($M)", format="%.1f"),
    "same-day people": st.column_config.NumberColumn("Same-day people", format="localized"),
    "next-day people": st.column_config.NumberColumn("Next-day people", format="localized"),
    "not covered": st.column_config.NumberColumn("People not covered", format="localized"),
}
if not scenarios:
    st.caption("No saved scenarios yet." if not search else f"No scenario matches “{search}”.")
    chosen = None
else:
    table = listing(scenarios)
    event = st.dataframe(table, hide_index=True, key="scenario-list", on_select="rerun", selection_mode="single-row",
                         width="stretch", column_config=COLUMNS)
    rows = event.selection.rows if event else []
    chosen = scenarios[rows[0]] if rows else None
    st.caption(f"{len(scenarios):,} scenarios. Select one to open, rename, delete it or see its versions. "
               "Click a column header to sort.")

if chosen is not None:
    with st.container(border=True, key="chosen-scenario"):
        st.markdown(f"**{fmt.markdown_text(chosen.name)}** · `{chosen.id}` · version {chosen.latest_version}")
        actions = st.columns(3)
        actions[0].button("Open the latest version", type="primary", icon=":material/file_open:", key="open-latest",
                          on_click=storage.open_version, args=(chosen.id,))
        with actions[1].popover("Rename", icon=":material/edit:", disabled=not writable):
            with st.form("rename", border=False):
                renamed = st.text_input("New name", chosen.name, max_chars=500)
                if st.form_submit_button("Rename (a new version)"):
                    apply(store.rename, chosen.id, renamed, author=storage.author(), done="Renamed: a new version")
                    st.rerun()
        with actions[2].popover("Delete", icon=":material/delete:", disabled=not writable):
            st.markdown("Move it to the bin; its versions are kept and it can be restored.")
            if st.button("Move to the bin", key="delete-scenario"):
                apply(store.delete, chosen.id, author=storage.author(), done=f"{chosen.name} moved to the bin")
                st.rerun()
        versions = list(reversed(store.history(chosen.id)))
        history = pd.DataFrame([{"version": v.version, "saved": pd.Timestamp(v.created_at).tz_convert(None),
                                 "by": v.author, "name": v.name, "note": v.note, "hubs": v.figures.get("hubs", 0),
                                 "cost": v.figures.get("cost_usd", 0.0) / 1e6,
                                 "same-day people": v.figures.get("population", {}).get("same_day", 0),
                                 "next-day people": v.figures.get("population", {}).get("next_day", 0)}
                                for v in versions])
        st.markdown("**Versions**, newest first")
        picked = st.dataframe(history, hide_index=True, key="version-list", on_select="rerun",
                              selection_mode="single-row", width="stretch", column_config=COLUMNS)
        picked_rows = picked.selection.rows if picked else []
        if picked_rows:
            version = versions[picked_rows[0]].version
            st.button(f"Open version {version}", icon=":material/history:", key="open-version",
                      on_click=storage.open_version, args=(chosen.id, version))

with st.expander("Bin", icon=":material/delete:", key="bin"):
    binned = store.list(deleted=True)
    if not binned:
        st.caption("The bin is empty.")
    else:
        table = listing(binned)
        table.insert(2, "deleted", [pd.Timestamp(i.deleted_at).tz_convert(None) for i in binned])
        picked = st.dataframe(table, hide_index=True, key="bin-list", on_select="rerun", selection_mode="single-row",
                              width="stretch", column_config=COLUMNS | {
                                  "deleted": st.column_config.DatetimeColumn("Deleted (UTC)",
                                                                             format="YYYY-MM-DD HH:mm")})
        rows = picked.selection.rows if picked else []
        if rows and st.button(f"Restore {binned[rows[0]].name}", key="restore-scenario", disabled=not writable):
            apply(store.restore, binned[rows[0]].id, author=storage.author(), done=f"{binned[rows[0]].name} restored")
            st.rerun()
