"""Data: the communities and candidate sites the plan runs on; bring your own."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pandas as pd
import streamlit as st

from coverage.data import DataSet
from coverage.errors import InputError
from coverage.loaders import load_communities, load_sites
from coverage.scenario import load_scenario
from coverage.workspace import HubsNotInData
from ui import fmt, storage
from ui.sidebar import travel_in_force
from ui.state import LOG, apply, keys, show_messages, tell, workspace

ws = workspace()
st.title("Data")
show_messages()

TYPES = ["csv", "xlsx", "geojson", "json", "gpkg"]
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def slug(name: str) -> str:
    """A file name from a scenario name."""
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "scenario"


def switch(data: DataSet, label: str, done: tuple[str, dict]) -> None:
    """Use other data; when the plan's hubs do not all fit it, keep the choice for the planner to make.

    ``done`` is the message, as (template, untrusted values).
    """
    try:
        ws.set_data(data, label=label)
    except HubsNotInData as error:
        keys.PENDING_DATA.set({"data": data, "label": label, "done": done,
                               "hubs": [(h.id, h.name, h.site_id) for h in error.hubs]})
        return
    keys.PENDING_DATA.pop()
    tell("success", done[0] + " One undo step.", stay=True, **done[1])


def refused(kind: str, name: str, error: BaseException) -> None:
    """Keep what is wrong with an upload for the page to list; anything unexpected goes to the server's log."""
    if isinstance(error, InputError):
        lines = [str(p) for p in error.problems]
    else:
        LOG.error("reading the upload %r failed", name, exc_info=error)
        lines = [f"{name}: it could not be read (an unexpected {type(error).__name__}; the details are in the "
                 "server's log)"]
    keys.PROBLEMS[kind].set((name, lines))


def show_refused(kind: str, outcome: str) -> None:
    """The problems of the last refused upload of this kind, every one listed (``outcome``: what stayed as it was)."""
    problems = keys.PROBLEMS[kind].get()
    if problems:
        st.error(fmt.say("{name} " + outcome + " {count} problem(s):", name=problems[0], count=len(problems[1])),
                 icon=":material/error:")
        st.code("\n".join(problems[1]), language=None, wrap_lines=True)


def take_upload(kind: str, upload) -> None:
    """Check an uploaded file and switch to it, or list every problem and keep the current data."""
    marker = keys.DONE[kind]
    if upload is None or marker.get() == upload.file_id:
        return
    marker.set(upload.file_id)
    try:
        if kind == "communities":
            table = load_communities(upload.getvalue(), name=upload.name)
            storage.keep_upload(kind, table, upload.name, upload.getvalue())
            switch(DataSet(table), f"use {upload.name}",
                   (f"Using {{name}}: {len(table):,} communities; every one is a candidate site.",
                    {"name": upload.name}))
        else:
            table = load_sites(upload.getvalue(), name=upload.name)
            storage.keep_upload(kind, table, upload.name, upload.getvalue())
            switch(DataSet(ws.communities, table), f"use {upload.name} as sites",
                   (f"Using {{name}}: {len(table):,} candidate sites.", {"name": upload.name}))
    except Exception as error:  # bad input (InputError) is listed; anything else is logged, never a traceback
        refused("upload", upload.name, error)
        return
    keys.PROBLEMS["upload"].pop()
    st.rerun()  # every figure on the page (and the sidebar) from the new data


def resolve(choice: str) -> None:
    """The planner's answer when new data lacks some hubs' sites."""
    pending = keys.PENDING_DATA.pop()
    if pending is None or choice == "cancel":
        return
    if choice == "new":
        ws.new_scenario()
        ws.set_data(pending["data"], label=pending["label"])
    else:
        ws.set_data(pending["data"], label=pending["label"], drop_missing=True)
    tell("success", pending["done"][0] + " One undo step.", stay=True, **pending["done"][1])


# -- what the plan runs on -----------------------------------------------------------------------------------
communities, sites = ws.communities, ws.sites
source = communities.attrs.get("source", "default")
left, middle, right = st.columns(3)
left.metric("Communities", f"{len(communities):,}", source if source != "default" else "bundled data set",
            delta_color="off", delta_arrow="off")
middle.metric("People", fmt.people(communities["population"].sum()), delta_color="off")
right.metric("Candidate sites", f"{ws.engine.n_sites:,}",
             "every community" if sites is None else sites.attrs.get("source", "uploaded"),
             delta_color="off", delta_arrow="off")

pending = keys.PENDING_DATA.get()
if pending:
    hubs = pending["hubs"]
    with st.container(border=True, key="pending-data"):
        st.warning(f"The new data is fine, but {len(hubs)} of the current plan's {len(ws.scenario.hubs)} hubs sit on "
                   "sites it does not have. What should happen to the plan?", icon=":material/help:")
        st.dataframe(pd.DataFrame(hubs, columns=["hub", "name", "site"]), hide_index=True, key="pending-hubs",
                     height=min(38 + 35 * len(hubs), 250))
        choices = st.columns(3)
        choices[0].button(f"Keep the {len(ws.scenario.hubs) - len(hubs)} hubs that match, drop {len(hubs)}",
                          type="primary", key="data-drop", on_click=resolve, args=("drop",), width="stretch")
        choices[1].button("Start a new empty scenario on this data", key="data-new", on_click=resolve,
                          args=("new",), width="stretch")
        choices[2].button("Cancel: keep the current data", key="data-cancel", on_click=resolve, args=("cancel",),
                          width="stretch")

st.subheader("Bring your own data")
st.markdown("Upload **communities** (columns `community_id`, `name`, `lat`, `lon`, `population`, and optionally "
            "`state`, `county`, `county_fips`) or **candidate sites** (`site_id`, `lat`, `lon`, and optionally "
            "`name`, `type`). CSV, Excel, GeoJSON or GeoPackage; every problem is listed with its row and column. "
            "`python -m coverage validate FILE` runs the same checks. Uploaded files are kept in the scenario store, "
            "so plans saved on them reopen with them.")
upload_left, upload_right = st.columns(2)
with upload_left:
    take_upload("communities", st.file_uploader("Communities file", type=TYPES, key="upload-communities"))
with upload_right:
    take_upload("sites", st.file_uploader("Candidate sites file", type=TYPES, key="upload-sites"))
show_refused("upload", "was not used; the current data and scenario are unchanged.")

if source != "default" or sites is not None:
    if st.button("Go back to the bundled 4,000 communities", icon=":material/restart_alt:", key="data-default"):
        switch(DataSet.default(), "go back to the bundled data", ("Using the bundled 4,000 communities.", {}))
        st.rerun()

st.subheader("Travel model")
st.markdown(f"In force: **{fmt.text(travel_in_force(ws.scenario.travel, ws.matrix))}**. Bring your own drive "
            "times as a **travel matrix**: a CSV or Parquet table of `site_id, community_id, minutes` from your GIS "
            "or routing engine (a pair it does not list is unreachable), or build one from OpenStreetMap roads with "
            "`python -m coverage travel-matrix --osm EXTRACT.osm.pbf --out matrix.parquet`. The thresholds apply to "
            "its minutes as to the drive-time model's.")
matrix_upload = st.file_uploader("Travel matrix", type=["csv", "parquet"], key="upload-matrix")
if matrix_upload is not None and keys.DONE["matrix"].get() != matrix_upload.file_id:
    keys.DONE["matrix"].set(matrix_upload.file_id)
    try:
        with st.spinner("Reading and checking the matrix..."):
            matrix = ws.data.load_matrix(matrix_upload.getvalue(), name=matrix_upload.name)
            ws.set_matrix(matrix)
        storage.keep_matrix_upload(matrix, matrix_upload.getvalue())
        keys.PROBLEMS["matrix"].pop()
        tell("success", f"Using {{name}}: {len(matrix):,} pairs of drive times (one undo step).", stay=True,
             name=matrix_upload.name)
        st.rerun()
    except Exception as error:  # bad input (InputError) is listed; anything else is logged, never a traceback
        refused("matrix", matrix_upload.name, error)
show_refused("matrix", "was not used; the current travel model and scenario are unchanged.")
if ws.scenario.travel.mode.uses_matrix:
    back = dataclasses.replace(ws.scenario.travel, mode="drive", matrix=None)
    st.button("Back to the drive-time model (circuity)", key="matrix-off", icon=":material/undo:",
              on_click=apply, args=(ws.set_travel, back), kwargs={"done": "Back to the drive-time model"})

st.subheader("Scenario file")
st.markdown("A scenario is the hubs plus every assumption, as `rural-coverage/scenario@1` JSON: the same file "
            "`python -m coverage evaluate` reads. Loading one starts a new, unsaved plan (one undo step).")
scenario_left, scenario_right = st.columns(2)
with scenario_left:
    upload = st.file_uploader("Load a scenario (.json)", type=["json"], key="upload-scenario")
    if upload is not None and keys.DONE["scenario"].get() != upload.file_id:
        keys.DONE["scenario"].set(upload.file_id)
        try:
            ws.load(load_scenario(upload.getvalue(), name=upload.name), label=f"load {upload.name}")
            keys.PROBLEMS["scenario"].pop()
            tell("success", f"Loaded {{name}}: {len(ws.scenario.hubs)} hubs (one undo step).", stay=True,
                 name=upload.name)
            st.rerun()
        except Exception as error:  # bad input (InputError) is listed; anything else is logged, never a traceback
            refused("scenario", upload.name, error)
    show_refused("scenario", "was not loaded; the current scenario is unchanged.")
    examples = sorted(EXAMPLES.glob("*.json"))
    choice = st.selectbox("Or load an example", [e.name for e in examples], index=None, key="example-scenario",
                          placeholder="Choose an example scenario...")
    if choice and st.button("Load example", icon=":material/upload_file:", key="load-example"):
        if apply(ws.load, load_scenario(EXAMPLES / choice), label=f"load {choice}", done=("Loaded {name}",
                                                                                          {"name": choice})):
            st.rerun()
with scenario_right:
    st.download_button("Download this scenario (.json)", ws.scenario.to_json().encode("utf-8"),
                       file_name=f"{slug(ws.scenario.name)}.json", mime="application/json",
                       icon=":material/download:", key="download-scenario")

st.subheader("Communities")
st.dataframe(communities, hide_index=True, key="communities-table", height=320)
st.caption("Bundled data: GeoNames places (CC BY 4.0, geonames.org) chosen by the rule in data/README.md; counties "
           "from U.S. Census Bureau TIGER/Line boundaries (public domain).")
