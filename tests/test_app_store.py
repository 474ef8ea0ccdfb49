"""The app with the scenario store (AppTest): save, open, versions, drafts across reloads, links, compare."""

from __future__ import annotations

import time

import numpy as np

import pytest
from streamlit.testing.v1 import AppTest

from coverage.links import encode
from coverage.scenario import load_scenario
from coverage.store import ScenarioStore

from .conftest import ROOT
from .test_app import DODGE, HAYS, said, add_by_search, figures, run, workspace

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
    add(first, "Dodge City, KS")
    go(first, "scenarios")
    first.button(key="save").click()
    run(first)
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
    saved = kept.save(scenario.to_dict(), figures=evaluation.key_figures(), data=data_ref(evaluation.engine.communities))
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
    add(app, "Dodge City, KS")
    go(app, "scenarios")
    app.button(key="save").click()
    run(app)
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
    assert any(message in e.value and "unchanged" in e.value for e in said(app.error)), [e.value for e in said(app.error)]
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
    add(first, "Dodge City, KS")
    go(first, "scenarios")
    first.button(key="save").click()
    run(first)
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
    add(app, "Dodge City, KS")
    go(app, "scenarios")
    app.button(key="save").click()
    run(app)
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
    assert workspace(app).scenario.travel.mode == "drive"
    app.file_uploader(key="upload-matrix").set_value(("dodge.csv", dodge_matrix_csv(), "text/csv"))
    run(app)
    travel = workspace(app).scenario.travel
    assert travel.mode == "matrix" and travel.matrix == workspace(app).matrix.fingerprint
    assert figures(app)["Same-day communities"] == circuity["Same-day communities"]
    assert "Travel matrix dodge\\.csv" in " ".join(c.value for c in app.sidebar.caption)  # escaped markdown
    go(app, "map_hubs")
    spec = app.get("deck_gl_json_chart")[0].proto.json
    assert '"outlines"' in spec and '"rings"' not in spec
    reloaded = new_session(browser="browser-matrix")  # the matrix was kept in the store with the draft
    assert workspace(reloaded).scenario.travel.mode == "matrix" and workspace(reloaded).matrix is not None
    assert figures(reloaded)["Same-day communities"] == circuity["Same-day communities"]
    app.sidebar.button[0].click()  # undo: back to the drive-time model
    run(app)
    assert workspace(app).scenario.travel.mode == "drive"
