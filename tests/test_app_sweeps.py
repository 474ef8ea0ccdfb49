"""The Sweeps page under AppTest: the base, checks before launch, the panel, failures, opening a run's plan."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from streamlit.testing.v1 import AppTest

from coverage.store import DataRef, ScenarioStore
from coverage.store.data import default_fingerprint

from .conftest import ROOT
from .test_app import figures, plain, run, said, workspace
from .test_app_store import add, go, new_session


@pytest.fixture(autouse=True)
def data_folder(tmp_path, monkeypatch):
    """The user data folder (where the page writes sweep files) inside the test's temporary folder."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "data" / "rural-coverage" / "sweeps"


def sweeps_page(app: AppTest) -> None:
    go(app, "sweeps")


def everything_stored(url: str) -> tuple[list, list]:
    kept = ScenarioStore(url)
    return kept.list(sweeps=True) + kept.list(deleted=True, sweeps=True), kept.sweeps()


def test_value_boxes_follow_the_settings_chosen(isolated_store):
    """Issue 21.14: boxes for settings not chosen were shown and silently ignored."""
    app = new_session()
    sweeps_page(app)
    keys = {t.key for t in app.text_input}
    assert "sweep-budget.total_usd" in keys and "sweep-travel.speed_mph" not in keys
    app.multiselect(key="sweep-settings").select("travel.speed_mph")
    run(app)
    keys = {t.key for t in app.text_input}
    assert {"sweep-budget.total_usd", "sweep-travel.speed_mph"} <= keys
    app.multiselect(key="sweep-settings").unselect("budget.total_usd")
    run(app)
    assert "sweep-budget.total_usd" not in {t.key for t in app.text_input}


def test_a_refused_launch_stores_nothing_and_speaks_the_planners_units(isolated_store, data_folder):
    """Issue 21.14: '-100000000.0 must be at least 0' after typing -100 $M, and a hidden base and file were kept."""
    app = new_session()
    sweeps_page(app)
    app.text_input(key="sweep-budget.total_usd").input("-100, 250")
    app.button(key="sweep-launch").click()
    run(app)
    assert any("not launched; nothing was stored" in e.value for e in said(app.error)), said(app.error)
    problems = app.code[0].value
    assert "Budget ($ million): -100 must be at least 0" in problems, problems
    assert "100000000" not in problems and ".json" not in problems
    assert everything_stored(isolated_store) == ([], [])
    assert not data_folder.exists() or not list(data_folder.iterdir())


def test_every_budget_is_checked_against_the_hubs_the_runs_keep(isolated_store, data_folder):
    """Issue 21.13: runs below what the kept hubs cost failed one by one; the launch must refuse them, in $M."""
    app = new_session()
    for town in ("Dodge City, KS", "Hays, KS", "Garden City, KS"):
        add(app, town)
    cost = workspace(app).evaluation.key_figures()["cost_usd"]
    sweeps_page(app)
    assert app.radio(key="sweep-base").value == "all"
    app.text_input(key="sweep-budget.total_usd").input("20, 500")
    app.button(key="sweep-launch").click()
    run(app)
    problems = app.code[0].value
    assert f"Budget ($ million): $20.0M is below the ${cost / 1e6:,.1f}M that the 3 hub(s) every run keeps" in problems
    assert "500" not in problems  # the budget that covers them is fine
    assert everything_stored(isolated_store) == ([], [])
    radio = app.radio(key="sweep-base")
    assert list(radio.options) == [
        "An empty plan (the optimiser places every hub) · 0 hubs",
        "The plan's locked hubs (the optimiser adds the rest) · 0 hubs",
        f"All the plan's hubs (the optimiser adds to them) · 3 hubs, ${cost / 1e6:.1f}M kept in every run",
        "Re-plan: keep the locked hubs; the optimiser may drop the others · 3 hubs"]


def test_failed_runs_are_counted_right_and_say_why(isolated_store):
    """Issue 21.13: '4/4 runs (4 failed)' when one succeeded, and the reason in an off-screen column."""
    kept = ScenarioStore(isolated_store)
    spec = {"schema": "rural-coverage/sweep@1", "name": "Budgets", "base": "plan.json",
            "vary": {"budget.total_usd": [2.5e8, 5e8, 1e9, 1.5e9]}, "time_limit_s": 5, "replan": False}
    kept.create_sweep("sweep-test", "Budgets", spec, {}, 4)
    plan = kept.save({"schema": "rural-coverage/scenario@1", "name": "Budgets: run 4", "hubs": []}, figures={},
                     data=DataRef(default_fingerprint()), scenario_id="sweep-test-4")
    for position, budget in enumerate(spec["vary"]["budget.total_usd"]):
        if position < 3:
            kept.record_run("sweep-test", f"k{position}", position, {"budget.total_usd": budget}, "failed",
                            {"error": f"InputError: the hubs kept already cost $1,010,000,000, more than the "
                                      f"${budget:,.0f} budget", "status": "failed", "objective": None, "bound": None})
        else:
            kept.record_run("sweep-test", f"k{position}", position, {"budget.total_usd": budget}, "optimal",
                            {"status": "optimal", "objective": 2.1e7, "bound": 2.1e7, "gap": 0.0, "seconds": 3.0,
                             "hubs": 120, "cost_usd": 1.49e9}, plan.id, plan.version)
    assert kept.sweeps()[0]["failed"] == 3
    app = new_session()
    sweeps_page(app)
    label = app.selectbox(key="sweep-chosen")
    assert label.format_func(label.value) == "Budgets · 4 of 4 runs finished (3 failed)"
    reasons = next(t.value for t in app.dataframe if "why" in t.value.columns)
    assert reasons["run"].tolist() == [1, 2, 3]
    assert reasons["settings"].tolist()[0] == "Budget $250M"
    assert "more than the $250,000,000 budget" in reasons["why"].tolist()[0]
    chart = json.loads(app.get("plotly_chart")[0].proto.spec)
    assert chart["layout"]["xaxis"]["range"][0] == 0 and chart["layout"]["xaxis"]["range"][1] > 1500  # all budgets
    assert kept.list() == []  # the run's plan is the sweep's own


def test_a_sweep_launched_from_the_page_runs_on_and_draws_its_frontier(isolated_store):
    """Issues 21.11-13: the panel shows the new sweep at once; a run's plan opens as one undo step with the sidebar
    refreshed; saved, it is a plan like any other (listed by the page and the CLI)."""
    app = new_session()
    before = len(ScenarioStore(isolated_store).sweeps())
    sweeps_page(app)
    app.text_input(key="sweep-budget.total_usd").input("100, 200")
    app.slider(key="sweep-time-limit").set_value(5)
    app.button(key="sweep-launch").click()
    run(app)
    assert not app.error, said(app.error)
    kept = ScenarioStore(isolated_store)
    (sweep,) = kept.sweeps()
    assert before == 0 and app.selectbox(key="sweep-chosen").value == sweep["id"]  # shown right after launch
    assert any("launched: 2 runs" in s.value for s in said(app.success))
    assert kept.list() == []  # the sweep's base is its own, out of the list
    deadline = time.monotonic() + 240  # its own process: the page could be closed meanwhile
    while kept.sweeps()[0]["finished"] < 2 and time.monotonic() < deadline:
        time.sleep(1)
    assert kept.sweeps()[0]["finished"] == 2 and kept.sweeps()[0]["failed"] == 0
    run(app)
    chart = next(c for c in app.get("plotly_chart"))
    assert "Weighted people" in chart.proto.spec
    assert all(r["status"] in ("optimal", "time_limit") for r in kept.sweep_runs(sweep["id"]))
    app.session_state[f"frontier-{sweep['id']}"] = {"selection": {"points": [{"curve_number": 0, "point_index": 1}],
                                                                  "point_indices": [1], "box": [], "lasso": []}}
    run(app)
    assert any("replaces the one you are working on" in plain(m.value) for m in app.markdown)
    app.button(key="open-sweep-run").click()
    run(app)
    opened = workspace(app).scenario
    assert opened.budget.total_usd == 2e8 and opened.hubs and workspace(app).can_undo
    assert any("Opened run 2 of the sweep" in s.value and "one undo step" in s.value for s in said(app.success))
    assert figures(app)[f"Cost of {len(opened.hubs)} hubs"].startswith("$")  # the sidebar shows the opened plan
    assert kept.list() == []  # sweep plans stay out of the scenario list...
    go(app, "scenarios")
    app.button(key="save").click()
    run(app)
    (listed,) = kept.list()  # ...until a planner saves one: then it is a plan
    assert listed.name == opened.name and listed.figures["hubs"] == len(opened.hubs)
    cli = subprocess.run([sys.executable, "-m", "coverage", "scenarios", "list", "--json", "--store", isolated_store],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    assert [s["id"] for s in json.loads(cli.stdout)] == [listed.id]
    app.sidebar.button[0].click()  # undo: the plan before the run's
    run(app)
    assert workspace(app).scenario.hubs == ()
