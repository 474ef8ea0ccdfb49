"""The app with the scenario store (AppTest): save, open, versions, drafts across reloads, links, compare."""

from __future__ import annotations

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from coverage.links import encode
from coverage.scenario import load_scenario
from coverage.store import ScenarioStore

from .conftest import ROOT
from .test_app import DODGE, HAYS, add_by_search, figures, run, said, workspace

PILOT = ROOT / "examples" / "plains_pilot.json"


def new_session(browser: str | None = None, query: dict | None = None) -> AppTest:
    """A browser tab: a new session (with this browser's key, as the key component reports it)."""
    test = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if query:
        test.query_params.update(query)
    test.run()
    assert not test.exception, [e.value for e in test.exception]
    if browser:
        test.session_state["browser"] = {"key": browser}
        run(test)
    return test


def go(app: AppTest, page: str) -> None:
    app.switch_page(f"app_pages/{page}.py")
    run(app)


def add(app: AppTest, town: str) -> None:
    """Add a hub by name on the Map & hubs page."""
    go(app, "map_hubs")
    add_by_search(app, town)


def save_with_a_hub(app: AppTest) -> None:
    """Add a hub at Dodge City and save the plan from the Scenarios page."""
    add(app, "Dodge City, KS")
    go(app, "scenarios")
    app.button(key="save").click()
    run(app)


def pick(app: AppTest, table: str, row: int = 0) -> None:
    """Select a row of one of the Scenarios page's lists (keyed afresh after every delete, restore or rename)."""
    generation = app.session_state["scenario-lists"] if "scenario-lists" in app.session_state else 0
    app.session_state[f"{table}-{generation}"] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    run(app)


def sidebar_text(app: AppTest) -> str:
    return " ".join(m.value for m in app.sidebar.markdown)


def store(isolated_store) -> ScenarioStore:
    return ScenarioStore(isolated_store)


def test_save_then_change_then_save_again_makes_versions(isolated_store):
    app = new_session()
    add(app, "Dodge City, KS")
    go(app, "scenarios")
    app.text_input(key=f"scenario-name-{workspace(app).revision}").input("Kansas pilot")
    run(app)
    assert "Kansas pilot" in sidebar_text(app) and "unsaved changes" in sidebar_text(app)
    app.button(key="save").click()
    run(app)
    (saved,) = store(isolated_store).list()
    assert (saved.name, saved.latest_version, saved.figures["hubs"]) == ("Kansas pilot", 1, 1)
    assert "saved" in sidebar_text(app) and "version 1" in sidebar_text(app)
    assert saved.figures["population"] == workspace(app).coverage.totals()["population"]
    add(app, "Hays, KS")
    assert "unsaved changes since version 1" in sidebar_text(app)
    go(app, "scenarios")
    app.button(key="save").click()
    run(app)
    versions = store(isolated_store).history(saved.id)
    assert [v.figures["hubs"] for v in versions] == [1, 2]
    assert [h["site_id"] for h in store(isolated_store).get(saved.id).document["hubs"]] == [DODGE, HAYS]


def test_two_tabs_saving_the_same_plan_are_both_kept_and_the_later_is_told(isolated_store):
    first = new_session()
    save_with_a_hub(first)
    scenario_id = store(isolated_store).list()[0].id
    second = new_session()
    go(second, "scenarios")
    pick(second, "scenario-list")
    second.button(key="open-latest").click()
    run(second)
    assert workspace(second).origin == scenario_id
    for app, town in ((first, "Hays, KS"), (second, "Garden City, KS")):
        add(app, town)
        go(app, "scenarios")
        app.button(key="save").click()
        run(app)
    assert "another save came in between; yours is version 3" in " ".join(w.value for w in said(second.warning))
    assert [v.version for v in store(isolated_store).history(scenario_id)] == [1, 2, 3]


def test_open_a_saved_version_is_one_undo_step(isolated_store):
    kept = store(isolated_store)
    scenario = load_scenario(PILOT)
    from coverage.evaluation import evaluate
    from coverage.store.data import data_ref

    evaluation = evaluate(scenario)
    saved = kept.save(scenario.to_dict(), figures=evaluation.key_figures(),
                      data=data_ref(evaluation.engine.communities))
    app = new_session()
    add(app, "Hays, KS")
    go(app, "scenarios")
    pick(app, "scenario-list")
    app.button(key="open-latest").click()
    run(app)
    assert workspace(app).scenario == scenario and workspace(app).origin == saved.id
    assert figures(app)["Same-day communities"] == f"{evaluation.coverage.totals()['communities']['same_day']:,}"
    app.sidebar.button[0].click()  # undo
    run(app)
    assert [h.site_id for h in workspace(app).scenario.hubs] == [HAYS]


def test_rename_delete_and_restore_from_the_page(isolated_store):
    app = new_session()
    save_with_a_hub(app)
    pick(app, "scenario-list")
    app.button(key="delete-scenario").click()
    run(app)
    assert store(isolated_store).list() == [] and len(store(isolated_store).list(deleted=True)) == 1
    pick(app, "bin-list")
    app.button(key="restore-scenario").click()
    run(app)
    assert len(store(isolated_store).list()) == 1


def test_a_reload_restores_the_unsaved_plan_and_says_so(isolated_store):
    tab = new_session(browser="browser-one-key")
    add(tab, "Dodge City, KS")
    add(tab, "Hays, KS")
    draft = store(isolated_store).get_draft("browser-one-key")
    assert [h["site_id"] for h in draft.document["hubs"]] == [DODGE, HAYS]
    reloaded = new_session(browser="browser-one-key")
    assert [h.site_id for h in workspace(reloaded).scenario.hubs] == [DODGE, HAYS]
    assert any("Restored your unsaved plan" in t.value for t in said(reloaded.success))
    other_browser = new_session(browser="browser-two-key")
    assert workspace(other_browser).scenario.hubs == ()


def test_a_reload_keeps_an_uploaded_data_set(isolated_store):
    tab = new_session(browser="browser-upload")
    go(tab, "data")
    towns = "id,name,lat,lon,population\n" + "\n".join(
        f"t{i},Town {i},{38 + 0.2 * i:.2f},-99.5,{3000 + 10 * i}" for i in range(30)) + "\n"
    tab.file_uploader(key="upload-communities").set_value(("towns.csv", towns.encode(), "text/csv"))
    run(tab)
    assert len(workspace(tab).communities) == 30
    reloaded = new_session(browser="browser-upload")
    assert len(workspace(reloaded).communities) == 30


def test_a_share_link_opens_as_an_unsaved_copy(isolated_store):
    scenario = load_scenario(PILOT)
    app = new_session(browser="browser-link", query={"scenario": encode(scenario)})
    assert workspace(app).scenario == scenario and workspace(app).origin is None
    assert workspace(app).unsaved and dict(app.query_params) == {}
    assert store(isolated_store).list() == []


@pytest.mark.parametrize("value, message", [
    ("abc", "damaged or cut off"),
    ("%%%", "not base64url"),
    ("A" * 500_000, "a share link holds at most 400,000"),
    (encode(load_scenario(PILOT))[:-40], "damaged or cut off"),
    (encode(load_scenario(PILOT)).replace("A", "B", 3), "does not unpack"),
])
def test_a_bad_share_link_gives_a_message_and_changes_nothing(isolated_store, value, message):
    app = new_session(query={"scenario": value})
    assert any(message in e.value and "unchanged" in e.value for e in said(app.error)), said(app.error)
    assert workspace(app).scenario.hubs == ()


def test_a_link_too_long_for_streamlit_is_named_not_silently_dropped(isolated_store):
    """Streamlit drops a query over 512 Ki characters; the browser reports its length, so the page can say so."""
    app = new_session(query={"scenario": "A" * (10 * 1024 * 1024)})
    assert workspace(app).scenario.hubs == () and not app.error  # Streamlit passed nothing on
    app.session_state["browser"] = {"key": "browser-long-link", "query_length": 10 * 1024 * 1024 + 10}
    run(app)
    assert any("10,485,770 characters long" in e.value and "unchanged" in e.value for e in said(app.error))


def test_a_link_to_a_stored_version_opens_it_for_colleagues(isolated_store):
    first = new_session()
    save_with_a_hub(first)
    scenario_id = store(isolated_store).list()[0].id
    colleague = new_session(query={"id": scenario_id, "v": "1"})
    assert [h.site_id for h in workspace(colleague).scenario.hubs] == [DODGE]
    assert workspace(colleague).origin is None  # an unsaved copy


def test_without_a_store_the_app_works_with_saving_off(tmp_path, monkeypatch):
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"not a database" * 100)
    monkeypatch.setenv("COVERAGE_STORE_URL", f"sqlite:///{corrupt}")
    app = new_session()
    assert any("Saving is off" in w.value for w in said(app.warning))
    add(app, "Dodge City, KS")
    go(app, "scenarios")
    assert app.button(key="save").disabled


def test_compare_page_shows_deltas_against_plan_a(isolated_store):
    app = new_session()
    save_with_a_hub(app)
    add(app, "Hays, KS")
    go(app, "compare")
    table = next(t.value for t in app.dataframe if "Figure" in t.value.columns)
    assert list(table.columns)[:2] == ["Figure", "A: Untitled scenario"]
    hubs = table[table["Figure"] == "Hubs"].iloc[0].tolist()
    assert hubs[1:] == ["2", "1", "-1"]
    assert any("B against A" in m.value for m in app.markdown)
    assert app.get("download_button")


def test_a_version_whose_data_is_gone_says_so_and_never_drops_hubs_silently(isolated_store):
    from coverage.store import DataRef

    kept = store(isolated_store)
    document = load_scenario(PILOT).to_dict()
    document["hubs"].append({"id": "h9", "name": "Hub at an uploaded town", "site_id": "t7", "type": "new",
                             "open_quarter": "2025Q4", "locked": False})
    saved = kept.save(document, figures={"hubs": 4}, data=DataRef("999:30"))
    app = new_session()
    go(app, "scenarios")
    pick(app, "scenario-list")
    app.button(key="open-latest").click()
    run(app)
    assert any("not in the scenario store" in e.value for e in said(app.error))
    assert workspace(app).scenario.hubs == ()
    app.button(key="open-on-current").click()
    run(app)
    assert any("1 of its hubs sit on sites the data lacks" in e.value for e in said(app.error))
    missing = next(t.value for t in app.dataframe if "site" in t.value.columns)
    assert missing["hub"].tolist() == ["h9"] and missing["site"].tolist() == ["t7"]
    assert workspace(app).scenario.hubs == ()
    app.button(key="open-dropping").click()
    run(app)
    assert [h.id for h in workspace(app).scenario.hubs] == ["h1", "h2", "h3"]
    assert workspace(app).origin == saved.id and workspace(app).unsaved  # three of its four hubs: not the version


def dodge_matrix_csv() -> bytes:
    """The circuity model's minutes from Dodge City and Hays to everything they reach next-day, as a matrix."""
    from coverage.evaluation import evaluate as run
    from coverage.scenario import Scenario

    scenario = Scenario()
    engine = run(scenario).engine
    rows = []
    for site_id in (DODGE, HAYS):
        communities, keys = engine._row(engine.site_index[site_id])
        keep = keys <= engine.layout.tier_limits(scenario.travel)[1]
        for community, key in zip(communities[keep], keys[keep]):
            rows.append(f"{site_id},{engine.communities['community_id'].iloc[community]},"
                        f"{float(scenario.travel.drive_minutes(engine.layout.miles(np.array([key])))[0])!r}")
    return ("site_id,community_id,minutes\n" + "\n".join(rows) + "\n").encode()


def test_a_travel_matrix_uploaded_on_the_data_page_drives_the_plan(isolated_store):
    app = new_session(browser="browser-matrix")
    add(app, "Dodge City, KS")
    circuity = dict(figures(app))
    go(app, "data")
    app.file_uploader(key="upload-matrix").set_value(("bad.csv", b"site_id,community_id,minutes\nx,y,-1\n", "text/csv"))
    run(app)
    assert any("bad.csv was not used" in e.value for e in said(app.error))
    assert "-1 is negative: minutes of driving cannot be negative" in app.code[0].value  # issue 21.21: not cut off
    assert workspace(app).scenario.travel.mode == "drive"
    app.file_uploader(key="upload-matrix").set_value(("dodge.csv", dodge_matrix_csv(), "text/csv"))
    run(app)
    travel = workspace(app).scenario.travel
    assert travel.mode == "matrix" and travel.matrix == workspace(app).matrix.fingerprint
    assert figures(app)["Same-day communities"] == circuity["Same-day communities"]
    assert "Travel matrix dodge\\.csv" in " ".join(c.value for c in app.sidebar.caption)  # escaped markdown
    go(app, "map_hubs")
    spec = app.get("deck_gl_json_chart")[0].proto.json
    assert '"reach"' in spec and '"LineLayer"' in spec and '"rings"' not in spec  # lines enclose nothing
    reloaded = new_session(browser="browser-matrix")  # the matrix was kept in the store with the draft
    assert workspace(reloaded).scenario.travel.mode == "matrix" and workspace(reloaded).matrix is not None
    assert figures(reloaded)["Same-day communities"] == circuity["Same-day communities"]
    app.sidebar.button[0].click()  # undo: back to the drive-time model
    run(app)
    assert workspace(app).scenario.travel.mode == "drive"


# -- issue 21: the Scenarios page ----------------------------------------------------------------------------
def saved_versions(url: str, name: str, count: int, hubs: str = DODGE) -> str:
    """A scenario saved ``count`` times (versions 1..count); its id."""
    from coverage.evaluation import evaluate
    from coverage.scenario import Hub, Scenario
    from coverage.store.data import data_ref

    kept = ScenarioStore(url)
    scenario_id = None
    for number in range(1, count + 1):
        scenario = Scenario(name=name, hubs=(Hub(id="h1", name=f"Hub {number}", site_id=hubs),))
        evaluation = evaluate(scenario)
        scenario_id = kept.save(scenario.to_dict(), figures=evaluation.key_figures(),
                                data=data_ref(evaluation.engine.communities), scenario_id=scenario_id,
                                based_on=number - 1 if scenario_id else None).id
    return scenario_id


def row_of(app: AppTest, scenario_id: str) -> int:
    table = next(t.value for t in app.dataframe if "id" in t.value.columns and "served" in t.value.columns)
    return table["id"].tolist().index(scenario_id)


def pick_version(app: AppTest, scenario_id: str, row: int) -> None:
    generation = app.session_state["scenario-lists"] if "scenario-lists" in app.session_state else 0
    app.session_state[f"version-list-{scenario_id}-{generation}"] = {
        "selection": {"rows": [row], "columns": [], "cells": []}}
    run(app)


def test_switching_scenarios_or_deleting_with_a_version_ticked_resets_the_selection(isolated_store):
    """Issue 21.4-5: an IndexError (and no sidebar) after ticking version 5 and choosing a 1-version scenario; after
    a delete, row 0 stayed selected (another scenario) with its Delete popover ready."""
    five = saved_versions(isolated_store, "Five versions", 5)
    one = saved_versions(isolated_store, "One version", 1, HAYS)
    app = new_session()
    go(app, "scenarios")
    pick(app, "scenario-list", row_of(app, five))
    pick_version(app, five, 4)
    assert app.button(key="open-version").label == "Open version 1"
    pick(app, "scenario-list", row_of(app, one))
    assert [b.label for b in app.button if b.key == "open-version"] == []  # nothing ticked in the new list
    assert figures(app)["Cost of 0 hubs"]  # the sidebar is there
    pick(app, "scenario-list", row_of(app, five))
    pick_version(app, five, 4)
    app.button(key="delete-scenario").click()
    run(app)
    assert any("Five versions moved to the bin" in t.value for t in said(app.toast))
    assert [b for b in app.button if b.key in ("open-latest", "delete-scenario", "open-version")] == []  # no row chosen
    assert [s.id for s in ScenarioStore(isolated_store).list()] == [one]
    pick(app, "bin-list")
    app.button(key="restore-scenario").click()
    run(app)
    assert [b for b in app.button if b.key in ("restore-scenario", "open-latest")] == []
    assert {s.id for s in ScenarioStore(isolated_store).list()} == {one, five}


def test_renaming_the_open_scenario_renames_the_plan_and_the_next_save_carries_it(isolated_store):
    """Issue 21.6: the next save carried the old name and said another save came in between."""
    scenario_id = saved_versions(isolated_store, "Old name", 1)
    app = new_session()
    go(app, "scenarios")
    pick(app, "scenario-list", row_of(app, scenario_id))
    app.button(key="open-latest").click()
    run(app)
    pick(app, "scenario-list", row_of(app, scenario_id))
    app.text_input(key=f"rename-{scenario_id}").input("New name")
    app.button(key="rename-scenario").click()
    run(app)
    assert workspace(app).scenario.name == "New name" and not workspace(app).unsaved
    assert "New name" in sidebar_text(app) and "version 2" in sidebar_text(app)
    add(app, "Hays, KS")
    go(app, "scenarios")
    assert app.button(key="save").label == "Save version 3"
    app.button(key="save").click()
    run(app)
    assert not app.warning, said(app.warning)
    latest = ScenarioStore(isolated_store).get(scenario_id)
    assert (latest.version, latest.name, latest.document["name"]) == (3, "New name", "New name")


def test_save_after_opening_an_old_version_says_what_it_saves_on_top_of(isolated_store):
    """Issue 21.7: 'Save version 2' after opening v1 of five, then 'another save came in between; yours is 6'."""
    scenario_id = saved_versions(isolated_store, "Five versions", 5)
    app = new_session()
    go(app, "scenarios")
    pick(app, "scenario-list", row_of(app, scenario_id))
    pick_version(app, scenario_id, 4)
    app.button(key="open-version").click()
    run(app)
    assert workspace(app).origin_version == 1
    assert app.button(key="save").label == "Save as version 6"
    assert any("Saving on top of version 5; this plan was opened from version 1." in c.value for c in said(app.caption))
    app.button(key="save").click()
    run(app)
    assert not app.warning, said(app.warning)
    assert any("saved as version 6, on top of version 5 (this plan was opened from version 1)" in t.value
               for t in said(app.toast)), said(app.toast)
    assert app.button(key="save").label == "Save version 7"


def test_your_name_is_kept_on_every_page_and_in_the_browser(isolated_store):
    """Issue 21.8: the name emptied when leaving Scenarios, so later saves were recorded as 'local'."""
    app = new_session(browser="browser-name")
    go(app, "scenarios")
    app.text_input(key="author-input").input("Ada Lovelace")
    run(app)
    add(app, "Dodge City, KS")  # another page
    go(app, "scenarios")
    assert app.text_input(key="author-input").value == "Ada Lovelace"
    app.button(key="save").click()
    run(app)
    (saved,) = ScenarioStore(isolated_store).list()
    assert saved.updated_by == "Ada Lovelace"
    component = app.get("bidi_component") or []
    assert any('"author": "Ada Lovelace"' in str(c.proto) or "Ada Lovelace" in str(c.proto) for c in component), \
        "the name is handed to the browser to keep"
    later = new_session()  # the browser says the name it kept
    later.session_state["browser"] = {"key": "browser-name", "author": "Ada Lovelace"}
    run(later)
    go(later, "scenarios")
    assert later.text_input(key="author-input").value == "Ada Lovelace"


def test_the_store_is_announced_as_created_only_by_the_session_that_created_it(isolated_store):
    """Issue 21.9: every new session toasted 'created a new scenario store' even when it held plans."""
    first = new_session()
    assert any("created a new scenario store" in t.value for t in said(first.toast))
    save_with_a_hub(first)
    second = new_session()
    assert not any("scenario store" in t.value for t in said(second.toast)), said(second.toast)


# -- issue 21: drafts, links and messages ----------------------------------------------------------------------
def tab(browser: str, name: str, tabs: list[str], query: dict | None = None) -> AppTest:
    """A tab of a browser, as the key component reports it (its own key, and every tab the browser knows)."""
    test = new_session(query=query)
    test.session_state["browser"] = {"key": browser, "tab": name, "tabs": tabs}
    run(test)
    return test


def test_two_tabs_keep_their_own_drafts_and_a_reload_offers_the_other(isolated_store):
    """Issue 21.10: tab 1's hub was gone after tab 2 added another and tab 1 reloaded."""
    first = tab("browser-tabs", "tab-one", ["tab-one"])
    add(first, "Dodge City, KS")
    second = tab("browser-tabs", "tab-two", ["tab-one", "tab-two"])  # a new tab starts from the newest plan
    assert [h.site_id for h in workspace(second).scenario.hubs] == [DODGE]
    add(second, "Hays, KS")
    add(first, "Garden City, KS")
    reloaded = tab("browser-tabs", "tab-one", ["tab-one", "tab-two"])  # tab 1, reloaded
    sites = [h.site_id for h in workspace(reloaded).scenario.hubs]
    assert sites[0] == DODGE and HAYS not in sites and len(sites) == 2  # its own plan, not tab 2's
    offer = [i for i in said(reloaded.info) if "Another tab of this browser" in i.value]
    assert offer and "2 hubs" in offer[0].value
    reloaded.button(key="other-tab-open").click()
    run(reloaded)
    assert [h.site_id for h in workspace(reloaded).scenario.hubs] == [DODGE, HAYS]  # tab 2's, one undo step
    reloaded.sidebar.button[0].click()
    run(reloaded)
    assert [h.site_id for h in workspace(reloaded).scenario.hubs] == sites
    again = tab("browser-tabs", "tab-two", ["tab-one", "tab-two"])  # tab 2 kept its own all along
    assert [h.site_id for h in workspace(again).scenario.hubs] == [DODGE, HAYS]


def test_a_link_whose_hubs_the_data_lacks_says_which_and_opens_without_them(isolated_store):
    """Issue 21.23: it opened as an empty 'Untitled scenario' with no message."""
    from coverage.scenario import Hub

    scenario = load_scenario(PILOT)
    scenario = scenario.replace(hubs=scenario.hubs + (Hub(id="h9", name="Hub at an uploaded town", site_id="t7"),))
    app = new_session(browser="browser-missing", query={"scenario": encode(scenario)})
    assert any("could not be opened as it is" in e.value and "h9 (Hub at an uploaded town)" in e.value
               for e in said(app.error)), said(app.error)
    missing = next(t.value for t in app.dataframe if "site" in t.value.columns)
    assert missing["hub"].tolist() == ["h9"] and missing["site"].tolist() == ["t7"]
    assert workspace(app).scenario.hubs == () and dict(app.query_params) == {}
    app.button(key="link-dropping").click()
    run(app)
    assert [h.id for h in workspace(app).scenario.hubs] == ["h1", "h2", "h3"]
    assert workspace(app).scenario.name == scenario.name
    assert any("without the 1 hub(s)" in s.value for s in said(app.success))


def test_what_a_link_did_stays_until_the_planner_acts(isolated_store):
    """Issue 21.24: 'Opened the shared plan' was gone as soon as the figures arrived."""
    app = new_session(query={"scenario": encode(load_scenario(PILOT))})
    for _ in range(3):  # the browser answers, the page reruns: the message stays
        assert any("Opened the shared plan “Plains pilot”" in s.value for s in said(app.success))
        app.session_state["browser"] = {"key": "browser-stay", "tab": "t-one", "tabs": ["t-one"]}
        run(app)
    go(app, "coverage_tables")
    assert any("Opened the shared plan" in s.value for s in said(app.success))
    add(app, "Hays, KS")  # the planner acts
    assert not any("Opened the shared plan" in s.value for s in said(app.success))


# -- issue 22: hostile input in the address bar and in uploads -------------------------------------------------
def deflated(text: str) -> str:
    import base64
    import zlib

    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return base64.urlsafe_b64encode(packer.compress(text.encode()) + packer.flush()).decode().rstrip("=")


@pytest.mark.parametrize("document", ["[" * 100_000, '{"schema": "rural-coverage/scenario@1", "hubs": [], '
                                                       '"budget": {"total_usd": ' + "9" * 5000 + "}}"])
def test_a_hostile_link_gives_a_message_and_is_cleared(isolated_store, document):
    """Issue 22.1: a short link holding deeply nested JSON showed a traceback with server paths, and again on reload."""
    value = deflated(document)
    assert len(value) < 600
    app = new_session(query={"scenario": value})
    errors = said(app.error)
    assert any("share link" in e.value for e in errors), errors
    assert not any("/" + "work" in e.value or ".py" in e.value or "Traceback" in e.value for e in errors)
    assert dict(app.query_params) == {} and workspace(app).scenario.hubs == ()


@pytest.mark.parametrize("uploader, name, content", [
    ("upload-scenario", "deep.json", b"[" * 100_000),
    ("upload-communities", "deep.geojson", b'{"type": "FeatureCollection", "features": ' + b"[" * 100_000),
    ("upload-scenario", "huge.json", b'{"schema": "rural-coverage/scenario@1", "budget": {"total_usd": '
     + b"9" * 5000 + b"}}"),
])
def test_a_hostile_upload_gives_a_message_and_changes_nothing(isolated_store, uploader, name, content):
    """Issue 22.1: Data-page uploads of such files showed tracebacks."""
    app = new_session()
    go(app, "data")
    app.file_uploader(key=uploader).set_value((name, content, "application/json"))
    run(app)
    assert any(name in e.value and ("was not loaded" in e.value or "was not used" in e.value)
               for e in said(app.error)), said(app.error)
    assert len(workspace(app).communities) == 4000 and workspace(app).scenario.hubs == ()


def test_compare_keeps_its_comparison_and_makes_the_workbook_on_request(isolated_store, monkeypatch):
    """Issue 21.18: every click of a report button reran the whole Compare page (4.5-13.8 s)."""
    import coverage.compare

    app = new_session()
    save_with_a_hub(app)
    add(app, "Hays, KS")
    calls = []
    real = coverage.compare.compare
    monkeypatch.setattr(coverage.compare, "compare", lambda plans: calls.append(1) or real(plans))
    go(app, "compare")
    assert len(calls) == 1
    table = next(t.value for t in app.dataframe if "Figure" in t.value.columns)
    assert "People served within capacity (same-day or next-day)" in table["Figure"].tolist()
    assert "Weighted people served (the optimiser's objective)" in table["Figure"].tolist()
    app.sidebar.selectbox(key="report-format").select(".xlsx")
    app.sidebar.button(key="report-make").click()
    run(app)
    assert len(calls) == 1  # the report control did not redo the comparison
    buttons = {b.proto.label: b for b in app.get("download_button")}
    assert {"Download the comparison (.xlsx)", "Download the comparison (.pdf)"} <= set(buttons)
    for label in ("Download the comparison (.xlsx)", "Download the comparison (.pdf)"):
        assert buttons[label].proto.deferred_file_id and buttons[label].proto.ignore_rerun  # made when clicked


def test_matrix_mode_draws_what_each_hub_reaches_and_bins_the_matrix_minutes(isolated_store):
    """Issue 21.20: hull outlines took in communities a hub does not reach; the histogram binned great-circle miles
    at radius thresholds, coloured by tiers the matrix never produced."""
    from coverage import charts
    from coverage.reach import reach_pairs

    app = new_session(browser="browser-matrix-reach")
    add(app, "Dodge City, KS")
    go(app, "data")
    app.file_uploader(key="upload-matrix").set_value(("dodge.csv", dodge_matrix_csv(), "text/csv"))
    run(app)
    evaluation = workspace(app).evaluation
    pairs = reach_pairs(evaluation)
    tiers = evaluation.coverage.table().set_index("community_id")["tier"]
    ids = evaluation.engine.communities["community_id"].to_numpy()
    assert set(tiers.loc[ids[pairs["community"]]]) <= {"same_day", "next_day"}  # every line ends where it reaches
    assert len(pairs) == (tiers != "none").sum()  # one hub: one line to each community covered, nothing more
    bins, note = charts.drive_time_bins(evaluation.coverage)
    assert note["unit"] == "minutes" and note["thresholds"] == (90, 240)
    totals = evaluation.coverage.totals()["communities"]
    assert bins.loc[bins["tier"] == "same_day", "communities"].sum() == totals["same_day"]
    assert bins.loc[bins["tier"] == "next_day", "communities"].sum() == totals["next_day"]
    go(app, "coverage_tables")
    chart = json.loads(next(c for c in app.get("plotly_chart") if "to the nearest hub" in c.proto.spec).proto.spec)
    assert chart["layout"]["xaxis"]["title"]["text"] == "minutes to the nearest hub"


def test_the_scenarios_list_shows_people_served_beside_covered(isolated_store):
    """Issue 21.1: the Scenarios list showed only people covered."""
    app = new_session()
    save_with_a_hub(app)
    served = workspace(app).evaluation.served().totals()["population"]
    table = next(t.value for t in app.dataframe if "served" in t.value.columns and "id" in t.value.columns)
    assert table["served"].tolist() == [served["same_day"] + served["next_day"]]
    assert table["same-day people"].tolist() == [workspace(app).coverage.totals()["population"]["same_day"]]


def test_the_difference_map_is_fitted_to_what_changed(isolated_store):
    """Issue 21.18: the map fitted Alaska and Hawaii; the changed communities were invisible."""
    from ui.mapview import view_for

    app = new_session()
    save_with_a_hub(app)
    add(app, "Hays, KS")
    go(app, "compare")
    spec = json.loads(next(c for c in app.get("deck_gl_json_chart") if '"changed"' in c.proto.json).proto.json)
    view = spec["initialViewState"]
    national = view_for(workspace(app).communities["lat"], workspace(app).communities["lon"], 560, 480)
    assert view["zoom"] > national.zoom + 1.5  # around Kansas, not the country
    assert 36 < view["latitude"] < 41 and -102 < view["longitude"] < -97


def test_an_unexpected_failure_is_logged_on_the_server_and_said_in_a_sentence(isolated_store, monkeypatch, caplog):
    """Issue 22.12: with error details turned off, the page must still say what happened, and the server log why."""
    import logging

    import coverage.links

    def broken(value, source="share link"):
        raise RuntimeError("boom in /srv/secret/place.py")

    monkeypatch.setattr(coverage.links, "decode", broken)
    with caplog.at_level(logging.ERROR, logger="coverage.app"):
        app = new_session(query={"scenario": encode(load_scenario(PILOT))})
    errors = said(app.error)
    assert any("Opening this share link failed on the server (an unexpected RuntimeError)" in e.value for e in errors)
    assert not any("boom" in e.value or "/srv" in e.value for e in errors)
    (record,) = [r for r in caplog.records if r.name == "coverage.app"]
    assert record.exc_info and "boom in /srv/secret/place.py" in str(record.exc_info[1])
    assert dict(app.query_params) == {}
