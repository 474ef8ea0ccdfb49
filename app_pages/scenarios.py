"""Scenarios: save, open, rename, delete and restore plans; their versions; share links."""

from __future__ import annotations

from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from coverage.errors import InputError
from coverage.links import scenario_link, stored_link
from ui import fmt, storage
from ui.state import apply, keys, show_messages, tell, tell_problems, workspace

ws = workspace()
store = storage.store()
writable = store is not None and store.writable
st.title("Scenarios")
show_messages()
#: Bumped after every delete, restore or rename: the lists start unselected and their popovers closed.
generation = keys.SCENARIO_LISTS.get(0)


def lists_changed() -> None:
    keys.SCENARIO_LISTS.set(keys.SCENARIO_LISTS.get(0) + 1)


def act(action, scenario_id: str, done: str, name: str) -> None:
    """Delete or restore a scenario (a callback): the lists then start afresh, with nothing selected."""
    lists_changed()
    try:
        action(scenario_id, author=storage.author())
    except storage.StoreUnavailable as error:
        storage.went_away(error)
        tell_problems(error)
        return
    except InputError as error:
        tell_problems(error)
        return
    tell("success", done, name=name)


def rename_chosen(scenario_id: str) -> None:
    lists_changed()
    storage.rename(scenario_id, keys.RENAME[scenario_id].get(""))

# -- the plan you are working on --------------------------------------------------------------------------
with st.container(border=True, key="this-plan"):
    left, right = st.columns([3, 2])
    with left:
        name = st.text_input("Scenario name", ws.scenario.name, max_chars=500, key=f"scenario-name-{ws.revision}")
        if name.strip() and name != ws.scenario.name:
            apply(ws.rename, name, done=("Renamed to {name}", {"name": name.strip()}))
            st.rerun()
        if ws.origin:
            state = "unsaved changes since" if ws.unsaved else "saved as"
            st.caption(fmt.say("Scenario {id} · " + f"{state} version {ws.origin_version}", id=ws.origin))
        else:
            st.caption("Never saved" + (" · unsaved changes" if ws.unsaved else ""))
    with right:
        storage.author_field()
    buttons = st.columns(4)
    save_label, save_note = storage.save_label()
    buttons[0].button(save_label, type="primary", icon=":material/save:", disabled=not writable, width="stretch",
                      on_click=storage.save, key="save",
                      help=(save_note + " Every save is a new version; nothing is overwritten.") if writable
                      else fmt.text(storage.problem()))
    if ws.origin and ws.origin_version != ws.origin_latest:
        st.caption(save_note)
    with buttons[1].popover("Save as new scenario", icon=":material/note_add:", disabled=not writable,
                            width="stretch"):
        with st.form("save-as", border=False):
            new_name = st.text_input("Name of the new scenario", f"{ws.scenario.name} (copy)"
                                     if ws.origin else ws.scenario.name, max_chars=500, key=f"save-as-{ws.revision}")
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
    st.info(fmt.say("Your earlier unsaved plan “{name}” ({count}) in this tab was kept aside when another plan "
                    "replaced it (a share link, say).", name=earlier.document.get("name", ""),
                    count=fmt.count(len(earlier.document.get("hubs", [])), "hub")), icon=":material/history:")
    st.button("Bring it back", key="restore-earlier", on_click=storage.restore_earlier)


# -- saved scenarios ------------------------------------------------------------------------------------------
def listing(items) -> pd.DataFrame:
    """One row per scenario: its latest version's key figures, covered and served."""
    rows = []
    for info in items:
        figures = info.figures
        covered, served = figures.get("population", {}), figures.get("served_population")
        rows.append({"id": info.id, "name": info.name, "version": info.latest_version,
                     "saved": pd.Timestamp(info.updated_at).tz_convert(None), "by": info.updated_by,
                     "hubs": figures.get("hubs", 0), "cost": figures.get("cost_usd", 0.0) / 1e6,
                     "same-day people": covered.get("same_day", 0), "next-day people": covered.get("next_day", 0),
                     "served": served["same_day"] + served["next_day"] if served else None,
                     "not covered": covered.get("none", 0)})
    return pd.DataFrame(rows, columns=["id", "name", "version", "saved", "by", "hubs", "cost", "same-day people",
                                       "next-day people", "served", "not covered"])


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
    "served": st.column_config.NumberColumn("Served within capacity", format="localized",
                                            help="People the hubs can serve within their daily capacity (same-day or "
                                                 "next-day); blank for versions saved before it was recorded"),
    "not covered": st.column_config.NumberColumn("People not covered", format="localized"),
}


def chosen_scenario(chosen) -> None:
    """The selected scenario: open, rename, delete, and its versions (keyed by it, so nothing carries over)."""
    with st.container(border=True, key="chosen-scenario"):
        st.markdown(fmt.say("**{name}** · {id} · " + f"version {chosen.latest_version}", name=chosen.name,
                            id=chosen.id))
        actions = st.columns(3)
        actions[0].button("Open the latest version", type="primary", icon=":material/file_open:", key="open-latest",
                          on_click=storage.open_version, args=(chosen.id,))
        with actions[1].popover("Rename", icon=":material/edit:", disabled=not writable,
                                key=f"rename-popover-{chosen.id}-{generation}"):
            st.text_input("New name", chosen.name, max_chars=500, key=f"rename-{chosen.id}")
            st.button("Rename (a new version)", key="rename-scenario", on_click=rename_chosen, args=(chosen.id,))
        with actions[2].popover("Delete", icon=":material/delete:", disabled=not writable,
                                key=f"delete-popover-{chosen.id}-{generation}"):
            st.markdown("Move it to the bin; its versions are kept and it can be restored.")
            st.button("Move to the bin", key="delete-scenario", on_click=act,
                      args=(store.delete, chosen.id, "{name} moved to the bin", chosen.name))
        versions = list(reversed(store.history(chosen.id)))
        history = pd.DataFrame([{"version": v.version, "saved": pd.Timestamp(v.created_at).tz_convert(None),
                                 "by": v.author, "name": v.name, "note": v.note, "hubs": v.figures.get("hubs", 0),
                                 "cost": v.figures.get("cost_usd", 0.0) / 1e6,
                                 "same-day people": v.figures.get("population", {}).get("same_day", 0),
                                 "next-day people": v.figures.get("population", {}).get("next_day", 0),
                                 "served": sum(v.figures["served_population"][t] for t in ("same_day", "next_day"))
                                 if v.figures.get("served_population") else None}
                                for v in versions])
        st.markdown("**Versions**, newest first")
        picked = st.dataframe(history, hide_index=True, key=f"version-list-{chosen.id}-{generation}",
                              on_select="rerun", selection_mode="single-row", width="stretch", column_config=COLUMNS)
        picked_rows = [row for row in (picked.selection.rows if picked else []) if row < len(versions)]
        if picked_rows:
            version = versions[picked_rows[0]].version
            st.button(f"Open version {version}", icon=":material/history:", key="open-version",
                      on_click=storage.open_version, args=(chosen.id, version))


def bin_list() -> None:
    binned = store.list(deleted=True)
    if not binned:
        st.caption("The bin is empty.")
        return
    table = listing(binned)
    table.insert(2, "deleted", [pd.Timestamp(i.deleted_at).tz_convert(None) for i in binned])
    picked = st.dataframe(table, hide_index=True, key=f"bin-list-{generation}", on_select="rerun",
                          selection_mode="single-row", width="stretch", column_config=COLUMNS | {
                              "deleted": st.column_config.DatetimeColumn("Deleted (UTC)", format="YYYY-MM-DD HH:mm")})
    rows = [row for row in (picked.selection.rows if picked else []) if row < len(binned)]
    if rows:
        scenario = binned[rows[0]]
        st.button(fmt.say("Restore {name}", name=scenario.name), key="restore-scenario", disabled=not writable,
                  on_click=act, args=(store.restore, scenario.id, "{name} restored", scenario.name))


st.subheader("Saved scenarios")
if store is None:
    st.info("The scenario store is not available, so there is nothing to list.")
else:
    search = st.text_input("Search", key="scenario-search", placeholder="Name or id", label_visibility="collapsed")
    scenarios = store.list(search=search or None)
    if not scenarios:
        st.caption("No saved scenarios yet." if not search else fmt.say("No scenario matches “{search}”.",
                                                                          search=search))
    else:
        event = st.dataframe(listing(scenarios), hide_index=True, key=f"scenario-list-{generation}",
                             on_select="rerun", selection_mode="single-row", width="stretch", column_config=COLUMNS)
        rows = [row for row in (event.selection.rows if event else []) if row < len(scenarios)]
        st.caption(f"{fmt.count(len(scenarios), 'scenario')}. Select one to open, rename, delete it or see its "
                   "versions. Click a column header to sort.")
        if rows:
            chosen_scenario(scenarios[rows[0]])
    with st.expander("Bin", icon=":material/delete:", key="bin"):
        bin_list()
