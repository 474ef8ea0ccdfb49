"""Sweeps: many optimiser runs at once (budgets, thresholds, speeds, weights), drawn as coverage-budget frontiers.

A sweep runs in its own process (``python -m coverage sweep``) on a local Dask cluster,
so it keeps running when this page or the browser is closed; the page reads its
progress and results back from the scenario store, where each run is written as it
finishes.  Every value and every run's budget is checked before anything is stored or
started (``coverage/sweeps/planner.py``).  Select a point of the frontier to open that
run's plan, as one undo step.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from coverage.errors import InputError
from coverage.sweeps.frontier import BUDGET, frontiers, table
from coverage.sweeps.planner import BASES, SETTINGS, base_of, describe, parse_values, plan_sweep
from coverage.sweeps.spec import kept_cost_usd
from ui import fmt, storage
from ui.state import LOG, keys, show_messages, tell, workspace

ws = workspace()
store = storage.store()
st.title("Sweeps")
show_messages()
st.markdown("Run the optimiser for every combination of a few settings at once, from the plan you are working on, "
            "and see how coverage grows with the budget. A sweep runs on a local Dask cluster in its own process: "
            "it keeps going when you close the page, and every run is kept in the scenario store as it finishes.")


def launch(sweep, workers: int) -> str:
    """Keep this session's uploads, then store, record and start the sweep (``coverage/sweeps/launch.py``); its id."""
    from coverage.sweeps.launch import launch as start_sweep

    storage.keep_session_uploads(store)
    sweep_id, _ = start_sweep(store, sweep, ws.data_in_use, workers=workers, author=storage.author())
    return sweep_id


def new_sweep() -> None:
    """The form: name, the base, the settings to vary and their values (in the planner's units), limits."""
    name = st.text_input("Name", f"{ws.scenario.name}: frontier", max_chars=200, key="sweep-name")
    options = list(BASES)
    bases = {base: base_of(ws.scenario, base) for base in options}
    kept = {base: kept_cost_usd(*bases[base]) for base in options}  # (hubs every run keeps, their cost)
    smallest = min(parse_values(SETTINGS[BUDGET].example, SETTINGS[BUDGET]))
    base = st.radio("Each run starts from", options, key="sweep-base",
                    index=options.index("all" if ws.scenario.hubs and kept["all"][1] <= smallest else "empty"),
                    format_func=lambda b: f"{BASES[b]} · {fmt.count(len(bases[b][0]['hubs']), 'hub')}"
                    + (f", {fmt.usd(kept[b][1])} kept in every run" if kept[b][0] else ""),
                    help="What the optimiser keeps of the plan you are working on. Every budget must cover the "
                         "hubs a run keeps: that is checked before the sweep starts.")
    chosen = st.multiselect("Settings to vary", list(SETTINGS), default=["budget.total_usd"], key="sweep-settings",
                            format_func=lambda path: SETTINGS[path].title)
    texts = {path: st.text_input(f"{SETTINGS[path].title}: values, separated by commas", SETTINGS[path].example,
                                 key=f"sweep-{path}") for path in chosen}
    left, right = st.columns(2)
    time_limit = left.slider("Time limit per run (s)", 5, 300, 30, 5, key="sweep-time-limit")
    workers = right.number_input("Worker processes", 1, 64, 2, key="sweep-workers",
                                 help="One a core is the default of Dask's LocalCluster; this machine's cores are "
                                      "shared with the app.")
    if not st.button("Launch the sweep", type="primary", icon=":material/rocket_launch:", key="sweep-launch"):
        return
    try:
        sweep = plan_sweep(ws.scenario, base, texts, name=name.strip() or "Sweep", time_limit_s=float(time_limit))
    except InputError as error:  # nothing stored, nothing started
        st.error(fmt.say("The sweep was not launched; nothing was stored. {count} problem(s):",
                         count=len(error.problems)), icon=":material/error:")
        st.code("\n".join(str(p) for p in error.problems), language=None, wrap_lines=True)
        return
    try:
        sweep_id = launch(sweep, workers)
    except storage.StoreUnavailable as error:
        storage.went_away(error)
        st.error(fmt.say("The sweep was not launched: {problem}", problem=error.problems[0]), icon=":material/error:")
        return
    except (InputError, OSError) as error:
        LOG.error("launching a sweep failed", exc_info=error)
        st.error(fmt.say("The sweep was not launched: {problem}", problem=error), icon=":material/error:")
        return
    keys.SWEEP_CHOSEN.set(sweep_id)  # the panel shows this sweep at once
    tell("success", f"Sweep “{{name}}” launched: {len(sweep.runs())} runs from {BASES[base].split(' (')[0].lower()}.",
         stay=True, name=sweep.name)
    st.rerun()


def open_run(reference: str, position: int, sweep_name: str) -> None:
    identifier, version = reference[len("store:"):].split("@")
    storage.open_version(identifier, int(version), copy=True, what=f"run {position} of the sweep “{sweep_name}”,")


def frontier_chart(frame: pd.DataFrame, vary: dict, runs_planned: list) -> tuple[go.Figure, list]:
    """Weighted people against the budget (or the first setting), one line per combination of the others."""
    x_path = BUDGET if BUDGET in vary else next(iter(vary))
    scale = 1e6 if x_path == BUDGET else 1
    figure = go.Figure()
    colours = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000"]
    series = frontiers(frame, vary, x_path)
    for (label, part), colour in zip(series, colours * 10):
        figure.add_scatter(x=part[x_path] / scale, y=part["objective"] / 1e6, mode="lines+markers",
                           name=label or "runs",
                           line=dict(color=colour), marker=dict(size=9),
                           error_y=dict(type="data", symmetric=False, array=(part["bound"] - part["objective"]) / 1e6,
                                        arrayminus=[0] * len(part), color=colour, thickness=1),
                           customdata=part[["scenario", "status", "gap"]].to_numpy(),
                           hovertemplate="%{x:,.0f}: %{y:.2f}M weighted people<br>%{customdata[1]}, gap "
                                         "%{customdata[2]:.2%}<extra>%{fullData.name}</extra>")
    planned = [v for v in runs_planned if isinstance(v, (int, float)) and not isinstance(v, bool)]
    axis = dict(title=("budget, $ million" if x_path == BUDGET else SETTINGS.get(x_path, x_path).title
                       if x_path in SETTINGS else x_path))
    if planned:  # the axis spans every value asked for, not just the runs that finished
        low, high = min(planned) / scale, max(planned) / scale
        pad = (high - low) * 0.06 or max(abs(high) * 0.1, 1)
        axis["range"] = [0 if x_path == BUDGET else low - pad, high + pad]
    figure.update_layout(height=420, margin=dict(l=10, r=10, t=40, b=10), xaxis=axis,
                         title="Weighted people (served, or reached with capacity off) against the "
                               + ("budget" if x_path == BUDGET else axis["title"]),
                         yaxis=dict(title="million weighted people", rangemode="tozero"),
                         legend=dict(orientation="h", y=-0.2))
    return figure, series


@st.fragment(run_every=3)
def sweeps_panel() -> None:
    """The sweeps in the store, the chosen one's progress, frontier, failures and runs (refreshing itself).

    It reruns on its own, outside the page's guard in ``app.py``: a store that stops
    answering is said here, in a sentence.
    """
    try:
        panel()
    except storage.StoreUnavailable as error:
        storage.went_away(error)
        st.warning(fmt.say("The scenario store does not answer: {problem}. The sweep goes on in its own process; "
                           "its runs show here when the store is back.", problem=error.problems[0].message),
                   icon=":material/cloud_off:")


def panel() -> None:
    sweeps = store.sweeps()
    if not sweeps:
        st.caption("No sweeps yet.")
        return
    labels = {s["id"]: f"{s['name']} · {s['finished']} of {s['runs']} runs finished"
              + (f" ({s['failed']} failed)" if s["failed"] else "") for s in sweeps}
    if keys.SWEEP_CHOSEN.get() not in labels:
        keys.SWEEP_CHOSEN.pop()
    chosen = st.selectbox("Sweep", list(labels), format_func=labels.get, key="sweep-chosen")
    sweep = next(s for s in sweeps if s["id"] == chosen)
    succeeded = sweep["finished"] - sweep["failed"]
    st.progress(sweep["finished"] / max(sweep["runs"], 1),
                text=f"{sweep['finished']} of {sweep['runs']} runs finished: {succeeded} with a plan, "
                     f"{sweep['failed']} failed" + (" · running, this view refreshes itself"
                                                     if sweep["finished"] < sweep["runs"] else ""))
    rows = store.sweep_runs(chosen)
    if not rows:
        st.caption("The first runs are on their way (the cluster starts and each worker builds the engine once).")
        return
    vary = sweep["spec"]["vary"]
    frame = table(rows, vary)
    failed = [row for row in rows if row["status"] == "failed"]
    if failed:
        st.error(f"{len(failed)} of the {sweep['runs']} runs failed; the reasons:", icon=":material/error:")
        st.dataframe(pd.DataFrame({"run": [row["position"] + 1 for row in failed],
                                   "settings": [describe(row["settings"]) for row in failed],
                                   "why": [row.get("error", "") for row in failed]}),
                     hide_index=True, key=f"sweep-failures-{chosen}", width="stretch",
                     column_config={"run": st.column_config.NumberColumn("Run", width="small"),
                                    "settings": st.column_config.TextColumn("Settings", width="medium"),
                                    "why": st.column_config.TextColumn("Why it failed", width="large")})
    x_values = vary.get(BUDGET) or next(iter(vary.values()))
    figure, series = frontier_chart(frame, vary, x_values)
    event = st.plotly_chart(figure, width="stretch", key=f"frontier-{chosen}", on_select="rerun",
                            selection_mode="points")
    points = (event or {}).get("selection", {}).get("points", []) if isinstance(event, dict) else \
        (event.selection.points if event else [])
    if points:
        point = points[0]
        curve, index = point.get("curve_number", 0), point.get("point_index", point.get("point_number", 0))
        part = series[curve][1] if curve < len(series) else None
        if part is not None and index < len(part) and str(part["scenario"].iloc[index]).startswith("store:"):
            reference = part["scenario"].iloc[index]
            position = next((row["position"] + 1 for row in rows if row.get("scenario_id")
                             and f"store:{row['scenario_id']}@{row['version']}" == reference), index + 1)
            run_settings = {path: part[path].iloc[index] for path in vary}
            with st.popover(f"Open run {position}'s plan", icon=":material/file_open:", type="primary"):
                st.markdown(fmt.say("Run {position}: {settings}. Its plan replaces the one you are working on, as an "
                                    "unsaved copy: one undo step, so Undo brings yours back.", position=position,
                                    settings=describe(run_settings)))
                if st.button("Open it", key="open-sweep-run", type="primary"):
                    open_run(reference, position, sweep["name"])
                    st.rerun(scope="app")  # the whole page and the sidebar show the opened plan
    st.caption("Error bars: the proven gap (nothing at that budget can do better than the top of the bar). "
               "Select a point, then open its plan.")
    shown = frame.drop(columns=[c for c in ("covered_none", "served_none", "scenario") if c in frame])
    shown = shown.drop(columns=["error"], errors="ignore")
    st.dataframe(shown, hide_index=True, key=f"sweep-table-{chosen}", column_config={
        BUDGET: st.column_config.NumberColumn("Budget ($)", format="dollar"),
        "objective": st.column_config.NumberColumn("Objective", format="localized"),
        "bound": st.column_config.NumberColumn("Bound", format="localized"),
        "gap": st.column_config.NumberColumn("Gap", format="percent"),
        "cost_usd": st.column_config.NumberColumn("Cost ($)", format="dollar")})
    st.caption(fmt.say("Sweep {id} · launched {when} UTC by {who} · python -m coverage sweep runs the same from the "
                       "command line.", id=chosen, when=sweep["created"][:16].replace("T", " "),
                       who=sweep["created_by"]))


if store is None or not store.writable:
    st.info(fmt.say("Sweeps need the scenario store, and saving is off: {reason}", reason=storage.problem()))
else:
    with st.expander("New sweep from the current plan", icon=":material/add_chart:", expanded=not store.sweeps(),
                     key="new-sweep"):
        new_sweep()
    sweeps_panel()
