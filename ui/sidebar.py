"""The sidebar on every page: who is signed in, key figures, undo/redo, thresholds and travel settings."""

from __future__ import annotations

import dataclasses

import streamlit as st

from coverage import budget
from coverage.travel import LABELS, TravelError, TravelMode
from ui import auth, fmt
from ui import settings as widgets
from ui.report import report_control
from ui.state import apply, keys, tell, workspace

TIER_LABELS = {"same_day": "Same-day", "next_day": "Next-day", "none": "Not covered"}


def key_figures() -> None:
    """Communities and population by tier, hubs, cost against the budget."""
    ws = workspace()
    totals = ws.coverage.totals()
    communities, population = totals["communities"], totals["population"]
    all_communities, all_people = sum(communities.values()), sum(population.values())
    for tier, label in TIER_LABELS.items():
        st.metric(f"{label} communities", f"{communities[tier]:,}",
                  f"{fmt.share(communities[tier], all_communities)} · {fmt.people(population[tier])} people "
                  f"({fmt.share(population[tier], all_people)})", delta_color="off", delta_arrow="off",
                  help=f"{TIER_LABELS[tier]}: " + {
                      "same_day": "the nearest reachable hub is within the same-day threshold.",
                      "next_day": "the nearest reachable hub is within the next-day threshold.",
                      "none": "no hub within next-day drive time, or none that a road reaches."}[tier])
    served = ws.evaluation.served().totals()
    within = served["population"]["same_day"] + served["population"]["next_day"]
    covered = population["same_day"] + population["next_day"]
    shipped = served["parcels_per_day"]["same_day"] + served["parcels_per_day"]["next_day"]
    st.metric("Served within capacity", f"{fmt.people(within)} people",
              f"of {fmt.people(covered)} in reach · {fmt.people(served['population']['same_day'])} same-day",
              delta_color="off" if within >= covered - 0.5 else "inverse", delta_arrow="off",
              help=f"What the hubs can ship: {shipped:,.0f} of the {served['demand_parcels_per_day']:,.0f} parcels a "
                   f"day ordered, within {served['capacity_parcels_per_day']:,.0f} parcels a day of capacity, assigned "
                   "to maximise same-day parcels plus the next-day weight times next-day parcels. "
                   "In reach (the tiers above) is what the plan covers; served is what it delivers.")
    cost = budget.total_cost_usd(ws.scenario)
    total = ws.scenario.budget.total_usd
    count = len(ws.scenario.hubs)
    st.metric(f"Cost of {count} hub{'' if count == 1 else 's'}", fmt.usd(cost),
              f"{fmt.share(cost, total)} of the {fmt.usd(total)} budget"
              + (" — over budget" if cost > total else ""),
              delta_color="inverse" if cost > total else "off", delta_arrow="off",
              help="Capex plus opex from each hub's opening quarter through "
                   f"{ws.scenario.budget.horizon_end} (see the Budget page).")


def undo_redo() -> None:
    ws = workspace()
    left, right = st.columns(2)
    left.button("Undo", icon=":material/undo:", disabled=not ws.can_undo, width="stretch",
                help=f"Undo: {ws.undo_label}" if ws.can_undo else "Nothing to undo",
                on_click=apply, args=(ws.undo,))
    right.button("Redo", icon=":material/redo:", disabled=not ws.can_redo, width="stretch",
                 help=f"Redo: {ws.redo_label}" if ws.can_redo else "Nothing to redo",
                 on_click=apply, args=(ws.redo,))


def _travel_key(name: str) -> str:
    """Widget key of a travel setting: new after every change or refusal, so the field shows what is in force."""
    return f"{name}-{workspace().revision}-{keys.TRAVEL_REFUSALS.get(0)}"


def _travel_changed(name: str) -> None:
    """Apply the one setting the planner changed; a refused value reverts and the message says why."""
    ws = workspace()
    value = st.session_state[_travel_key(name)]
    if name == "mode":
        value = TravelMode.by_label(value)
    try:
        travel = dataclasses.replace(ws.scenario.travel, **{name: value})
    except TravelError as error:
        current = getattr(ws.scenario.travel, name)
        tell("error", "{problem}; " + f"{LABELS[name]} stays at {current:g}.",
             problem=f"{str(error)[0].upper()}{str(error)[1:]}")
        keys.TRAVEL_REFUSALS.set(keys.TRAVEL_REFUSALS.get(0) + 1)
        return
    if not apply(ws.set_travel, travel):  # refused (no matrix yet, say): the field goes back to what is in force
        keys.TRAVEL_REFUSALS.set(keys.TRAVEL_REFUSALS.get(0) + 1)


def travel_in_force(travel, matrix) -> str:
    """The travel model in force, in words."""
    if travel.mode.uses_matrix and matrix is not None:
        return f"Travel matrix {matrix.source} ({len(matrix):,} pairs, fingerprint {matrix.fingerprint})"
    if not travel.mode.in_minutes:
        return f"Plain radius: {travel.same_day_miles:g} and {travel.next_day_miles:g} great-circle miles"
    return (f"Drive time: great-circle miles × circuity {travel.circuity:g} at {travel.speed_mph:g} mph")


#: The travel settings of the sidebar, in order, the modes each applies to, and whether its field carries its
#: setting's help (the calibrated ones, whose default has a source worth reading; the thresholds speak for themselves).
_TRAVEL_FIELDS = (("same_day_minutes", "thresholds.same_day_minutes", "in_minutes", False),
                  ("next_day_minutes", "thresholds.next_day_minutes", "in_minutes", False),
                  ("circuity", "travel.circuity", "uses_road_model", True),
                  ("speed_mph", "travel.speed_mph", "uses_road_model", True),
                  ("same_day_miles", "travel.same_day_miles", "is_radius", False),
                  ("next_day_miles", "travel.next_day_miles", "is_radius", False))


def travel_settings() -> None:
    """Thresholds and travel model, editable (each widget from its setting's declaration); every change is one undo
    step."""
    ws = workspace()
    travel = ws.scenario.travel
    same, nxt = travel.threshold_miles
    with st.expander("Thresholds and travel", icon=":material/tune:", key="travel-expander"):
        def field(name: str) -> dict:
            return dict(key=_travel_key(name), on_change=_travel_changed, args=(name,))

        labels = [mode.label for mode in TravelMode]
        st.radio("Mode", labels, index=labels.index(travel.mode.label), horizontal=True,
                 help="Drive time: great-circle miles × circuity ÷ speed. Radius: plain great-circle miles. Travel "
                      "matrix: drive times from your own GIS or OpenStreetMap roads (upload it on the Data page).",
                 **field("mode"))
        for name, key, applies, explained in _TRAVEL_FIELDS:
            active = (not travel.mode.in_minutes) if applies == "is_radius" else getattr(travel.mode, applies)
            extra = {} if explained else {"help": None}
            widgets.number(key, getattr(travel, name), disabled=not active, **field(name), **extra)
        if travel.mode.outline == "rings":
            st.caption(f"Reach: same-day {same:.1f} mi, next-day {nxt:.1f} mi great-circle.")
    st.caption(f":material/route: {fmt.text(travel_in_force(travel, ws.matrix))}")


def render() -> None:
    """The whole sidebar."""
    ws = workspace()
    with st.sidebar:
        who = auth.person()
        if who is not None:
            auth.sign_out_control(who)
        if ws.unsaved:
            status = ":orange[● unsaved changes" + (f" since version {ws.origin_version}]" if ws.origin else "]")
        elif ws.origin:
            status = f":green[✓ saved] · version {ws.origin_version}"
        else:
            status = "new plan"
        with st.container(key="sidebar-scenario"):
            st.markdown(f"**{fmt.text(ws.scenario.name)}**  \n{status}",
                        help="The scenario you are working on. Save, open and share plans on the Scenarios page.")
        key_figures()
        undo_redo()
        travel_settings()
        report_control()
