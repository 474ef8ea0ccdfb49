"""The app under Streamlit's AppTest: every planner interaction, and the figures it shows."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from coverage.scenario import load_scenario

from .conftest import ROOT

DODGE, HAYS = "5445298", "4272782"


@pytest.fixture
def app() -> AppTest:
    test = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    test.run()
    assert not test.exception, [e.value for e in test.exception]
    return test


def workspace(app: AppTest):
    return app.session_state["workspace"]


def figures(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.get("metric")}


class Said(str):
    """A message as the planner reads it (its Markdown escapes taken out), with ``value`` as elements have."""

    @property
    def value(self) -> str:
        return str(self)


def plain(markdown: str) -> str:
    """What escaped Markdown reads as: backslash escapes, character references and invisible word joiners removed."""
    return html.unescape(re.sub(r"\\(.)", r"\1", markdown)).replace("\u2060", "")


def said(elements) -> list[Said]:
    """Messages (errors, warnings, toasts...) as the planner reads them."""
    return [Said(plain(element.value)) for element in elements]


def run(app: AppTest) -> None:
    app.run()
    assert not app.exception, [e.value for e in app.exception]


def site_option(app: AppTest, startswith: str) -> str:
    return next(o for o in app.selectbox(key="search-site").options if o.startswith(startswith))


def add_by_search(app: AppTest, town: str) -> None:
    app.selectbox(key="search-site").select(site_option(app, town))
    app.button(key="FormSubmitter:add-by-name-Add hub").click()
    run(app)


def test_app_starts_and_shows_the_map_offline(app):
    charts = app.get("deck_gl_json_chart")
    assert len(charts) == 1
    spec = charts[0].proto.json
    for layer in ('"states"', '"communities"', '"hubs"'):
        assert layer in spec
    assert "cartocdn" not in spec and "mapbox" not in spec
    assert figures(app)["Not covered communities"] == "4,000"


def test_add_by_search_updates_the_key_figures(app):
    add_by_search(app, "Dodge City, KS")
    hubs = workspace(app).scenario.hubs
    assert [(h.site_id, h.name) for h in hubs] == [(DODGE, "Hub at Dodge City, KS")]
    assert figures(app)["Not covered communities"] != "4,000"
    assert figures(app)["Cost of 1 hub"].startswith("$")


def test_add_by_coordinates(app):
    app.number_input(key="add-lat").set_value(41.12)
    app.number_input(key="add-lon").set_value(-100.77)
    app.button(key="FormSubmitter:add-by-coordinates-Add hub at these coordinates").click()
    run(app)
    hub = workspace(app).scenario.hubs[0]
    assert (hub.lat, hub.lon, hub.site_id, hub.type) == (41.12, -100.77, None, "conversion")


@pytest.mark.parametrize("lat, lon, message", [(51.5, -0.12, "not inside the United States"),
                                               (25.0, -90.0, "not inside the United States")])
def test_bad_coordinates_give_a_message_and_leave_the_scenario(app, lat, lon, message):
    add_by_search(app, "Dodge City, KS")
    before = workspace(app).scenario
    app.number_input(key="add-lat").set_value(lat)
    app.number_input(key="add-lon").set_value(lon)
    app.button(key="FormSubmitter:add-by-coordinates-Add hub at these coordinates").click()
    run(app)
    assert any(message in e.value for e in said(app.error))
    assert workspace(app).scenario == before


def edit_table(app: AppTest, **edits) -> None:
    state = {"edited_rows": {}, "added_rows": [], "deleted_rows": [], **edits}
    resets = app.session_state["hub-table-resets"] if "hub-table-resets" in app.session_state else 0
    app.session_state[f"hub-table-{workspace(app).revision}-{resets}"] = state
    run(app)


def test_add_lock_and_remove_in_the_hub_table(app):
    edit_table(app, added_rows=[{"place": site_option(app, "Hays, KS"), "type": "new", "open_quarter": "2025Q2"}])
    (hub,) = workspace(app).scenario.hubs
    assert (hub.site_id, hub.type, hub.open_quarter, hub.name) == (HAYS, "new", "2025Q2", "Hub at Hays, KS")
    edit_table(app, edited_rows={"0": {"locked": True, "name": "Hays pilot"}})
    assert workspace(app).scenario.hubs[0].locked and workspace(app).scenario.hubs[0].name == "Hays pilot"
    edit_table(app, deleted_rows=[0])  # a locked hub: the page asks first
    assert len(workspace(app).scenario.hubs) == 1
    assert "removes 1 locked hub(s): h1 (Hays pilot)" in said(app.warning)[0].value
    app.button(key="confirm-locked-yes").click()
    run(app)
    assert workspace(app).scenario.hubs == ()


def test_a_table_row_without_a_place_is_named(app):
    edit_table(app, added_rows=[{"type": "new"}])
    assert any("Hub table: 1:place: choose a place" in e.value for e in said(app.error))
    assert workspace(app).scenario.hubs == ()


def test_a_hub_moves_to_a_listed_place_outside_the_table(app):
    """Issue 25: the 4,000 places are not options of the hub table (re-sent with every change) but of a form."""
    add_by_search(app, "Dodge City, KS")
    app.selectbox(key="move-hub-id").select("h1")
    app.selectbox(key="move-site").select(site_option(app, "Hays, KS"))
    app.button(key="FormSubmitter:move-hub-Move hub").click()
    run(app)
    (hub,) = workspace(app).scenario.hubs
    assert (hub.id, hub.site_id, hub.name) == ("h1", HAYS, "Hub at Dodge City, KS")
    assert len(app.selectbox(key="move-site").options) == 4000


@pytest.mark.parametrize("typed", ["Hays, KS", "hays, ks", HAYS])
def test_a_place_is_typed_in_the_hub_table(app, typed):
    add_by_search(app, "Dodge City, KS")
    edit_table(app, edited_rows={"0": {"place": typed}})
    (hub,) = workspace(app).scenario.hubs
    assert (hub.id, hub.site_id) == ("h1", HAYS)
    edit_table(app, added_rows=[{"place": "41.12, -100.77"}])
    assert [(h.site_id, h.lat, h.lon) for h in workspace(app).scenario.hubs] == [(HAYS, None, None),
                                                                                 (None, 41.12, -100.77)]


def test_a_place_the_data_lacks_is_named_in_the_hub_table(app):
    edit_table(app, added_rows=[{"place": "Atlantis, ZZ"}])
    assert any("Hub table: 1:place: no candidate site is called Atlantis, ZZ" in e.value for e in said(app.error))
    assert workspace(app).scenario.hubs == ()


def table_with(app: AppTest, *columns: str):
    """The first table on the page that has these columns."""
    return next(t.value for t in app.dataframe if set(columns) <= set(t.value.columns))


def select(app: AppTest, layer: str, obj: dict) -> None:
    app.session_state["map"] = {"selection": {"indices": {layer: [0]}, "objects": {layer: [obj]}}}
    run(app)


def test_select_a_community_to_add_lock_and_remove_a_hub_there(app):
    select(app, "communities", {"community_id": DODGE, "label": "Dodge City, KS"})
    next(b for b in app.button if b.label == "Add a hub here").click()
    run(app)
    assert [h.site_id for h in workspace(app).scenario.hubs] == [DODGE]
    next(b for b in app.button if b.label == "Lock the hub here").click()
    run(app)
    assert workspace(app).scenario.hubs[0].locked
    next(b for b in app.button if b.label == "Remove the hub here").click()
    run(app)
    assert workspace(app).scenario.hubs == ()


def test_select_a_hub_to_remove_it(app):
    add_by_search(app, "Dodge City, KS")
    select(app, "hubs", {"hub_id": "h1", "label": "Hub h1"})
    next(b for b in app.button if b.label == "Remove this hub").click()
    run(app)
    assert workspace(app).scenario.hubs == ()


def test_undo_and_redo_buttons(app):
    add_by_search(app, "Dodge City, KS")
    add_by_search(app, "Hays, KS")
    covered = figures(app)["Not covered communities"]
    app.sidebar.button[0].click()  # Undo
    run(app)
    assert [h.site_id for h in workspace(app).scenario.hubs] == [DODGE]
    assert figures(app)["Not covered communities"] != covered
    app.sidebar.button[1].click()  # Redo
    run(app)
    assert [h.site_id for h in workspace(app).scenario.hubs] == [DODGE, HAYS]
    assert figures(app)["Not covered communities"] == covered


def test_changing_a_threshold_recomputes_coverage(app):
    add_by_search(app, "Dodge City, KS")
    before = figures(app)["Same-day communities"]
    app.sidebar.number_input[0].set_value(150.0)  # same-day minutes
    run(app)
    assert workspace(app).scenario.travel.same_day_minutes == 150
    assert int(figures(app)["Same-day communities"]) > int(before)


def test_a_refused_threshold_reverts_and_later_changes_still_apply(app):
    """Issue 17.5: the field shows what is in force, and one refusal does not block every later change."""
    app.sidebar.number_input[0].set_value(300.0)  # same-day longer than next-day (240): refused
    run(app)
    assert any("The same-day threshold (300 min) cannot be longer than the next-day threshold (240 min); "
               "same-day threshold stays at 90." in e.value for e in said(app.error)), \
        [e.value for e in said(app.error)]
    assert workspace(app).scenario.travel.same_day_minutes == 90
    assert app.sidebar.number_input[0].value == 90.0  # the field shows the value in force
    app.sidebar.number_input[2].set_value(1.25)  # circuity
    run(app)
    assert workspace(app).scenario.travel.circuity == 1.25 and not app.error
    assert app.sidebar.number_input[2].value == 1.25


def test_coverage_page_shows_the_same_numbers_as_the_cli(app):
    example = ROOT / "examples" / "plains_pilot.json"
    workspace(app).load(load_scenario(example))
    app.switch_page("app_pages/coverage_tables.py")
    run(app)
    cli = json.loads(subprocess.run([sys.executable, "-m", "coverage", "evaluate", str(example), "--json"],
                                    cwd=ROOT, capture_output=True, text=True, check=True).stdout)
    totals = table_with(app, "tier", "share of population")
    assert totals["communities"].tolist() == [cli["communities"][t] for t in ("same_day", "next_day", "none")]
    assert totals["population"].tolist() == [cli["population"][t] for t in ("same_day", "next_day", "none")]
    by_state = table_with(app, "state", "population_same_day")
    assert by_state["population_same_day"].sum() == cli["population"]["same_day"]
    uncovered = table_with(app, "landmass", "nearest_hub_id")
    assert len(uncovered) == cli["communities"]["none"]
    app.text_input(key="county-search").input("Ford")
    run(app)
    assert "Ford County" in table_with(app, "county", "population_covered_share")["county"].tolist()


def test_uploading_a_bad_file_lists_problems_and_keeps_the_data(app):
    app.switch_page("app_pages/data.py")
    run(app)
    app.file_uploader(key="upload-communities").set_value(
        ("towns.csv", b"id,name,lat,lon,population\n1,A,40,-100,500\n2,B,95,-99,x\n", "text/csv"))
    run(app)
    assert "unchanged" in said(app.error)[0].value
    assert "towns.csv:3:lat: 95 is outside" in app.code[0].value
    assert len(workspace(app).communities) == 4000


def open_budget(app: AppTest, document: dict | None = None) -> None:
    from coverage.scenario import parse_scenario

    from .test_budget import THREE_HUBS

    workspace(app).load(parse_scenario(document or THREE_HUBS))
    app.switch_page("app_pages/budget.py")
    run(app)


def test_budget_page_warns_over_budget_and_shows_the_cli_figures(app, tmp_path):
    from .test_budget import THREE_HUBS

    open_budget(app)
    assert any("over the" in w.value and "budget" in w.value for w in said(app.warning))
    assert not app.error
    shown = {m.label: m.value for m in app.get("metric")}
    path = tmp_path / "three.json"
    path.write_text(json.dumps(THREE_HUBS))
    cli = json.loads(subprocess.run([sys.executable, "-m", "coverage", "evaluate", str(path), "--json"], cwd=ROOT,
                                    capture_output=True, text=True, check=True).stdout)
    assert shown["Cost through 2026Q4"] == "$73.0M" and cli["cost_usd"] == 73e6
    assert shown["Headroom"] == "−$13.0M" and cli["budget"]["headroom_usd"] == -13e6
    quarters = table_with(app, "quarter", "cumulative_spend_musd")  # the table shows $ million
    assert (quarters["cumulative_spend_musd"] * 1e6).tolist() == pytest.approx(
        [q["cumulative_spend_usd"] for q in cli["by_quarter"]])
    assert quarters["communities_same_day"].tolist() == [q["communities_same_day"] for q in cli["by_quarter"]]


def test_changing_a_hubs_quarter_or_type_updates_the_rollout(app):
    open_budget(app)
    before = (table_with(app, "quarter", "cumulative_spend_musd")["cumulative_spend_musd"] * 1e6).round(2).tolist()
    app.session_state[f"budget-hubs-{workspace(app).revision}"] = {
        "edited_rows": {"1": {"open_quarter": "2026Q3", "type": "conversion"}}, "added_rows": [], "deleted_rows": []}
    run(app)
    hub = workspace(app).scenario.hub("b")
    assert (hub.open_quarter, hub.type) == ("2026Q3", "conversion")
    after = (table_with(app, "quarter", "cumulative_spend_musd")["cumulative_spend_musd"] * 1e6).round(2).tolist()
    assert after != before and after[-1] == 18e6 + 13e6 + 10e6 + 4e6 * 2 / 4  # b: conversion, 2 quarters of opex


def test_assumptions_form_applies_and_names_bad_fields(app):
    open_budget(app)
    capex = next(n for n in app.number_input if n.label == "Capex, new build ($ million)")
    capex.set_value(40.0)
    next(b for b in app.button if b.label == "Apply assumptions").click()
    run(app)
    assert workspace(app).scenario.costs.capex_usd["new"] == 40_000_000
    horizon = next(s for s in app.selectbox if s.label == "Horizon end")
    horizon.select("2025Q4")  # before hub c opens in 2026Q2
    next(b for b in app.button if b.label == "Apply assumptions").click()
    run(app)
    assert any("hubs[1].open_quarter" in e.value or "hubs[2].open_quarter" in e.value for e in said(app.error)), \
        [e.value for e in said(app.error)]
    assert workspace(app).scenario.budget.horizon_end == "2026Q4"


def test_the_optimiser_page_proposes_and_accepts_a_plan_as_one_undo_step(app):
    app.switch_page("app_pages/optimiser.py")
    run(app)
    next(n for n in app.number_input if n.label == "Budget ($ million)").set_value(500.0)
    next(c for c in app.checkbox if c.label == "Respect capacity").uncheck()  # the coverage model: proved in seconds
    app.button(key="FormSubmitter:optimiser-settings-Run optimiser").click()
    run(app)
    job = app.session_state["optimiser-job"]
    assert job.wait(120)
    run(app)
    assert any("proved optimal" in s.value for s in said(app.success)), [s.value for s in said(app.success)]
    proposed = len(job.result.added)
    assert proposed == 42
    next(b for b in app.button if b.label == "Accept the plan").click()
    run(app)
    assert len(workspace(app).scenario.hubs) == proposed
    assert workspace(app).scenario.budget.total_usd == 5e8  # the plan keeps the budget it was optimised for
    assert next(n for n in app.number_input if n.label == "Budget ($ million)").value == 500.0
    app.sidebar.button[0].click()  # Undo
    run(app)
    assert workspace(app).scenario.hubs == ()


def test_the_optimiser_page_shows_a_greedy_preview_with_its_gap(app):
    app.switch_page("app_pages/optimiser.py")
    run(app)
    next(n for n in app.number_input if n.label == "Budget ($ million)").set_value(500.0)
    app.button(key="FormSubmitter:optimiser-settings-Greedy preview (instant)").click()
    run(app)
    assert app.session_state["optimiser-job"].wait(60)
    run(app)
    message = next(i.value for i in said(app.info) if "greedy preview, not proved" in i.value)
    result = app.session_state["optimiser-job"].result
    assert f"at most {result.bound - result.objective:,.0f} more weighted people" in message


def test_the_report_control_makes_a_pdf_named_after_the_plan(app):
    """Issue 12: a report from every page; the file carries the scenario's name and the date."""
    import io

    from pypdf import PdfReader

    workspace(app).load(load_scenario(ROOT / "examples" / "plains_pilot.json"))
    run(app)
    app.sidebar.selectbox(key="report-format").select(".pdf")
    app.sidebar.button(key="report-make").click()
    run(app)
    (download,) = [d for d in app.get("download_button") if d.proto.label.startswith("Download plains-pilot-")]
    assert re.fullmatch(r"Download plains-pilot-\d{4}-\d{2}-\d{2}\.pdf", download.proto.label)
    data = app.session_state["report-made"][1]
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "Plains pilot" in text and "153,051" in text
    add_by_search(app, "Garden City, KS")  # a changed plan asks for a new report
    assert any("make a new one" in c.value for c in app.sidebar.caption)


def test_reports_are_made_in_a_worker_process_that_yields_the_cpu_to_the_server():
    """Issue 25: a report never runs in the server's process, and its worker runs at a lower CPU priority, so the
    planners' changes are scheduled before it."""
    import os

    from ui import jobs

    worker_pid = jobs.worker_pool().submit(os.getpid).result(timeout=120)
    worker_nice = jobs.worker_pool().submit(os.nice, 0).result(timeout=120)
    assert worker_pid != os.getpid()
    assert worker_nice == min(19, os.nice(0) + jobs.NICE) and jobs.NICE == 10


def test_the_optimiser_page_respects_capacity_by_default_and_chooses_types(app):
    app.switch_page("app_pages/optimiser.py")
    run(app)
    assert next(c for c in app.checkbox if c.label == "Respect capacity").value
    next(n for n in app.number_input if n.label == "Budget ($ million)").set_value(500.0)
    next(s for s in app.slider if s.label == "Time limit (s)").set_value(15)
    app.button(key="FormSubmitter:optimiser-settings-Run optimiser").click()
    run(app)
    job = app.session_state["optimiser-job"]
    assert job.wait(60)
    run(app)
    result = job.result
    assert result.stats["model"] == "capacity" and result.status in ("optimal", "time_limit")
    next(b for b in app.button if b.label == "Accept the plan").click()
    run(app)
    served = workspace(app).evaluation.served().totals()["weighted_population"]
    assert served == pytest.approx(result.objective, rel=1e-6)  # what it optimised is what the plan serves


def test_the_optimiser_table_shows_served_and_warns_when_a_plan_serves_fewer(app):
    """Issue 21.1: accepting a capacity-off re-plan dropped served from 18.8M to 17.1M, and nothing said so."""
    workspace(app).load(load_scenario(ROOT / "examples" / "national_served.json"))
    app.switch_page("app_pages/optimiser.py")
    run(app)
    next(n for n in app.number_input if n.label == "Budget ($ million)").set_value(1000.0)
    next(c for c in app.checkbox if c.label == "Respect capacity").uncheck()
    next(c for c in app.checkbox if c.label == "Keep unlocked hubs").uncheck()  # re-plan
    next(s for s in app.slider if s.label == "Time limit (s)").set_value(10)
    app.button(key="FormSubmitter:optimiser-settings-Run optimiser").click()
    run(app)
    assert app.session_state["optimiser-job"].wait(120)
    run(app)
    table = table_with(app, "figure", "now", "proposed", "change")
    rows = dict(zip(table["figure"], table["change"]))
    assert "People served within capacity (same-day or next-day)" in rows
    assert "Weighted people in reach (the objective with capacity off) ← what this run maximised" in rows
    assert rows["People served within capacity (same-day or next-day)"].startswith("-")
    assert any("would lower the people served within capacity" in w.value and "capacity off" in w.value
               for w in said(app.warning)), said(app.warning)


def test_a_negative_optimiser_budget_is_named_next_to_the_form(app):
    """Issue 21.21: -500 made Run do nothing, with only a red border."""
    app.switch_page("app_pages/optimiser.py")
    run(app)
    next(n for n in app.number_input if n.label == "Budget ($ million)").set_value(-500.0)
    app.button(key="FormSubmitter:optimiser-settings-Run optimiser").click()
    run(app)
    assert any("Budget ($ million): -500 is not a budget; give 0 or more." in e.value for e in said(app.error))
    assert "optimiser-job" not in app.session_state


def test_the_budget_page_speaks_of_each_hubs_catchment_and_the_demand_in_reach(app):
    """Issue 21.2: 'ships 30,000 of the 1,864,778 parcels a day its communities order': the whole country's."""
    from .test_budget import THREE_HUBS

    document = {**THREE_HUBS, "costs": {**THREE_HUBS["costs"], "parcels_per_person_per_year": 36.5,
                                        "capacity_parcels_per_day": {"conversion": 5000, "new": 10**6}}}
    open_budget(app, document)
    from coverage import budget

    rollout = budget.plan(workspace(app).evaluation)
    hubs = rollout.hubs.set_index("hub_id")
    served = workspace(app).evaluation.served().totals()
    in_reach = hubs["parcels_per_day"].sum()
    assert rollout.summary["demand_in_reach_parcels_per_day"] == pytest.approx(in_reach, abs=0.1)
    warning = next(w.value for w in said(app.warning) if "catchment" in w.value)
    assert (f"a ships {hubs.loc['a', 'load_parcels_per_day']:,.0f} of the {hubs.loc['a', 'parcels_per_day']:,.0f} its "
            "catchment orders") in warning
    assert f"of the {in_reach:,.0f} parcels a day that the communities in reach order" in warning
    assert f"{served['demand_parcels_per_day']:,.0f}" not in warning  # the whole country's demand is not theirs
    tiles = {m.label: m for m in app.get("metric")}
    within = served["population"]["same_day"] + served["population"]["next_day"]
    from ui import fmt

    assert tiles["People served"].value == fmt.people(within)
    assert "in reach" in tiles["People served"].proto.delta


@pytest.mark.parametrize("name", ["[link](http://evil.example/x)", "![x](http://evil.example/i.png)",
                                  "www.evil.example",
                                  "mail@evil.example", ":red[red] :material/home: :smile:", "**bold** _it_ `code`",
                                  "<b>x</b> & $x^2$", "a\nb", "Kīhei, Española (Utqiaġvik)"])
def test_names_in_messages_read_as_their_characters(name):
    """Issues 21.19 and 22.13: one function puts untrusted text into Markdown; what it shows is the name itself."""
    from ui import fmt

    text = fmt.text(name)
    assert plain(text) == " ".join(name.splitlines())
    assert not re.search(r"(?<!\\)[\[\]()<>*_`$!#|~]", text.replace("&#58;", ""))  # markup characters escaped
    assert ":" not in text and "http:" not in text and "www." not in text  # no directive, no link starts
    assert all(text[i - 1] == fmt.WORD_JOINER for i, c in enumerate(text) if c == "@")  # no address either
    assert fmt.say("Renamed to {name}.", name=name) == f"Renamed to {text}."


def test_a_removed_hubs_id_is_never_given_again_by_the_hub_table(app):
    """Issue 23: the page made its own ids from the rows it saw, so a hub added after a removal took the removed
    hub's id (h2 named two hubs in one undo history); ids come from the workspace, which never reuses one."""
    ws = workspace(app)
    ws.add_hub(site_id=HAYS)
    ws.add_hub(site_id=DODGE)
    ws.remove_hub("h2")
    run(app)
    edit_table(app, added_rows=[{"place": site_option(app, "Garden City, KS"), "type": "new",
                                 "open_quarter": "2025Q2"}])
    assert [hub.id for hub in workspace(app).scenario.hubs] == ["h1", "h3"]


EDGE_QUARTERS = {
    "schema": "rural-coverage/scenario@1", "name": "Far horizon",
    "hubs": [{"id": "h1", "site_id": HAYS, "type": "new", "open_quarter": "2023Q2"}],
    "budget": {"horizon_end": "2031Q4", "target_quarter": "2023Q4"},
    "optimizer": {"open_quarter": "2023Q3"},
}
NEAR_HORIZON = {
    "schema": "rural-coverage/scenario@1", "name": "Near horizon",
    "hubs": [{"id": "h1", "site_id": HAYS, "open_quarter": "2024Q2"}],
    "budget": {"horizon_end": "2025Q2", "target_quarter": "2025Q1"},
    "optimizer": {"open_quarter": "2025Q1"},
}


@pytest.mark.parametrize("document", [EDGE_QUARTERS, NEAR_HORIZON], ids=["far", "near"])
def test_every_page_takes_the_quarters_the_validator_accepts(app, document):
    """Issue 23: the pages' quarter lists were hard-coded (2024Q1 on, 2025Q1-2030Q4 for the horizon), narrower than
    the validator, so ``.index()`` raised on a scenario file it accepts; the lists now come from coverage/quarters.py
    and always hold the plan's own quarters."""
    from coverage.scenario import parse_scenario

    workspace(app).load(parse_scenario(document))
    for page in ("app_pages/map_hubs.py", "app_pages/budget.py", "app_pages/optimiser.py", "app_pages/sweeps.py",
                 "app_pages/coverage_tables.py"):
        app.switch_page(page)
        run(app)
        assert not app.exception, (page, app.exception)


def test_every_cost_assumption_is_editable_the_peak_factor_too(app):
    """Issue 23: the README says every cost assumption is editable, but costs.peak_factor had no widget; the form is
    made from the settings registry, so every cost and budget setting has one."""
    from coverage import settings

    open_budget(app)
    labels = {n.label for n in app.number_input}
    assert {settings.setting(key).title for key in settings.SETTINGS
            if key.startswith("costs.")} <= labels
    next(n for n in app.number_input if n.label == settings.setting("costs.peak_factor").title).set_value(1.5)
    next(b for b in app.button if b.label == "Apply assumptions").click()
    run(app)
    assert workspace(app).scenario.costs.peak_factor == 1.5
