"""Compare: two to four plans side by side (saved versions or the current plan), with deltas and a difference map."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from coverage.compare import compare
from coverage.errors import InputError
from coverage.exports import xlsx_bytes
from ui import fmt, mapview, storage
from ui.state import show_messages, workspace

ws = workspace()
store = storage.store()
st.title("Compare")
show_messages()
st.markdown("Put two to four plans side by side: the plan you are working on and saved versions. B, C and D are "
            "compared with A.")

CURRENT = "current"
scenarios = store.list() if store is not None else []
names = {info.id: info for info in scenarios}
options = [CURRENT] + [info.id for info in scenarios]


def option_label(option: str | None) -> str:
    if option is None:
        return "—"
    if option == CURRENT:
        return f"Current plan: {ws.scenario.name}" + (" (unsaved)" if ws.unsaved else "")
    return f"{names[option].name} ({option})"


preselected = st.session_state.pop("compare-with", None)
labels = ("A", "B", "C", "D")
slots = st.columns(4)
chosen: list[tuple[str, str, int | None]] = []
for i, (label, column) in enumerate(zip(labels, slots)):
    with column:
        default = CURRENT if i == 0 else (options[1] if i == 1 and len(options) > 1 else None)
        if i == 1 and preselected in options:
            default = preselected
        pick = st.selectbox(f"Plan {label}", options if i < 2 else [None] + options,
                            index=(options if i < 2 else [None] + options).index(default) if default in options
                            or default is None else 0, format_func=option_label, key=f"compare-{label}")
        if pick is None:
            continue
        if pick == CURRENT:
            chosen.append((label, CURRENT, None))
            continue
        versions = list(range(names[pick].latest_version, 0, -1))
        version = st.selectbox("Version", versions, key=f"compare-{label}-version",
                               format_func=lambda v, latest=versions[0]: f"version {v}" + (" (latest)" if v == latest
                                                                                            else ""))
        chosen.append((label, pick, version))

if len(chosen) < 2:
    st.info("Save a plan on the Scenarios page to compare it with the current one, or choose two saved plans."
            if not scenarios else "Choose at least plans A and B.")
    st.stop()

try:
    plans = [(label, ws.evaluation if pick == CURRENT else storage.evaluate_version(pick, version))
             for label, pick, version in chosen]
except InputError as error:
    st.error("Could not open a plan: " + "; ".join(str(p) for p in error.problems), icon=":material/error:")
    st.stop()
comparison = compare(plans)
names_by_label = {label: evaluation.scenario.name for label, evaluation in plans}

# -- key figures ------------------------------------------------------------------------------------
table = comparison.figures_table()
shown = table.drop(columns="key").copy()
for column in shown.columns[1:]:
    shown[column] = [fmt.figure(key, value, delta="−" in column) for key, value in zip(table["key"], table[column])]
shown = shown.rename(columns={"figure": "Figure"} | {label: f"{label}: {name}" for label, name in names_by_label.items()})
st.dataframe(shown, hide_index=True, key="compare-figures", width="stretch", height=38 + 35 * len(shown))
if not comparison.same_communities:
    st.warning("These plans run on different communities, so the tier changes and the difference map are left out.",
               icon=":material/warning:")

document = comparison.as_dict()
for pair in document["pairs"]:
    st.markdown(f"**{pair['plan']} against {pair['against']}**: {len(pair['hubs_added'])} hubs added, "
                f"{len(pair['hubs_removed'])} removed, {len(pair['hubs_changed'])} changed"
                + (f" · {pair['communities_better']:,} communities reach a better tier, "
                   f"{pair['communities_worse']:,} a worse one" if pair["tier_changes"] is not None else ""))

# -- difference map ---------------------------------------------------------------------------------------
left, right = st.columns([3, 2])
with left:
    others = [label for label, _ in plans[1:]]
    against = st.segmented_control("Difference map", others, default=others[0], key="compare-map-plan",
                                   format_func=lambda label: f"A → {label}") or others[0]
    index = [label for label, _ in plans].index(against)
    view = mapview.view_for(ws.communities["lat"], ws.communities["lon"], width_px=560, height_px=480)
    st.pydeck_chart(mapview.difference_deck(comparison, index, view), height=480, key="compare-map")
    st.caption(":green[●] better tier in " + against + "  :red[●] worse tier  :gray[●] unchanged  ·  hubs: "
               ":green[◯] added, :red[◯] removed (white), :violet[◯] changed (white: where a moved hub was)")
with right:
    by_state = comparison.by_state()
    delta = f"{against} − A"
    changed_states = by_state[by_state[delta] != 0].sort_values(delta)
    figure = go.Figure(go.Bar(x=changed_states[delta] / 1e3, y=changed_states["state"], orientation="h",
                              marker_color=["rgb(0,158,115)" if v > 0 else "rgb(213,94,0)"
                                            for v in changed_states[delta]]))
    figure.update_layout(height=480, margin=dict(l=10, r=10, t=40, b=10), title=f"People covered by state, {delta}",
                         xaxis_title="thousand people")
    st.plotly_chart(figure, width="stretch", key="compare-states-chart")

st.subheader("Coverage by state")
st.caption("People within next-day (or same-day) drive time, by state")
st.dataframe(by_state, hide_index=True, key="compare-states", width="stretch",
             column_config={"state": "State"} | {column: st.column_config.NumberColumn(format="localized")
                                                 for column in by_state.columns if column != "state"})

# -- spend -------------------------------------------------------------------------------------------------
spend = comparison.spend()
figure = go.Figure()
colours = ["rgb(0,0,0)", "rgb(0,114,178)", "rgb(230,159,0)", "rgb(204,121,167)"]
for (label, evaluation), colour in zip(plans, colours):
    figure.add_scatter(x=spend["quarter"], y=spend[label] / 1e6, name=f"{label}: {evaluation.scenario.name}",
                       mode="lines+markers", line=dict(color=colour, width=3))
    figure.add_hline(y=evaluation.scenario.budget.total_usd / 1e6, line_dash="dash", line_color=colour,
                     annotation_text=f"{label} budget {fmt.usd(evaluation.scenario.budget.total_usd)}")
figure.update_layout(height=380, margin=dict(l=10, r=10, t=40, b=10), title="Cumulative spend by quarter",
                     yaxis_title="$ million", yaxis_rangemode="tozero", legend=dict(orientation="h", y=-0.2))
st.plotly_chart(figure, width="stretch", key="compare-spend")

st.download_button("Download the comparison (.xlsx)", xlsx_bytes(comparison.sheets()),
                   file_name="comparison.xlsx", icon=":material/download:", key="compare-download",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
