"""Issue 17: what misled, trapped or lost work for a new planner, each checked as the planner would (AppTest)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from coverage.scenario import load_scenario

from .conftest import ROOT
from .test_app import DODGE, HAYS, add_by_search, run, said, workspace

NATIONAL = ROOT / "examples" / "national_rollout.json"


@pytest.fixture
def app() -> AppTest:
    test = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    test.run()
    assert not test.exception, [e.value for e in test.exception]
    return test


def go(app: AppTest, page: str) -> None:
    app.switch_page(f"app_pages/{page}.py")
    run(app)


def values(data) -> list:
    """A plotly array as numbers (plotly writes numpy arrays as base64 'typed arrays')."""
    if isinstance(data, dict) and "bdata" in data:
        import base64

        import numpy as np

        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=np.dtype(data["dtype"])).tolist()
    return list(data)


def charts(app: AppTest) -> dict[str, dict]:
    """Every plotly chart on the page, by its title."""
    specs = [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]
    return {spec["layout"].get("title", {}).get("text", ""): spec for spec in specs}


def test_spend_by_quarter_and_cumulative_spend_each_have_one_honest_scale(app):
    """17.1: no second axis stretches a quarter's spend up to the budget line."""
    workspace(app).load(load_scenario(NATIONAL))
    go(app, "budget")
    figures = charts(app)
    for spec in figures.values():
        assert "yaxis2" not in spec["layout"] and all(t.get("yaxis", "y") == "y" for t in spec["data"])
    in_quarter = figures["Spend in each quarter"]
    cumulative = figures["Cumulative spend against the budget"]
    budget = values(next(t for t in cumulative["data"] if t["name"] == "budget")["y"])[0]
    spent = max(values(next(t for t in cumulative["data"] if t["name"] == "cumulative spend")["y"]))
    assert cumulative["layout"]["yaxis"]["range"][0] == 0 and cumulative["layout"]["yaxis"]["range"][1] >= budget
    assert budget == workspace(app).scenario.budget.total_usd / 1e6 and spent <= budget
    tallest = max(sum(parts) for parts in zip(*(values(t["y"]) for t in in_quarter["data"])))
    assert tallest < spent  # a quarter's bars are drawn in dollars of their own, never up to the budget


def test_county_search_by_state_code_finds_that_states_counties_only(app):
    """17.3: 'IL' is Illinois, not every county with 'il' in its name."""
    go(app, "coverage_tables")
    app.text_input(key="county-search").input("IL")
    run(app)
    table = next(t.value for t in app.dataframe if "county" in t.value.columns)
    communities = pd.read_csv(ROOT / "data" / "communities.csv", dtype=str, keep_default_na=False)
    assert set(table["state"]) == {"IL"}
    assert len(table) == communities.loc[communities.state == "IL", "county"].nunique()
    app.text_input(key="county-search").input("Ford")
    run(app)
    table = next(t.value for t in app.dataframe if "county" in t.value.columns)
    assert "Ford County" in table["county"].tolist() and all("ford" in c.lower() for c in table["county"])


def test_the_drive_time_histogram_bins_end_on_the_thresholds_and_show_the_tiers(app):
    """17.4: no bin straddles 90 or 240 minutes; one colour per tier."""
    workspace(app).load(load_scenario(NATIONAL))
    go(app, "coverage_tables")
    (spec,) = [s for s in charts(app).values() if s["layout"].get("xaxis", {}).get("title", {}).get("text", "")
               .startswith("minutes")]
    limits = {"same-day": (0, 90), "next-day": (90, 240), "beyond next-day": (240, 480)}
    colours = set()
    for trace in spec["data"]:
        low, high = limits[trace["name"]]
        for centre, width in zip(values(trace["x"]), values(trace["width"])):
            assert low - 1e-9 <= centre - width / 2 and centre + width / 2 <= high + 1e-9
        colours.add(trace["marker"]["color"])
    assert len(colours) == 3


def test_adding_a_hub_twice_at_one_site_is_refused(app):
    """17.13: a second hub on the same site doubled the cost and reached nobody."""
    add_by_search(app, "Dodge City, KS")
    add_by_search(app, "Dodge City, KS")
    assert any("there is already a hub here: h1" in e.value for e in said(app.error))
    assert [h.site_id for h in workspace(app).scenario.hubs] == [DODGE]


def test_hubs_by_name_and_by_coordinates_default_to_the_same_type(app):
    """17.17: one default hub type, shown in both forms."""
    assert app.selectbox(key="search-type").value == app.selectbox(key="coordinates-type").value == "conversion"


def test_new_scenario_clear_hubs_and_a_name(app):
    """17.8: a new plan, clearing the hubs (asking about locked ones) and naming the plan."""
    add_by_search(app, "Dodge City, KS")
    add_by_search(app, "Hays, KS")
    workspace(app).update_hub("h1", locked=True)
    go(app, "scenarios")
    app.text_input(key=f"scenario-name-{workspace(app).revision}").input("Western Kansas")
    run(app)
    assert workspace(app).scenario.name == "Western Kansas"
    app.button(key="clear-unlocked").click()
    run(app)
    assert [h.site_id for h in workspace(app).scenario.hubs] == [DODGE]
    app.button(key="clear-all").click()
    run(app)
    assert workspace(app).scenario.hubs == ()
    app.button(key="new-scenario").click()
    run(app)
    assert workspace(app).scenario.name == "Untitled scenario"
    app.sidebar.button[0].click()  # undo the new scenario
    run(app)
    assert workspace(app).scenario.name == "Western Kansas"


TOWNS = ("id,name,lat,lon,population\n" + "\n".join(
    f"t{i},Town {i},{38 + 0.2 * i:.2f},-99.5,{3000 + 10 * i}" for i in range(30)) + "\n").encode()


def test_new_data_that_lacks_the_plans_sites_offers_choices_in_one_sentence(app):
    """17.6 and 17.7: say why, offer keep-matching / new scenario / cancel; switching data is one undo step."""
    add_by_search(app, "Dodge City, KS")
    add_by_search(app, "Hays, KS")
    go(app, "data")
    app.file_uploader(key="upload-communities").set_value(("towns.csv", TOWNS, "text/csv"))
    run(app)
    warning = next(w.value for w in said(app.warning) if "What should happen to the plan" in w.value)
    assert "2 of the current plan's 2 hubs sit on sites it does not have" in warning
    assert not app.error and len(workspace(app).communities) == 4000
    app.button(key="data-drop").click()
    run(app)
    assert len(workspace(app).communities) == 30 and workspace(app).scenario.hubs == ()
    assert {m.label: m.value for m in app.get("metric")}["Communities"] == "30"  # the page shows the new data
    app.sidebar.button[0].click()  # undo: the old data and both hubs come back
    run(app)
    assert len(workspace(app).communities) == 4000
    assert [h.site_id for h in workspace(app).scenario.hubs] == [DODGE, HAYS]


def test_cancelling_a_data_switch_keeps_everything(app):
    add_by_search(app, "Dodge City, KS")
    go(app, "data")
    app.file_uploader(key="upload-communities").set_value(("towns.csv", TOWNS, "text/csv"))
    run(app)
    app.button(key="data-cancel").click()
    run(app)
    assert len(workspace(app).communities) == 4000 and len(workspace(app).scenario.hubs) == 1


def test_the_optimiser_stops_at_once_and_its_run_button_is_off_while_it_runs(app):
    """17.12: Stop took 6-13 s with no 'stopping' state, and Run stayed enabled during a run."""
    import time

    go(app, "optimiser")
    next(n for n in app.number_input if n.label == "Budget ($ million)").set_value(2000.0)
    app.button(key="FormSubmitter:optimiser-settings-Run optimiser").click()
    run(app)
    job = app.session_state["optimiser-job"]
    assert job.running
    assert app.button(key="FormSubmitter:optimiser-settings-Run optimiser").disabled
    time.sleep(8)  # into the relaxation or the search
    app.button(key="optimiser-stop").click()
    asked = time.monotonic()
    run(app)
    assert job.wait(5), "the optimiser did not stop within 5 s"
    assert time.monotonic() - asked < 5
    run(app)
    assert job.result.status == "stopped"
    assert any("stopped" in i.value for i in said(app.info))


def test_the_national_rollout_example_is_what_its_name_says():
    """17.2: called '$1B (optimiser plan)', it must cost at most $1B against a $1B budget."""
    from coverage.evaluation import evaluate

    scenario = load_scenario(NATIONAL)
    summary = evaluate(scenario).summary()
    assert "$1B" in scenario.name and scenario.budget.total_usd == 1e9
    assert summary["cost_usd"] <= 1e9 and not summary["budget"]["over_budget"]
