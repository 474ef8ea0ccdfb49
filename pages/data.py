"""Data: the communities and candidate sites the plan runs on; bring your own."""

from __future__ import annotations

import re
from pathlib import Path

import streamlit as st

from coverage.dataset import default_communities
from coverage.errors import InputError
from coverage.loaders import load_communities, load_sites
from coverage.scenario import load_scenario
from ui import fmt
from ui.state import show_messages, workspace

ws = workspace()
st.title("Data")
show_messages()

communities, sites = ws.communities, ws.sites
source = communities.attrs.get("source", "default")
left, right, third = st.columns(3)
left.metric("Communities", f"{len(communities):,}", source if source != "default" else "bundled data set",
            delta_color="off", delta_arrow="off")
right.metric("People", fmt.people(communities["population"].sum()), delta_color="off")
third.metric("Candidate sites", f"{ws.engine.n_sites:,}",
             "every community" if sites is None else sites.attrs.get("source", "uploaded"),
             delta_color="off", delta_arrow="off")

TYPES = ["csv", "xlsx", "geojson", "json", "gpkg"]
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def slug(name: str) -> str:
    """A file name from a scenario name."""
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "scenario"


def take_upload(kind: str, upload) -> None:
    """Check an uploaded file and switch to it, or list every problem and keep the current data."""
    marker = f"done-{kind}"
    if upload is None or st.session_state.get(marker) == upload.file_id:
        return
    st.session_state[marker] = upload.file_id
    try:
        if kind == "communities":
            table = load_communities(upload.getvalue(), name=upload.name)
            ws.set_data(table, None)
            st.success(f"Using {upload.name}: {len(table):,} communities; every one is a candidate site.")
        else:
            table = load_sites(upload.getvalue(), name=upload.name)
            ws.set_data(ws.communities, table)
            st.success(f"Using {upload.name}: {len(table):,} candidate sites.")
    except InputError as error:
        st.error(f"{upload.name} was not used; the current data and scenario are unchanged. "
                 f"{len(error.problems)} problem(s):")
        st.code("\n".join(str(p) for p in error.problems), language=None, wrap_lines=True)


st.subheader("Bring your own data")
st.markdown("Upload **communities** (columns `community_id`, `name`, `lat`, `lon`, `population`, and optionally "
            "`state`, `county`, `county_fips`) or **candidate sites** (`site_id`, `lat`, `lon`, and optionally "
            "`name`, `type`). CSV, Excel, GeoJSON or GeoPackage; every problem is listed with its row and column. "
            "`python -m coverage validate FILE` runs the same checks.")
upload_left, upload_right = st.columns(2)
with upload_left:
    take_upload("communities", st.file_uploader("Communities file", type=TYPES, key="upload-communities"))
with upload_right:
    take_upload("sites", st.file_uploader("Candidate sites file", type=TYPES, key="upload-sites"))

if source != "default" or sites is not None:
    if st.button("Go back to the bundled 4,000 communities", icon=":material/restart_alt:"):
        try:
            ws.set_data(default_communities(), None)
            st.rerun()
        except InputError as error:
            st.error("The scenario's hubs do not all sit on the bundled data's sites: "
                     + "; ".join(str(p) for p in error.problems))

st.subheader("Scenario file")
st.markdown("A scenario is the hubs plus every assumption, as `rural-coverage/scenario@1` JSON: the same file "
            "`python -m coverage evaluate` reads.")
scenario_left, scenario_right = st.columns(2)
with scenario_left:
    upload = st.file_uploader("Load a scenario (.json)", type=["json"], key="upload-scenario")
    if upload is not None and st.session_state.get("done-scenario") != upload.file_id:
        st.session_state["done-scenario"] = upload.file_id
        try:
            ws.load(load_scenario(upload.getvalue(), name=upload.name), label=f"load {upload.name}")
            st.success(f"Loaded {upload.name}: {len(ws.scenario.hubs)} hubs.")
        except InputError as error:
            st.error(f"{upload.name} was not loaded; the current scenario is unchanged. "
                     f"{len(error.problems)} problem(s):")
            st.code("\n".join(str(p) for p in error.problems), language=None, wrap_lines=True)
    examples = sorted(EXAMPLES.glob("*.json"))
    choice = st.selectbox("Or load an example", [e.name for e in examples], index=None, key="example-scenario",
                          placeholder="Choose an example scenario...")
    if choice and st.button("Load example", icon=":material/upload_file:"):
        try:
            ws.load(load_scenario(EXAMPLES / choice), label=f"load {choice}")
            st.success(f"Loaded {choice}: {len(ws.scenario.hubs)} hubs.")
        except InputError as error:
            st.error("; ".join(str(p) for p in error.problems))
with scenario_right:
    st.download_button("Download this scenario (.json)", ws.scenario.to_json().encode("utf-8"),
                       file_name=f"{slug(ws.scenario.name)}.json", mime="application/json",
                       icon=":material/download:", key="download-scenario")

st.subheader("Communities")
st.dataframe(communities, hide_index=True, key="communities-table", height=320)
st.caption("Bundled data: GeoNames places (CC BY 4.0, geonames.org) chosen by the rule in data/README.md; counties "
           "from U.S. Census Bureau TIGER/Line boundaries (public domain).")
