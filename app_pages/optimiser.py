"""Optimiser: let HiGHS propose the hubs that reach the most people within the budget."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from coverage import budget as cost_model
from coverage.compare import compare
from coverage.errors import InputError
from coverage.evaluation import evaluate
from coverage.optimize import optimize
from coverage.quarters import choices as quarter_choices
from coverage.scenario import HUB_TYPES
from coverage.settings import setting
from ui import fmt, mapview
from ui import settings as widgets
from ui.jobs import Job
from ui.state import apply, clear_messages, keys, show_messages, tell, workspace

ws = workspace()
scenario = ws.scenario
st.title("Optimiser")
show_messages()
st.markdown("Proposes hubs that maximise **people served × (1 same-day, next-day weight next-day)** within the budget "
            "and the hubs' capacity, choosing conversions or new builds, and keeping locked hubs; or, with capacity "
            "off, the people merely within reach. HiGHS proves the plan optimal to 0.01%, or says how close it got.")

job: Job | None = keys.OPTIMISER_JOB.get()

# -- settings --------------------------------------------------------------------------------------
kept_cost = cost_model.total_cost_usd(scenario)
with st.form("optimiser-settings", border=True):
    left, middle, right = st.columns(3)
    # no minimum on the field: a browser would refuse -500 with only a red border; the check below says why
    budget = 1e6 * left.number_input(setting("budget.total_usd").title, value=scenario.budget.total_usd / 1e6,
                                     step=100.0, format="%.0f",
                                     help=f"The scenario's budget is {fmt.usd(scenario.budget.total_usd)}; its hubs "
                                     f"cost {fmt.usd(kept_cost)}.")
    time_limit = middle.slider("Time limit (s)", 5, 300, 60, 5,
                               help="After this the best plan found is returned with the gap proved so far.")
    weight = widgets.share("optimizer.next_day_weight", scenario.next_day_weight, right)
    left, middle, right = st.columns(3)
    keep_unlocked = left.checkbox("Keep unlocked hubs", value=True,
                                  help="Off: the optimiser may drop hubs that are not locked. Locked hubs always stay.")
    respect = widgets.flag("optimizer.respect_capacity", scenario.respect_capacity, left,
                           help="On: maximise the people the hubs can serve within their daily capacity, choosing "
                                 "each hub's type (a conversion is cheaper, a new build ships more). Off: maximise "
                                 "the people within reach, whatever the hubs can ship.")
    quarters = quarter_choices(scenario.proposed_open_quarter, last=scenario.budget.horizon_end)
    hub_type = widgets.choice("optimizer.hub_type", scenario.proposed_hub_type, list(HUB_TYPES), middle,
                              help="With capacity off, every proposed hub is of this type (where the candidate-site "
                                     "file gives none); with capacity on, the optimiser chooses.")
    opens = widgets.choice("optimizer.open_quarter", scenario.proposed_open_quarter, quarters, right)
    run, preview = st.columns([1, 1])
    start = run.form_submit_button("Run optimiser", type="primary", icon=":material/rocket_launch:",
                                   disabled=bool(job and job.running), width="stretch")
    greedy = preview.form_submit_button("Greedy preview (instant)", icon=":material/bolt:",
                                        disabled=bool(job and job.running), width="stretch")

show_messages(where="optimiser-settings")  # next to the form whose input they are about
if (start or greedy) and not budget >= 0:
    tell("error", f"Budget ($ million): {budget / 1e6:,.0f} is not a budget; give 0 or more.",
         where="optimiser-settings")
    st.rerun()
elif start or greedy:
    clear_messages("optimiser-settings")  # a new run: what the last one was told about is done with
    planned = scenario.replace(next_day_weight=float(weight), proposed_hub_type=hub_type, proposed_open_quarter=opens,
                               respect_capacity=bool(respect))
    engine, communities, sites = ws.engine, ws.communities, ws.sites

    def work(job: Job):
        result = optimize(planned, communities, sites, budget=float(budget), time_limit=float(time_limit),
                          replan=not keep_unlocked, greedy=bool(greedy), progress=job.report, stop=job.stop,
                          engine=engine)
        # its coverage here, not in the page's next run (the served figures come once, on the page: a stopped run
        # must end at once)
        job.proposed = evaluate(result.scenario, engine=engine)  # type: ignore[attr-defined]
        return result

    job = Job(work, "greedy preview" if greedy else "optimiser")
    keys.OPTIMISER_JOB.set(job)
    keys.OPTIMISER_BASE.set(ws.revision)
    st.rerun()  # draw the form again, its buttons off while the job runs


# -- progress ----------------------------------------------------------------------------------------
@st.fragment(run_every=0.5)
def progress_panel() -> None:
    current: Job | None = keys.OPTIMISER_JOB.get()
    if current is None or not current.running:
        if current is not None and not keys.OPTIMISER_SHOWN.get():
            keys.OPTIMISER_SHOWN.set(True)
            st.rerun()  # the whole page, to show the result
        return
    keys.OPTIMISER_SHOWN.set(False)
    progress = current.progress
    limit = float(time_limit)
    st.progress(min(current.elapsed / limit, 1.0), text=f"{progress.phase if progress else 'starting'} · "
                f"{current.elapsed:.1f} s of at most {limit:.0f} s")
    cells = st.columns(4)
    best = progress.objective if progress and math.isfinite(progress.objective) else None
    bound = progress.bound if progress and math.isfinite(progress.bound) else None
    cells[0].metric("Best plan", f"{best:,.0f}" if best else "-",
                    help="Weighted people: served within capacity (or, with capacity off, within reach)")
    cells[1].metric("Bound", f"{bound:,.0f}" if bound else "-", help="Nothing can do better than this")
    cells[2].metric("Gap", f"{progress.gap:.3%}" if best and bound else "-")
    cells[3].metric("Elapsed", f"{current.elapsed:.1f} s")
    if current.stop.is_set():
        st.info("Stopping: the best plan found so far and its proven gap are on their way.",
                icon=":material/hourglass_top:")
    st.button("Stopping..." if current.stop.is_set() else "Stop", icon=":material/stop_circle:", key="optimiser-stop",
              on_click=current.stop.set, disabled=current.stop.is_set(),
              help="Return the best plan found so far, with its proven gap.")


progress_panel()

# -- the result --------------------------------------------------------------------------------------
job = keys.OPTIMISER_JOB.get()
if job is not None and not job.running:
    if job.error is not None:
        message = "; ".join(str(p) for p in job.error.problems) if isinstance(job.error, InputError) else \
            f"{type(job.error).__name__}: {job.error}"
        st.error(fmt.say("The optimiser could not run: {message}", message=message), icon=":material/error:")
    else:
        result = job.result
        stale = keys.OPTIMISER_BASE.get() != ws.revision
        status = {"optimal": "proved optimal (gap ≤ 0.01%)", "time_limit": "time limit reached",
                  "stopped": "stopped", "greedy": "greedy preview, not proved"}[result.status]
        (st.success if result.status == "optimal" else st.info)(
            f"**{status}** in {result.seconds:.1f} s · objective {result.objective:,.0f} · bound {result.bound:,.0f} · "
            f"gap {result.gap:.3%}. Adds {len(result.added)} hubs for {fmt.usd(result.spent_usd)} of the "
            f"{fmt.usd(result.budget_usd)} left"
            + (f", drops {len(result.removed)} unlocked hubs" if result.removed else "") + "."
            + ("" if result.status == "optimal" else f" No plan within this budget scores above the bound: at most "
               f"{max(result.bound - result.objective, 0):,.0f} more weighted people than this one."))
        # worked out once per result and state of the plan (kept on the job): a rerun of this page redoes nothing
        shown = getattr(job, "shown", None)
        if shown is None or shown[0] is not ws.evaluation:
            after = getattr(job, "proposed", None) or evaluate(result.scenario, engine=ws.engine)
            shown = (ws.evaluation, after, compare([("now", ws.evaluation), ("proposed", after)]))
            job.shown = shown  # type: ignore[attr-defined]
        after, comparison = shown[1], shown[2]
        figures = comparison.figures_table()
        figures = figures[figures["key"].isin([
            "hubs", "cost_usd", "communities_same_day", "communities_next_day", "communities_none",
            "population_same_day", "population_next_day", "population_none", "population_covered",
            "served_population_same_day", "served_population_next_day", "served_population",
            "served_weighted_population", "covered_weighted_population"])]
        objective = ("served_weighted_population" if result.stats.get("model") == "capacity"
                     else "covered_weighted_population")
        comparison_table = pd.DataFrame({"figure": [label + (" ← what this run maximised" if key == objective else "")
                                                    for key, label in zip(figures["key"], figures["figure"])]} | {
            column: [fmt.figure(key, value, delta=column == "change") for key, value in zip(figures["key"],
                                                                                             figures[source])]
            for column, source in (("now", "now"), ("proposed", "proposed"), ("change", "proposed − now"))})
        now, proposed = comparison.key_figures(0), comparison.key_figures(1)
        if proposed["served_population"] < now["served_population"] - 0.5:
            st.warning(f"Accepting this plan would lower the people served within capacity from "
                       f"{fmt.people(now['served_population'])} to {fmt.people(proposed['served_population'])} "
                       f"({proposed['served_population'] - now['served_population']:+,}), although "
                       + ("it reaches more people." if proposed["population_covered"] > now["population_covered"]
                          else "it was optimised for this budget.")
                       + (" It was optimised with capacity off (people in reach); turn Respect capacity on to "
                          "optimise what the hubs can serve." if result.stats.get("model") != "capacity" else ""),
                       icon=":material/warning:")
        st.dataframe(comparison_table, hide_index=True, key="optimiser-comparison", width="stretch",
                     height=38 + 35 * len(comparison_table),
                     column_config={"figure": st.column_config.TextColumn("Figure", width="large"),
                                    "now": st.column_config.TextColumn("Now", width="small"),
                                    "proposed": st.column_config.TextColumn("Proposed", width="small"),
                                    "change": st.column_config.TextColumn("Change", width="small")})
        added = {hub.id for hub in result.added}
        left, right = st.columns([4, 3])
        with left:
            view = mapview.view_for(ws.communities["lat"], ws.communities["lon"], width_px=640, height_px=420)
            st.pydeck_chart(mapview.deck(after, view, highlight=added), height=420, key="optimiser-map")
            st.caption("Proposed hubs in vermillion; " + mapview.legend_markdown(after))
        right.dataframe(pd.DataFrame([{"id": h.id, "name": h.name, "site": h.site_id, "type": h.type,
                                       "opens": h.open_quarter} for h in result.added]),
                        hide_index=True, key="optimiser-added", height=420)
        if stale:
            st.warning("The scenario changed since this plan was proposed; run the optimiser again to accept one.")
        def accept() -> None:
            apply(ws.apply_plan, result.scenario, label=f"accept the optimiser's plan ({len(result.added)} hubs)",
                  done="Plan accepted (with the budget it was optimised for): one undo step")
            keys.OPTIMISER_JOB.pop()

        def discard() -> None:
            keys.OPTIMISER_JOB.pop()

        left, right = st.columns(2)
        left.button("Accept the plan", type="primary", icon=":material/check:", disabled=stale, width="stretch",
                    on_click=accept)
        right.button("Discard", icon=":material/close:", width="stretch", on_click=discard)
