"""Map & hubs: see coverage on the map and place, move, lock or remove hubs."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from coverage import defaults
from coverage.errors import InputError, Problem
from coverage.quarters import choices as quarter_choices
from coverage.scenario import HUB_TYPES, Hub
from coverage.workspace import LockedHubsRemoved
from ui import fmt, mapview
from ui.state import apply, data_key, keys, show_messages, tell, tell_problems, workspace

ws = workspace()
evaluation = ws.evaluation
scenario = ws.scenario
QUARTERS = quarter_choices(*(hub.open_quarter for hub in scenario.hubs), last=scenario.budget.horizon_end)
OPENS = ws.default_open_quarter

st.title("Map & hubs")
show_messages()


@st.cache_data(max_entries=4, show_spinner=False)
def site_labels(sites_key: str, _sites: pd.DataFrame) -> list[str]:
    """'Name, ST (id)' for every candidate site, for search and the hub table."""
    state = _sites["state"].astype(str)
    return (_sites["name"].astype(str) + ", " + state.where(state != "", "?") + " (" + _sites["site_id"].astype(str)
            + ")").tolist()


def site_id_of(label: str) -> str:
    return label.rsplit("(", 1)[1].rstrip(")")


@st.cache_data(max_entries=4, show_spinner=False)
def sites_by_name(sites_key: str, _labels: list[str], _ids: list[str]) -> dict[str, list[str]]:
    """'name, st' (lower case) -> the site ids of that name, for a place typed in the hub table."""
    found: dict[str, list[str]] = {}
    for label, site_id in zip(_labels, _ids):
        found.setdefault(label.rsplit(" (", 1)[0].strip().lower(), []).append(site_id)
    return found


COORDINATES = re.compile(r"^\s*(-?\d+(?:\.\d*)?)\s*,\s*(-?\d+(?:\.\d*)?)\s*(?:\(coordinates\))?\s*$")


sites = ws.engine.sites
labels = site_labels(data_key(sites), sites)

# -- the map ----------------------------------------------------------------------------
hubs_table = mapview.hub_table(evaluation)  # one table for the map and the hub editor below, once per plan state


@st.fragment
def map_panel(revision: int) -> None:
    """The map, its options and the bar that acts on a selection.

    A fragment: selecting a community or a hub, or a map option, reruns only this (the map's
    spec is the same bytes, so the browser keeps its map).  A button here that changes the plan
    reruns the whole page, so that the figures and the hub table show it.
    """
    ws = workspace()
    if ws.revision != revision:  # the plan changed in a callback of this fragment's last run
        st.rerun()
    evaluation, scenario = ws.evaluation, ws.scenario
    hubs_table = mapview.hub_table(evaluation)
    hub_at_site = {hub.site_id: hub for hub in scenario.hubs if hub.site_id is not None}
    options = st.columns([1.0, 1.15, 1.1, 2.75, 1.0])
    mode = scenario.travel.mode
    ring_label, ring_help = (
        ("Reach", "A line from each hub to every community its travel matrix reaches.") if mode.outline == "lines" else
        ("Rings", "Circles of the great-circle distance the drive-time thresholds reach.") if mode.uses_road_model else
        ("Rings", "Circles of the radius mode's same-day and next-day miles."))
    show_rings = options[0].toggle(ring_label, value=True, key="show-rings", help=ring_help)
    by_utilisation = options[1].toggle("Utilisation", value=False, key="hub-utilisation",
                                       help="Fill each hub by the share of its daily capacity it ships: sky blue up to "
                                            "50%, yellow to 90%, orange below 100%, vermillion at capacity.")
    basemap = options[2].toggle("Basemap", value=False, key="basemap",
                                help="Streets from CARTO under the map. It needs internet: offline you see the state "
                                     "outlines only.")
    view_name = options[3].segmented_control("View", mapview.VIEWS, default="Lower 48", key="map-view",
                                             label_visibility="collapsed") or "Lower 48"
    if options[4].button("Reset view", key="map-reset", icon=":material/center_focus_strong:",
                         help="Back to the chosen view after panning or zooming"):
        keys.MAP_RESETS.set(keys.MAP_RESETS.get(0) + 1)
    view = mapview.named_view(view_name, ws.communities, hubs_table, keys.MAP_RESETS.get(0))
    # what to do with a click on the map sits right above it, where the planner is looking (filled in once the map's
    # selection is known)
    actions = st.container(border=True, key="map-actions")
    event = st.pydeck_chart(mapview.deck(evaluation, view, basemap=basemap, rings=show_rings, hubs=hubs_table,
                                         by_utilisation=by_utilisation),
                            height=600, key="map", on_select="rerun", selection_mode="single-object")
    st.caption(mapview.legend_markdown(evaluation))
    if by_utilisation:
        st.caption("Hub fill, share of its daily capacity it ships: :blue[●] up to 50%  :green[●] to 90%  "
                   ":orange[●] below 100%  :red[●] at capacity (more is ordered nearby than it can ship).")
    away = mapview.outside_lower48(hubs_table)
    if view_name == "Lower 48" and away:
        st.caption(f":material/info: {away} hub{'s are' if away > 1 else ' is'} outside this view (Alaska, Hawaii): "
                   "choose Alaska, Hawaii or Fit to hubs above.")
    if basemap:
        st.caption(":material/wifi: The basemap loads from CARTO over the internet; offline, only the state outlines "
                   "show.")

    # -- acting on a selection (in the bar above the map) ----------------------------------------------------
    selected = (event or {}).get("selection", {}).get("objects", {}) if isinstance(event, dict) else {}
    picked_community = (selected.get("communities") or [None])[0]
    picked_hub = (selected.get("hubs") or [None])[0]
    with actions:
        if picked_hub and any(h.id == picked_hub.get("hub_id") for h in scenario.hubs):
            hub = scenario.hub(picked_hub["hub_id"])
            with st.container(key="selected-hub"):
                text, left, right = st.columns([5, 2, 2], vertical_alignment="center")
                text.text(f"Selected hub {hub.id}: {hub.name}")  # st.text never renders markup
                left.button("Remove this hub", icon=":material/delete:", on_click=apply, args=(ws.remove_hub, hub.id),
                            kwargs={"done": ("Removed {name}", {"name": hub.name})}, width="stretch")
                right.button("Unlock" if hub.locked else "Lock", icon=":material/lock:", width="stretch",
                             on_click=apply, args=(ws.update_hub, hub.id), kwargs={"locked": not hub.locked})
        elif picked_community:
            community_id = str(picked_community.get("community_id"))
            current = mapview.community_label(evaluation, community_id) or picked_community.get("label", "")
            with st.container(key="selected-community"):
                text, left, right = st.columns([5, 2, 2], vertical_alignment="center")
                text.text("Selected: " + " · ".join(line for line in str(current).splitlines() if line))
                here = hub_at_site.get(community_id)
                if here is not None:
                    left.button("Remove the hub here", icon=":material/delete:", on_click=apply, width="stretch",
                                args=(ws.remove_hub, here.id), kwargs={"done": ("Removed {name}", {"name": here.name})})
                    right.button("Unlock the hub here" if here.locked else "Lock the hub here", icon=":material/lock:",
                                 on_click=apply, args=(ws.update_hub, here.id), kwargs={"locked": not here.locked},
                                 width="stretch")
                elif community_id in ws.engine.site_index:
                    left.button("Add a hub here", type="primary", icon=":material/add_location:", on_click=apply,
                                args=(ws.add_hub, community_id), kwargs={"done": "Hub added"}, width="stretch")
                else:
                    right.caption("Not a candidate site: add a hub by its coordinates below.")
        else:  # the same row as a selection's, so the map does not move when the planner clicks
            text, left, right = st.columns([5, 2, 2], vertical_alignment="center")
            text.markdown(":material/touch_app: Click a community on the map to add a hub there, or a hub to remove or "
                          "lock it. Or add hubs by name or coordinates below the map.")
            left.button("No community selected", icon=":material/add_location:", disabled=True, key="map-actions-idle",
                        width="stretch", help="Click a community on the map: this becomes Add a hub here")


map_panel(ws.revision)

# -- adding hubs ------------------------------------------------------------------------------
# a key keeps the chosen tab when a message appears above it or goes away
search_tab, coordinates_tab, move_tab = st.tabs(["Add by name", "Add by coordinates", "Move a hub"], key="add-tabs")
with search_tab:
    with st.form("add-by-name", border=False, enter_to_submit=True):
        columns = st.columns([3, 1, 1, 1])
        choice = columns[0].selectbox("Candidate site", labels, index=None, placeholder="Type a town name...",
                                      key="search-site")
        kind = columns[1].selectbox("Type", HUB_TYPES, index=HUB_TYPES.index(defaults.HUB_TYPE), key="search-type")
        quarter = columns[2].selectbox("Opens", QUARTERS, index=QUARTERS.index(OPENS),
                                       key="search-quarter")
        locked = columns[3].checkbox("Locked", key="search-locked")
        if st.form_submit_button("Add hub", type="primary", icon=":material/add:"):
            if choice is None:
                tell("error", "Choose a candidate site first.", where="add-by-name")
            else:
                apply(ws.add_hub, site_id_of(choice), type=kind, open_quarter=quarter, locked=locked,
                      done=("Hub added at {place}", {"place": choice}), where="add-by-name")
            st.rerun()
    show_messages(where="add-by-name")  # next to the control that caused them
with coordinates_tab:
    with st.form("add-by-coordinates", border=False):
        columns = st.columns([1, 1, 1, 1, 1])
        lat = columns[0].number_input("Latitude", -90.0, 90.0, value=None, format="%.5f", key="add-lat",
                                      placeholder="e.g. 41.12")
        lon = columns[1].number_input("Longitude", -180.0, 180.0, value=None, format="%.5f", key="add-lon",
                                      placeholder="e.g. -100.77")
        kind = columns[2].selectbox("Type", HUB_TYPES, index=HUB_TYPES.index(defaults.HUB_TYPE),
                                    key="coordinates-type")
        quarter = columns[3].selectbox("Opens", QUARTERS, index=QUARTERS.index(OPENS),
                                       key="coordinates-quarter")
        locked = columns[4].checkbox("Locked", key="coordinates-locked")
        if st.form_submit_button("Add hub at these coordinates", icon=":material/add_location_alt:"):
            if lat is None or lon is None:
                tell("error", "Give both a latitude and a longitude.", where="add-by-coordinates")
            else:
                apply(ws.add_hub, lat=lat, lon=lon, type=kind, open_quarter=quarter, locked=locked,
                      done=f"Hub added at {lat:.4f}, {lon:.4f}", where="add-by-coordinates")
            st.rerun()
    show_messages(where="add-by-coordinates")
with move_tab:
    # the 4,000 places are in a selectbox of their own, the same bytes every run (Streamlit sends it once and then by
    # reference), not in the hub table, which is new after every change (issue 25)
    with st.form("move-hub", border=False, enter_to_submit=True):
        columns = st.columns([2, 3])
        names = {hub.id: hub.name for hub in scenario.hubs}
        moved = columns[0].selectbox("Hub", list(names), index=None, placeholder="Choose a hub...", key="move-hub-id",
                                     format_func=lambda hub_id: f"{hub_id}: {names.get(hub_id, '')}")
        target = columns[1].selectbox("New place", labels, index=None, placeholder="Type a town name...",
                                      key="move-site")
        if st.form_submit_button("Move hub", icon=":material/move_location:"):
            if moved is None or target is None:
                tell("error", "Choose a hub and its new place.", where="move-hub")
            else:
                apply(ws.move_hub, moved, site_id_of(target), done=("Moved {name} to {place}",
                                                                     {"name": names.get(moved, moved),
                                                                      "place": target}), where="move-hub")
            st.rerun()
    show_messages(where="move-hub")

# -- the hub table --------------------------------------------------------------------------
st.subheader(f"Hubs ({len(scenario.hubs)})")


def place_label(hub: Hub) -> str:
    if hub.site_id is not None:
        index = ws.engine.site_index.get(hub.site_id)
        return labels[index] if index is not None else hub.site_id
    return f"{hub.lat:.5f}, {hub.lon:.5f} (coordinates)"


table = pd.DataFrame({
    "id": [h.id for h in scenario.hubs], "name": [h.name for h in scenario.hubs],
    "place": [place_label(h) for h in scenario.hubs], "type": [h.type for h in scenario.hubs],
    "open_quarter": [h.open_quarter for h in scenario.hubs], "locked": [h.locked for h in scenario.hubs],
    "cost_musd": hubs_table["cost_usd"].to_numpy() / 1e6 if len(hubs_table) else [],
    "people_same_day": hubs_table["population_same_day"].to_numpy() if len(hubs_table) else [],
    "people_next_day": hubs_table["population_next_day"].to_numpy() if len(hubs_table) else [],
}).astype({"id": object, "name": object, "place": object, "type": object, "open_quarter": object, "locked": bool,
           "cost_musd": float, "people_same_day": "int64", "people_next_day": "int64"})
editor_key = f"hub-table-{ws.revision}-{keys.HUB_TABLE_RESETS.get(0)}"


def place_of(place: str) -> tuple[dict, str | None]:
    """A place typed in the hub table: the site or coordinates it names and its name, or why it names none.

    A candidate site's label as the table shows it, its id, its name and state ("Hays, KS", any case, when only
    one site has it), or "latitude, longitude".
    """
    place = place.strip()
    if not place:
        return {}, None
    if match := COORDINATES.match(place):
        return {"lat": float(match[1]), "lon": float(match[2]), "place_name": f"Hub at {match[1]}, {match[2]}"}, None
    site_index = ws.engine.site_index
    if place.endswith(")") and " (" in place and site_id_of(place) in site_index:
        site_id = site_id_of(place)
    elif place in site_index:
        site_id = place
    else:
        found = sites_by_name(data_key(sites), labels, sites["site_id"].astype(str).tolist()).get(place.lower(), [])
        if len(found) != 1:
            return {}, (f"no candidate site is called {place}: give its name and state (Hays, KS), its id, or a "
                        "latitude, longitude" if not found else
                        f"{len(found)} candidate sites are called {place}: give its id ({', '.join(found[:5])})")
        site_id = found[0]
    label = labels[site_index[site_id]]
    return {"site_id": site_id, "place_name": f"Hub at {label.rsplit(' (', 1)[0]}"}, None


def apply_table_edits(edited: pd.DataFrame) -> None:
    """Turn the edited table into one new hub list (one undo step), or a message naming the row."""
    rows, problems = [], []
    for number, row in enumerate(edited.to_dict(orient="records"), start=1):
        place = row.get("place") if isinstance(row.get("place"), str) else ""
        location, problem = place_of(place)
        if problem:
            problems.append(Problem(problem, row=number, column="place"))
        rows.append({**row, **location})
    try:
        if problems:
            raise InputError(problems)
        hubs = ws.hubs_from_rows(rows)
        ws.set_hubs(hubs, label="edit the hub table")
        tell("success", "Hub table saved")
        return
    except LockedHubsRemoved as error:  # ask first; the table shows the hubs until the planner answers
        keys.CONFIRM_LOCKED.set({"hubs": hubs, "locked": [(h.id, h.name) for h in error.hubs]})
    except InputError as error:
        tell_problems(error, "Hub table: {problem}", where="hub-table")
    # a refused edit must not come back on the next run: start the editor afresh
    keys.HUB_TABLE_RESETS.set(keys.HUB_TABLE_RESETS.get(0) + 1)


def confirm_locked(remove: bool) -> None:
    pending = keys.CONFIRM_LOCKED.pop()
    if pending and remove:
        apply(ws.set_hubs, pending["hubs"], label="edit the hub table", remove_locked=True, done="Hub table saved",
              where="hub-table")


pending_locked = keys.CONFIRM_LOCKED.get()
if pending_locked:
    with st.container(border=True, key="confirm-locked"):
        names = ", ".join(f"{hub_id} ({name})" for hub_id, name in pending_locked["locked"])
        st.warning(fmt.say("This edit removes {count} locked hub(s): {names}. Locked hubs are the ones the plan must "
                           "keep.", count=len(pending_locked["locked"]), names=names), icon=":material/lock:")
        yes, no = st.columns(2)
        yes.button("Remove the locked hubs too", key="confirm-locked-yes", on_click=confirm_locked, args=(True,))
        no.button("Keep them", key="confirm-locked-no", type="primary", on_click=confirm_locked, args=(False,))

show_messages(where="hub-table")
editable = ["id", "name", "place", "type", "open_quarter", "locked"]
edited = st.data_editor(
    table, key=editor_key, num_rows="dynamic", hide_index=True, width="stretch",
    column_config={
        "id": st.column_config.TextColumn("Id", disabled=True, width=40),
        "name": st.column_config.TextColumn("Name", max_chars=500, width=190),
        "place": st.column_config.TextColumn("Place", width=190,
                                             help="A candidate site (its name and state, e.g. Hays, KS, or its id) "
                                                  "or latitude, longitude. To pick from the list: Move a hub, above"),
        "type": st.column_config.SelectboxColumn("Type", options=list(HUB_TYPES), required=True, width=90),
        "open_quarter": st.column_config.SelectboxColumn("Opens", options=QUARTERS, required=True, width=75),
        "locked": st.column_config.CheckboxColumn("Locked", width=60),
        "cost_musd": st.column_config.NumberColumn("Cost ($M)", format="%.1f", disabled=True, width=75,
                                                   help="Capex + opex from opening to the horizon end"),
        "people_same_day": st.column_config.NumberColumn("Same-day people", format="localized", disabled=True,
                                                         width=110),
        "people_next_day": st.column_config.NumberColumn("Next-day people", format="localized", disabled=True,
                                                         width=110),
    },
)
if not edited[editable].reset_index(drop=True).equals(table[editable].reset_index(drop=True)):
    apply_table_edits(edited)
    st.rerun()
st.caption("Edit cells, add a row at the bottom (its place by name and state, e.g. Hays, KS), or select rows and "
           "delete them; every edit is one undo step. "
           f"Total {fmt.usd(table['cost_musd'].sum() * 1e6 if len(table) else 0)}.")
