"""Coverage: totals by tier, by state and county, drive times, and what is not covered.

Every number here comes from the same evaluation as ``python -m coverage evaluate``.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from coverage.exports import csv_bytes
from ui import fmt, mapview
from ui.sidebar import TIER_LABELS
from ui.state import show_messages, workspace

ws = workspace()
coverage = ws.coverage
travel = ws.scenario.travel
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
st.dataframe(summary, hide_index=True, key="totals", column_config={
    "share of communities": st.column_config.NumberColumn(format="percent"),
    "share of population": st.column_config.NumberColumn(format="percent"),
    "communities": st.column_config.NumberColumn(format="localized"),
    "population": st.column_config.NumberColumn(format="localized"),
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
    st.dataframe(by_state, hide_index=True, key="state-table", column_config={
        "population_covered_share": st.column_config.NumberColumn("covered share", format="percent")})

with by_county_tab:
    by_county = coverage.by_county()
    query = st.text_input("Find a county or state", key="county-search", placeholder="e.g. Ford or KS")
    if query:
        text = query.strip().lower()
        by_county = by_county[by_county["county"].str.lower().str.contains(text, regex=False)
                              | (by_county["state"].str.lower() == text)]
    st.dataframe(by_county, hide_index=True, key="county-table", column_config={
        "population_covered_share": st.column_config.NumberColumn("covered share", format="percent")})
    st.caption(f"{len(by_county):,} counties")

with minutes_tab:
    table = coverage.table()
    drive = travel.mode == "drive"
    column, unit = ("drive_minutes", "minutes") if drive else ("distance_miles", "miles")
    limits = (travel.same_day_minutes, travel.next_day_minutes) if drive else \
        (travel.same_day_miles, travel.next_day_miles)
    reachable = table[table[column].notna()]
    if reachable.empty:
        st.info("No community has a hub it can reach by road yet.")
    else:
        shown = reachable[reachable[column] <= limits[1] * 2]
        figure = go.Figure(go.Histogram(x=shown[column], nbinsx=60, marker_color="rgb(0,114,178)"))
        for value, label in zip(limits, ("same-day", "next-day")):
            figure.add_vline(x=value, line_dash="dash", line_color="black",
                             annotation_text=f"{label} {value:g} {unit}", annotation_position="top")
        figure.update_layout(height=380, margin=dict(l=10, r=10, t=40, b=10), bargap=0.05,
                             xaxis_title=f"{unit} to the nearest hub", yaxis_title="communities")
        st.plotly_chart(figure, width="stretch", key="minutes-chart")
        st.caption(f"{len(shown):,} communities within twice the next-day threshold; "
                   f"median {reachable[column].median():.0f} {unit}. "
                   f"{len(table) - len(reachable):,} have no hub a road reaches.")

with uncovered_tab:
    table = coverage.table()
    missing = table[table["tier"] == "none"].sort_values("population", ascending=False)
    columns = ["community_id", "name", "state", "county", "population", "drive_minutes", "distance_miles",
               "nearest_hub_id", "landmass"]
    st.markdown(f"**{len(missing):,} communities** ({fmt.people(missing['population'].sum())} people) "
                "are not within next-day drive time of any hub.")
    st.dataframe(missing[columns], hide_index=True, key="uncovered-table")
    st.download_button("Download as CSV", csv_bytes(missing[columns]), file_name="not_covered.csv",
                       mime="text/csv", icon=":material/download:", key="uncovered-download")
