"""Budget & rollout: what the plan costs quarter by quarter, and when its coverage arrives."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from coverage import budget, charts
from coverage.quarters import FIRST_HORIZON, LAST_OFFERED
from coverage.quarters import choices as quarter_choices
from coverage.scenario import HUB_TYPES
from ui import charts as ui_charts
from ui import fmt, mapview, tables
from ui import settings as widgets
from ui.state import apply, show_messages, workspace

ws = workspace()
scenario = ws.scenario
rollout = budget.plan(ws.evaluation)
summary, by_quarter, hubs = rollout.summary, rollout.quarters, rollout.hubs
total_budget = scenario.budget.total_usd

st.title("Budget & rollout")
show_messages()

if summary["over_budget"]:
    st.warning(f"This plan costs {fmt.usd(summary['cost_usd'])}, {fmt.usd(-summary['headroom_usd'])} over the "
               f"{fmt.usd(total_budget)} budget. Open hubs later, choose conversions, or drop hubs.",
               icon=":material/warning:")
served = ws.evaluation.served().totals()
if summary["hubs_over_capacity"]:
    over = hubs[hubs["over_capacity"]]
    named = "; ".join(f"{row.hub_id} ships {row.load_parcels_per_day:,.0f} of the {row.parcels_per_day:,.0f} its "
                      f"catchment orders" for row in over.head(5).itertuples())
    named += f"; and {len(over) - 5} more" if len(over) > 5 else ""
    in_reach, shipped = summary["demand_in_reach_parcels_per_day"], summary["shipped_parcels_per_day"]
    st.warning(fmt.say("{count} hub(s) have more parcels a day ordered in their catchment than they can ship: "
                       "{named}. The hubs ship {shipped} of the {in_reach} parcels a day that the communities in reach "
                       "order; {unserved} go unserved. New builds carry more, or more hubs share the demand (the "
                       "optimiser weighs this when it respects capacity).", count=len(over), named=named,
                       shipped=f"{shipped:,.0f}", in_reach=f"{in_reach:,.0f}",
                       unserved=f"{max(in_reach - shipped, 0):,.0f}"), icon=":material/warning:")

target = summary["target"]
columns = st.columns(5)
columns[0].metric("Cost through " + scenario.budget.horizon_end, fmt.usd(summary["cost_usd"]),
                  f"capex {fmt.usd(summary['capex_usd'])} · opex {fmt.usd(summary['opex_usd'])}",
                  delta_color="off", delta_arrow="off")
columns[1].metric("Headroom", fmt.usd(summary["headroom_usd"]), f"of {fmt.usd(total_budget)}",
                  delta_color="inverse" if summary["over_budget"] else "off", delta_arrow="off")
columns[2].metric(f"Covered by {target['quarter']}", f"{target['achieved_share']:.1%}",
                  f"target {target['covered_share']:.0%} · {'met' if target['met'] else 'not met'}",
                  delta_color="normal" if target["met"] else "inverse", delta_arrow="off",
                  help="Share of communities within next-day (or same-day) drive time of a hub open by then.")
within = served["population"]["same_day"] + served["population"]["next_day"]
covered = sum(v for t, v in ws.coverage.totals()["population"].items() if t != "none")
columns[3].metric("People served", fmt.people(within), f"of {fmt.people(covered)} in reach",
                  delta_color="off" if within >= covered - 0.5 else "inverse", delta_arrow="off",
                  help="People the hubs can serve within their daily capacity, once all are open, beside the people "
                       f"they reach. Weighted by tier ({fmt.people(served['weighted_population'])}: same-day people "
                       "plus the next-day weight times next-day people), this is what the optimiser maximises with "
                       "capacity respected.")
columns[4].metric("Parcel costs (apart)", fmt.usd(summary["parcel_cost_usd"]),
                  f"${scenario.costs.cost_per_parcel_usd:.2f} a parcel", delta_color="off", delta_arrow="off",
                  help="Per-parcel delivery cost through the horizon, reported apart from the budget's cost.")

# -- spend: in each quarter, and cumulative against the budget (two charts, each one honest scale) ------
spend = charts.spend_by_quarter(by_quarter, total_budget)
left, right = st.columns(2)
left.plotly_chart(ui_charts.spend_in_quarter(spend), width="stretch", key="spend-chart")
right.plotly_chart(ui_charts.cumulative_spend(spend), width="stretch", key="cumulative-chart")

left, right = st.columns(2)
with left:
    rollout_chart = go.Figure()
    covered = by_quarter["covered_share"] * 100
    same_day = by_quarter["communities_same_day"] / max(ws.engine.n_communities, 1) * 100
    rollout_chart.add_scatter(x=by_quarter["quarter"], y=covered, name="next-day or better", mode="lines+markers",
                              line=dict(color=f"rgb{mapview.TIER_COLOURS['next_day']}"))
    rollout_chart.add_scatter(x=by_quarter["quarter"], y=same_day, name="same-day", mode="lines+markers",
                              line=dict(color=f"rgb{mapview.TIER_COLOURS['same_day']}"))
    rollout_chart.add_hline(y=target["covered_share"] * 100, line_dash="dash", line_color="black",
                            annotation_text=f"target {target['covered_share']:.0%}")
    rollout_chart.add_vline(x=list(by_quarter["quarter"]).index(target["quarter"])
                            if target["quarter"] in list(by_quarter["quarter"]) else 0,
                            line_dash="dot", line_color="grey")
    rollout_chart.update_layout(height=360, margin=dict(l=10, r=10, t=40, b=10), yaxis_title="% of communities",
                                yaxis_range=[0, 100], title="Coverage as hubs open",
                                legend=dict(orientation="h", y=-0.2))
    st.plotly_chart(rollout_chart, width="stretch", key="rollout-chart")
with right:
    value = go.Figure()
    value.add_scatter(x=by_quarter["cumulative_spend_usd"] / 1e6,
                      y=(by_quarter["population_same_day"] + by_quarter["population_next_day"]) / 1e6,
                      name="next-day or better", mode="lines+markers", text=by_quarter["quarter"],
                      line=dict(color=f"rgb{mapview.TIER_COLOURS['next_day']}"))
    value.add_scatter(x=by_quarter["cumulative_spend_usd"] / 1e6, y=by_quarter["population_same_day"] / 1e6,
                      name="same-day", mode="lines+markers", text=by_quarter["quarter"],
                      line=dict(color=f"rgb{mapview.TIER_COLOURS['same_day']}"))
    value.update_layout(height=360, margin=dict(l=10, r=10, t=40, b=10), xaxis_title="cumulative spend, $ million",
                        yaxis_title="people covered, million", title="Coverage against spend",
                        legend=dict(orientation="h", y=-0.3))
    st.plotly_chart(value, width="stretch", key="value-chart")

# -- hubs: type, opening quarter, demand against capacity -------------------------------------
st.subheader("Hubs")
quarters = quarter_choices(*(hub.open_quarter for hub in scenario.hubs), last=scenario.budget.horizon_end)
table = hubs[["hub_id", "name", "type", "open_quarter", "cost_usd", "population_served", "parcels_per_day",
              "load_parcels_per_day", "capacity_parcels_per_day", "utilisation"]].copy()
table["cost_musd"] = table.pop("cost_usd") / 1e6
editor_key = f"budget-hubs-{ws.revision}"
edited = st.data_editor(
    table, key=editor_key, hide_index=True, width="stretch", num_rows="fixed",
    disabled=[c for c in table.columns if c not in ("type", "open_quarter")],
    column_config={
        "hub_id": "Id", "name": "Name",
        "type": st.column_config.SelectboxColumn("Type", options=list(HUB_TYPES), required=True),
        "open_quarter": st.column_config.SelectboxColumn("Opens", options=quarters, required=True),
        "cost_musd": st.column_config.NumberColumn("Cost ($M)", format="%.2f"),
        "population_served": st.column_config.NumberColumn("People in catchment", format="localized",
                                                           help="People of the communities this hub is nearest to"),
        "parcels_per_day": st.column_config.NumberColumn("Ordered/day", format="%.0f",
                                                         help="Parcels a day the catchment orders"),
        "load_parcels_per_day": st.column_config.NumberColumn("Ships/day", format="%.0f",
                                                              help="The hub's load in the capacity assignment"),
        "capacity_parcels_per_day": st.column_config.NumberColumn("Capacity/day", format="%.0f"),
        "utilisation": st.column_config.ProgressColumn("Utilisation", format="percent", min_value=0, max_value=1,
                                                       help="Ships / capacity"),
    },
)
changed = {row.hub_id: {"type": row.type, "open_quarter": row.open_quarter}
           for row, old in zip(edited.itertuples(), table.itertuples())
           if (row.type, row.open_quarter) != (old.type, old.open_quarter)}
if changed:
    apply(ws.update_hubs, changed, label="change hub types or quarters", done="Hubs updated")
    st.rerun()
if len(hubs):
    labels = hubs["hub_id"] + " · " + hubs["name"].str.replace("Hub at ", "", regex=False).str.slice(0, 28)
    utilisation = go.Figure()
    utilisation.add_bar(x=labels, y=hubs["load_parcels_per_day"], name="ships", marker_color="rgb(0,158,115)",
                        hovertemplate="%{x}<br>ships %{y:,.0f} parcels a day<extra></extra>")
    utilisation.add_bar(x=labels, y=(hubs["parcels_per_day"] - hubs["load_parcels_per_day"]).clip(lower=0),
                        name="ordered in its catchment beyond that", marker_color="rgb(213,94,0)", opacity=0.55,
                        hovertemplate="%{x}<br>%{y:,.0f} more parcels a day ordered nearby<extra></extra>")
    utilisation.add_scatter(x=labels, y=hubs["capacity_parcels_per_day"], name="capacity", mode="markers",
                            marker=dict(symbol="line-ew-open", size=14, color="black"),
                            hovertemplate="%{x}<br>capacity %{y:,.0f}<extra></extra>")
    utilisation.update_layout(barmode="stack", height=300, margin=dict(l=10, r=10, t=30, b=10),
                              yaxis_title="parcels a day", title="What each hub ships, against its capacity",
                              legend=dict(orientation="h", y=-0.45))
    st.plotly_chart(utilisation, width="stretch", key="utilisation-chart")
else:
    st.info("No hubs yet: add some on the Map & hubs page.")

# -- assumptions ------------------------------------------------------------------------------------
#: The cost and budget settings of the form, in its order (left, right, left, ...): every one is editable here.
ASSUMPTIONS = ("costs.capex_usd.conversion", "costs.capex_usd.new", "costs.opex_usd_per_year.conversion",
               "costs.opex_usd_per_year.new", "costs.capacity_parcels_per_day.conversion",
               "costs.capacity_parcels_per_day.new", "costs.parcels_per_person_per_year", "costs.cost_per_parcel_usd",
               "costs.peak_factor", "budget.total_usd")


def sections_of(values: dict) -> dict:
    """``{"costs.capex_usd.new": 2e7}`` -> ``{"costs": {"capex_usd": {"new": 2e7}}}`` (what set_settings takes)."""
    sections: dict = {}
    for key, value in values.items():
        *path, last = key.split(".")
        place = sections
        for part in path:
            place = place.setdefault(part, {})
        place[last] = value
    return sections


with st.expander("Cost and budget assumptions", icon=":material/payments:", key="assumptions"):
    plan_budget = scenario.budget
    document = scenario.to_dict()
    with st.form(f"assumptions-{ws.revision}", border=False):
        a, b = st.columns(2)
        typed = {}  # dotted key -> value, every widget from its setting's declaration
        for number, key in enumerate(ASSUMPTIONS):
            section, name, *kind = key.split(".")
            value = document[section][name][kind[0]] if kind else document[section][name]
            typed[key] = widgets.number(key, value, (a, b)[number % 2])
        horizons = quarter_choices(plan_budget.horizon_end, first=FIRST_HORIZON, last=LAST_OFFERED)
        typed["budget.horizon_end"] = widgets.choice("budget.horizon_end", plan_budget.horizon_end, horizons, b)
        targets = quarter_choices(plan_budget.target_quarter, last=LAST_OFFERED)
        typed["budget.target_quarter"] = widgets.choice("budget.target_quarter", plan_budget.target_quarter, targets, a)
        typed["budget.target_covered_share"] = widgets.share("budget.target_covered_share",
                                                             plan_budget.target_covered_share, b)
        if st.form_submit_button("Apply assumptions", type="primary"):
            apply(ws.set_settings, sections_of(typed), label="change cost and budget assumptions",
                  done="Assumptions applied")
            st.rerun()

st.subheader("By quarter")
quarter_table = tables.in_millions(by_quarter)
st.dataframe(quarter_table, hide_index=True, key="quarter-table", column_config=tables.column_config())
st.caption("Capex is booked in a hub's opening quarter, opex a quarter at a time to the horizon end: the quarters add "
           "up to the cost above, as `python -m coverage evaluate --json` reports it (`budget`, `by_quarter`).")
