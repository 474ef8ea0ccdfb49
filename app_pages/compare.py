"""Compare: two to four plans side by side (saved versions or the current plan), with deltas and a difference map.

The comparison is worked out once for a choice of plans and kept for the session, so
the page's other controls (and the report control in the sidebar) never redo it; its
workbook and PDF are made only when their button is clicked, without rerunning the page.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from coverage.compare import compare
from coverage.errors import InputError
from coverage.exports import xlsx_bytes
from ui import fmt, jobs, mapview, storage
from ui.state import keys, show_messages, workspace

ws = workspace()
store = storage.store()
st.title("Compare")
show_messages()
st.markdown("Put two to four plans side by side: the plan you are working on and saved versions. B, C and D are "
            "compared with A. Served within capacity sits beside covered: a plan is judged on what it delivers.")

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


APPROVED = "approved"


def approved_version(scenario_id: str) -> int | None:
    """The scenario's approved version (None when none is), as the store tells the person."""
    try:
        return store.approved_version(scenario_id) if store is not None else None
    except InputError:
        return None


def choose_plans() -> list[tuple[str, str, int | None]]:
    """The plans in the four slots: (label, scenario id or CURRENT, version)."""
    preselected = keys.COMPARE_WITH.pop()
    chosen = []
    for i, (label, column) in enumerate(zip(("A", "B", "C", "D"), st.columns(4))):
        with column:
            choices = options if i < 2 else [None] + options
            default = CURRENT if i == 0 else (options[1] if i == 1 and len(options) > 1 else None)
            if i == 1 and preselected in options:
                default = preselected
            pick = st.selectbox(f"Plan {label}", choices, index=choices.index(default) if default in choices else 0,
                                format_func=option_label, key=f"compare-{label}")
            if pick is None or (i == 1 and pick == CURRENT and len(options) == 1):
                continue
            if pick == CURRENT:
                chosen.append((label, CURRENT, None))
                continue
            versions: list = list(range(names[pick].latest_version, 0, -1))
            approved = approved_version(pick)
            if approved is not None:
                versions.insert(0, APPROVED)
            version = st.selectbox("Version", versions, key=f"compare-{label}-version",
                                   format_func=lambda v, latest=names[pick].latest_version, approved=approved: (
                                       f"the approved version ({approved})" if v == APPROVED
                                       else f"version {v}" + (" (latest)" if v == latest else "")))
            chosen.append((label, pick, approved if version == APPROVED else version))
    return chosen


def comparison_of(chosen):
    """The comparison of these plans, worked out once per choice and state of the current plan."""
    key = (tuple(chosen), id(ws), ws.revision)
    kept = keys.COMPARE_CACHE.get()
    if kept is None or kept[0] != key:
        plans = [(label, ws.evaluation if pick == CURRENT else storage.evaluate_version(pick, version))
                 for label, pick, version in chosen]
        kept = (key, compare(plans))
        keys.COMPARE_CACHE.set(kept)
    return kept[1]


def show(comparison) -> None:
    plans = list(zip(comparison.labels, comparison.evaluations))
    names_by_label = comparison.plan_names()

    # -- key figures: covered and served, with deltas against A ------------------------------------------
    table = comparison.figures_table()
    shown = table.drop(columns="key").copy()
    for column in shown.columns[1:]:
        shown[column] = [fmt.figure(key, value, delta="−" in column) for key, value in zip(table["key"], table[column])]
    shown = shown.rename(columns={"figure": "Figure"} | names_by_label)
    st.dataframe(shown, hide_index=True, key="compare-figures", width="stretch", height=38 + 35 * len(shown),
                 column_config={"Figure": st.column_config.TextColumn("Figure", width="large")})
    if not comparison.same_communities:
        st.warning("These plans run on different communities, so the tier changes and the difference map are left "
                   "out.", icon=":material/warning:")
    for pair in comparison.as_dict()["pairs"]:
        i = comparison.labels.index(pair["plan"])
        deltas = comparison.deltas(i)
        st.markdown(f"**{pair['plan']} against {pair['against']}**: {len(pair['hubs_added'])} hubs added, "
                    f"{len(pair['hubs_removed'])} removed, {len(pair['hubs_changed'])} changed"
                    + (f" · {pair['communities_better']:,} communities reach a better tier, "
                       f"{pair['communities_worse']:,} a worse one" if pair["tier_changes"] is not None else "")
                    + f" · served within capacity {fmt.people(deltas['served_population'])} people "
                      f"({'+' if deltas['served_population'] >= 0 else ''}{deltas['served_population']:,})")

    # -- difference map, fitted to what changed -------------------------------------------------------------
    left, right = st.columns([3, 2])
    with left:
        others = comparison.labels[1:]
        against = st.segmented_control("Difference map", others, default=others[0], key="compare-map-plan",
                                       format_func=lambda label: f"A → {label}") or others[0]
        index = comparison.labels.index(against)
        lat, lon = mapview.changed_places(comparison, index)
        view = mapview.view_for(lat if len(lat) else ws.communities["lat"], lon if len(lon) else ws.communities["lon"],
                                width_px=560, height_px=480)
        st.pydeck_chart(mapview.difference_deck(comparison, index, view), height=480, key="compare-map")
        st.caption(":green[●] better tier in " + against + "  :red[●] worse tier  :gray[●] unchanged  ·  hubs: "
                   ":green[◯] added, :red[◯] removed (white), :violet[◯] changed (white: where a moved hub was)  ·  "
                   + ("fitted to what changed" if len(lat) else "nothing changed"))
    with right:
        by_state = comparison.by_state()
        delta = f"{against} − A"
        changed_states = by_state[by_state[delta] != 0].sort_values(delta)
        figure = go.Figure(go.Bar(x=changed_states[delta] / 1e3, y=changed_states["state"], orientation="h",
                                  marker_color=["rgb(0,158,115)" if v > 0 else "rgb(213,94,0)"
                                                for v in changed_states[delta]]))
        figure.update_layout(height=480, margin=dict(l=10, r=10, t=40, b=10),
                             title=f"People covered by state, {delta}", xaxis_title="thousand people")
        st.plotly_chart(figure, width="stretch", key="compare-states-chart")

    st.subheader("Coverage by state")
    st.caption("People within next-day (or same-day) drive time, by state")
    st.dataframe(by_state.rename(columns=names_by_label), hide_index=True, key="compare-states", width="stretch",
                 column_config={"state": "State"} | {column: st.column_config.NumberColumn(format="localized")
                                                     for column in by_state.rename(columns=names_by_label).columns
                                                     if column != "state"})

    # -- spend -------------------------------------------------------------------------------------------------
    spend = comparison.spend()
    figure = go.Figure()
    colours = ["rgb(0,0,0)", "rgb(0,114,178)", "rgb(230,159,0)", "rgb(204,121,167)"]
    for (label, evaluation), colour in zip(plans, colours):
        figure.add_scatter(x=spend["quarter"], y=spend[label] / 1e6, name=names_by_label[label],
                           mode="lines+markers", line=dict(color=colour, width=3))
        figure.add_hline(y=evaluation.scenario.budget.total_usd / 1e6, line_dash="dash", line_color=colour,
                         annotation_text=f"{label} budget {fmt.usd(evaluation.scenario.budget.total_usd)}")
    figure.update_layout(height=380, margin=dict(l=10, r=10, t=40, b=10), title="Cumulative spend by quarter",
                         yaxis_title="$ million", yaxis_rangemode="tozero", legend=dict(orientation="h", y=-0.2))
    st.plotly_chart(figure, width="stretch", key="compare-spend")

    # -- downloads: made when clicked, without rerunning the page (the PDF in a worker process) ---------------
    left, right = st.columns(2)
    left.download_button("Download the comparison (.xlsx)", lambda: xlsx_bytes(comparison.sheets()),
                         file_name="comparison.xlsx", icon=":material/download:", key="compare-download",
                         on_click="ignore",
                         mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    right.download_button("Download the comparison (.pdf)", lambda: jobs.comparison_file(comparison, ".pdf"),
                          file_name="comparison.pdf", icon=":material/picture_as_pdf:", key="compare-download-pdf",
                          on_click="ignore", mime="application/pdf")


chosen = choose_plans()
if len(chosen) < 2:
    st.info("Save a plan on the Scenarios page to compare it with the current one, or choose two saved plans."
            if not scenarios else "Choose at least plans A and B.")
else:
    try:
        comparison = comparison_of(chosen)
    except InputError as error:
        st.error(fmt.say("Could not open a plan: {problems}", problems="; ".join(str(p) for p in error.problems)),
                 icon=":material/error:")
    else:
        show(comparison)
