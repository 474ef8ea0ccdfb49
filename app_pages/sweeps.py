"""Sweeps: many optimiser runs at once (budgets, thresholds, speeds, weights), drawn as coverage-budget frontiers.

A sweep runs in its own process (``python -m coverage sweep``) on a local Dask cluster,
so it keeps running when this page or the browser is closed; the page reads its
progress and results back from the scenario store, where each run is written as it
finishes.  Click a point of the frontier to open that run's plan.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import plotly.graph_objects as go
import streamlit as st

from coverage.sweeps.frontier import BUDGET, frontiers, table
from ui import fmt, storage
from ui.state import show_messages, workspace

ws = workspace()
store = storage.store()
st.title("Sweeps")
show_messages()
st.markdown("Run the optimiser for every combination of a few settings at once, from the plan you are working on, "
            "and see how coverage grows with the budget. A sweep runs on a local Dask cluster in its own process: "
            "it keeps going when you close the page, and every run is kept in the scenario store as it finishes.")
if store is None or not store.writable:
    st.info(f"Sweeps need the scenario store, and saving is off: {storage.problem()}")
    st.stop()

ROOT = Path(__file__).resolve().parent.parent
#: What a planner can vary, by the scenario document's path, with how the values are typed in.
SETTINGS = {
    "budget.total_usd": ("Budget ($ million)", 1e6, "250, 500, 1000, 2000"),
    "travel.speed_mph": ("Average road speed (mph)", 1, "45, 50"),
    "thresholds.same_day_minutes": ("Same-day threshold (minutes)", 1, "75, 90"),
    "thresholds.next_day_minutes": ("Next-day threshold (minutes)", 1, "240"),
    "travel.circuity": ("Circuity", 1, "1.2, 1.3"),
    "optimizer.next_day_weight": ("Next-day weight", 1, "0.5, 0.75"),
    "costs.peak_factor": ("Peak factor", 1, "1, 1.5"),
    "optimizer.respect_capacity": ("Respect capacity (true/false)", None, "true, false"),
}


def parse_values(text: str, scale: float | None) -> list:
    """'250, 500' -> [2.5e8, 5e8] (or booleans); ValueError naming the value that is not one."""
    values = []
    for part in [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]:
        if scale is None:
            if part.lower() not in ("true", "false"):
                raise ValueError(f"{part!r} is not true or false")
            values.append(part.lower() == "true")
        else:
            try:
                values.append(float(part) * scale)
            except ValueError:
                raise ValueError(f"{part!r} is not a number") from None
    return values


# -- a new sweep -------------------------------------------------------------------------------------------
with st.expander("New sweep from the current plan", icon=":material/add_chart:", expanded=not store.sweeps(),
                 key="new-sweep"):
    with st.form("sweep-form", border=False):
        name = st.text_input("Name", f"{ws.scenario.name}: frontier", max_chars=200)
        chosen = st.multiselect("Settings to vary", list(SETTINGS), default=["budget.total_usd"],
                                format_func=lambda path: SETTINGS[path][0])
        texts = {path: st.text_input(f"{SETTINGS[path][0]}: values", SETTINGS[path][2], key=f"sweep-{path}")
                 for path in SETTINGS}
        left, right = st.columns(2)
        time_limit = left.slider("Time limit per run (s)", 5, 300, 30, 5)
        workers = right.number_input("Worker processes", 1, 64, 2, help="One a core is the default of Dask's "
                                     "LocalCluster; this machine's cores are shared with the app.")
        launch = st.form_submit_button("Launch the sweep", type="primary", icon=":material/rocket_launch:")
    if launch:
        try:
            vary = {path: parse_values(texts[path], SETTINGS[path][1]) for path in chosen}
            if not vary or any(not v for v in vary.values()):
                raise ValueError("choose at least one setting, with at least one value")
            from coverage.store.data import data_ref

            base = store.save(ws.scenario.to_dict(), figures=ws.evaluation.key_figures(),
                              data=data_ref(ws.communities, ws.sites, storage.matrix_in_use()),
                              scenario_id=f"sweep-base-{int(time.time())}", author=storage.author(),
                              note="the base of a sweep")
            document = {"schema": "rural-coverage/sweep@1", "name": name, "base": f"store:{base.id}@{base.version}",
                        "vary": vary, "time_limit_s": time_limit}
            from coverage.store.url import APP_NAME
            from platformdirs import user_data_dir

            folder = Path(user_data_dir(APP_NAME, appauthor=False)) / "sweeps"
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"sweep-{int(time.time() * 1000)}.json"
            from coverage.sweeps import load_sweep

            path.write_text(json.dumps(document), encoding="utf-8")
            load_sweep(path, store)  # the contract's checks, before anything starts
            log = open(path.with_suffix(".log"), "w")
            subprocess.Popen([sys.executable, "-m", "coverage", "sweep", str(path), "--store", store.url,
                              "--workers", str(int(workers))], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                             start_new_session=True)
            st.session_state["messages"] = [("success", f"Sweep “{name}” launched: "
                                             f"{len(load_sweep(path, store).runs())} runs.")]
            st.session_state.pop("sweep-chosen", None)  # show the newest sweep: this one, once it has started
            st.rerun()
        except ValueError as error:
            problems = getattr(error, "problems", None)
            st.error("The sweep was not launched: " + ("; ".join(str(p) for p in problems) if problems
                                                          else str(error)), icon=":material/error:")

# -- sweeps and their frontiers ---------------------------------------------------------------------------


@st.fragment(run_every=3)
def sweeps_panel() -> None:
    sweeps = store.sweeps()
    if not sweeps:
        st.caption("No sweeps yet.")
        return
    labels = {s["id"]: f"{s['name']} · {s['finished']}/{s['runs']} runs" + (f" ({s['failed']} failed)" if s["failed"]
                                                                             else "") for s in sweeps}
    if st.session_state.get("sweep-chosen") not in labels:
        st.session_state.pop("sweep-chosen", None)
    chosen = st.selectbox("Sweep", list(labels), format_func=labels.get, key="sweep-chosen")
    sweep = next(s for s in sweeps if s["id"] == chosen)
    st.progress(sweep["finished"] / max(sweep["runs"], 1),
                text=f"{sweep['finished']} of {sweep['runs']} runs finished"
                + (" · running, this view refreshes itself" if sweep["finished"] < sweep["runs"] else ""))
    rows = store.sweep_runs(chosen)
    if not rows:
        st.caption("The first runs are on their way (the cluster starts and each worker builds the engine once).")
        return
    vary = sweep["spec"]["vary"]
    frame = table(rows, vary)
    figure = go.Figure()
    x_path = BUDGET if BUDGET in vary else next(iter(vary))
    colours = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000"]
    series = frontiers(frame, vary, x_path)
    for (label, part), colour in zip(series, colours * 10):
        x = part[x_path] / (1e6 if x_path == BUDGET else 1)
        figure.add_scatter(x=x, y=part["objective"] / 1e6, mode="lines+markers", name=label or "runs",
                           line=dict(color=colour), marker=dict(size=9),
                           error_y=dict(type="data", symmetric=False, array=(part["bound"] - part["objective"]) / 1e6,
                                        arrayminus=[0] * len(part), color=colour, thickness=1),
                           customdata=part[["scenario", "status", "gap"]].to_numpy(),
                           hovertemplate="%{x:,.0f}: %{y:.2f}M weighted people<br>%{customdata[1]}, gap "
                                         "%{customdata[2]:.2%}<extra>%{fullData.name}</extra>")
    figure.update_layout(height=420, margin=dict(l=10, r=10, t=40, b=10),
                         title="Weighted people (served, or reached with capacity off) against the "
                               + ("budget" if x_path == BUDGET else x_path.split(".")[-1]),
                         xaxis_title="budget, $ million" if x_path == BUDGET else x_path,
                         yaxis_title="million weighted people", legend=dict(orientation="h", y=-0.2))
    event = st.plotly_chart(figure, width="stretch", key=f"frontier-{chosen}", on_select="rerun",
                            selection_mode="points")
    points = (event or {}).get("selection", {}).get("points", []) if isinstance(event, dict) else \
        (event.selection.points if event else [])
    if points:
        point = points[0]
        curve, index = point.get("curve_number", 0), point.get("point_index", point.get("point_number", 0))
        reference = series[curve][1]["scenario"].iloc[index] if curve < len(series) else ""
        if reference.startswith("store:"):
            identifier, version = reference[len("store:"):].split("@")
            st.button(f"Open this run's plan ({identifier})", key="open-sweep-run", type="primary",
                      on_click=storage.open_version, args=(identifier, int(version)))
    st.caption("Error bars: the proven gap (nothing at that budget can do better than the top of the bar). "
               "Select a point, then open its plan.")
    shown = frame.drop(columns=[c for c in ("covered_none", "served_none") if c in frame])
    st.dataframe(shown, hide_index=True, key=f"sweep-table-{chosen}", column_config={
        BUDGET: st.column_config.NumberColumn("Budget ($)", format="dollar"),
        "objective": st.column_config.NumberColumn("Objective", format="localized"),
        "bound": st.column_config.NumberColumn("Bound", format="localized"),
        "gap": st.column_config.NumberColumn("Gap", format="percent"),
        "cost_usd": st.column_config.NumberColumn("Cost ($)", format="dollar")})
    st.caption(f"Sweep `{chosen}` · launched {sweep['created'][:16].replace('T', ' ')} UTC by "
               f"{fmt.markdown_text(sweep['created_by'])} · `python -m coverage sweep` runs the same from the "
               "command line.")


sweeps_panel()
