"""Coverage: totals by tier, by state and county, drive times, and what is not covered.

Every number here comes from the same evaluation as ``python -m coverage evaluate``.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from coverage import charts
from coverage.exports import csv_bytes
from ui import charts as ui_charts
from ui import fmt, mapview, tables
from ui.sidebar import TIER_LABELS
from ui.state import show_messages, workspace

ws = workspace()
coverage = ws.coverage
st.title("Coverage")
show_messages()

# -- totals ------------------------------------------------------------------------------
totals = coverage.totals()
all_communities = sum(totals["communities"].values())
all_people = sum(totals["population"].values())
summary = pd.DataFrame({
    "tier": [TIER_LABELS[t] for t in TIER_LABELS],
    "communities": [totals["communities"][t] for t in TIER_LABELS],
    "share of communities": [totals["communities"][t] / max(all_communities, 1) for t in TIER_LABELS],
    "population": [totals["population"][t] for t in TIER_LABELS],
    "share of population": [totals["population"][t] / max(all_people, 1) for t in TIER_LABELS],
})
st.dataframe(summary, hide_index=True, key="totals",
             column_config=tables.column_config("tier", "communities", "population") | {
    "share of communities": st.column_config.NumberColumn("Share of communities", format="percent"),
    "share of population": st.column_config.NumberColumn("Share of people", format="percent"),
})
st.caption(f"{len(ws.scenario.hubs)} hubs · {all_communities:,} communities · {all_people:,} people. "
           "The same figures as `python -m coverage evaluate` for this scenario.")

by_state_tab, by_county_tab, minutes_tab, uncovered_tab = st.tabs(
    ["By state", "By county", "Drive times", "Not covered"])
colours = {tier: f"rgb{mapview.TIER_COLOURS[tier]}" for tier in TIER_LABELS}

with by_state_tab:
    by_state = coverage.by_state()
    measure = st.segmented_control("Measure", ["population", "communities"], default="population",
                                   key="state-measure") or "population"
    order = by_state.sort_values(f"{measure}", ascending=False)
    figure = go.Figure([go.Bar(name=TIER_LABELS[t], x=order["state"], y=order[f"{measure}_{t}"],
                               marker_color=colours[t]) for t in TIER_LABELS])
    figure.update_layout(barmode="stack", height=360, margin=dict(l=10, r=10, t=30, b=10),
                         legend=dict(orientation="h", y=1.12), yaxis_title=measure)
    st.plotly_chart(figure, width="stretch", key="state-chart")
    st.dataframe(by_state, hide_index=True, key="state-table", column_config=tables.column_config())

with by_county_tab:
    by_county = coverage.by_county()
    query = st.text_input("Find a county, or a state by its code", key="county-search",
                          placeholder="e.g. Ford, or KS for every Kansas county")
    text = query.strip()
    if text.upper() in set(by_county["state"]):  # a state code means that state, never part of a county name
        by_county = by_county[by_county["state"] == text.upper()]
        found = f"{len(by_county):,} counties in {text.upper()}"
    elif text:
        by_county = by_county[by_county["county"].str.contains(text, case=False, regex=False)]
        found = f"{len(by_county):,} counties whose name contains “{text}”"
    else:
        found = f"{len(by_county):,} counties"
    st.dataframe(by_county, hide_index=True, key="county-table", column_config=tables.column_config())
    st.caption(found)

with minutes_tab:
    bins, note = charts.drive_time_bins(coverage)
    if bins["communities"].sum() == 0 and note["beyond"] == 0:
        st.info("No community has a hub it can reach by road yet.")
    else:
        st.plotly_chart(ui_charts.drive_time_histogram(bins, note), width="stretch", key="minutes-chart")
        st.caption(f"{int(bins['communities'].sum()):,} communities within twice the next-day threshold, in bins "
                   f"that end on the thresholds; median {note['median']:.0f} {note['unit']}. "
                   f"{note['beyond']:,} lie farther; {note['unreachable']:,} have no hub a road reaches.")

with uncovered_tab:
    table = coverage.table()
    missing = table[table["tier"] == "none"].sort_values("population", ascending=False)
    shown = ["community_id", "name", "state", "county", "population", "drive_minutes", "distance_miles",
             "nearest_hub_id", "landmass"]
    st.markdown(f"**{len(missing):,} communities** ({fmt.people(missing['population'].sum())} people) "
                "are not within next-day drive time of any hub.")
    st.dataframe(missing[shown], hide_index=True, key="uncovered-table", column_config=tables.column_config())
    st.download_button("Download as CSV", csv_bytes(missing[shown]), file_name="not_covered.csv",
                       mime="text/csv", icon=":material/download:", key="uncovered-download")
