"""The command line as a user runs it: exit codes, JSON, output files, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest

from coverage import cli

from .conftest import ROOT

EXAMPLE = str(ROOT / "examples" / "plains_pilot.json")
TABLE_COLUMNS = ["community_id", "name", "state", "county", "lat", "lon", "population", "tier", "drive_minutes",
                 "distance_miles", "nearest_hub_id"]


def run(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "coverage", *args], cwd=cwd, capture_output=True, text=True,
                            timeout=300)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_help_shows_every_command():
    result = run("--help")
    assert result.returncode == 0
    for command in ("evaluate", "optimize", "compare", "link", "scenarios", "validate", "build-data"):
        assert command in result.stdout


def test_evaluate_json_has_the_contract_keys_and_the_hand_computed_cost():
    result = run("evaluate", EXAMPLE, "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    for key in ("communities", "population"):
        assert set(summary[key]) == {"same_day", "next_day", "none"}
    assert sum(summary["communities"].values()) == 4000
    assert [hub["hub_id"] for hub in summary["hubs"]] == ["h1", "h2", "h3"]
    # conversion 2025Q2: 8M + 3M x 7/4; conversion 2025Q3: 8M + 3M x 6/4; new 2026Q1: 20M + 5M x 4/4
    assert summary["cost_usd"] == 13_250_000 + 12_500_000 + 25_000_000
    assert summary["settings"]["thresholds"] == {"same_day_minutes": 90, "next_day_minutes": 240}
    assert summary["settings"]["travel"]["circuity"] == 1.2


def test_evaluate_prints_a_readable_summary():
    result = run("evaluate", EXAMPLE)
    assert result.returncode == 0
    assert "Plains pilot: 3 hubs, cost $50.8M" in result.stdout and "same_day" in result.stdout


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".geojson", ".gpkg"])
def test_evaluate_writes_the_table_in_every_format(tmp_path, suffix):
    out = tmp_path / f"coverage{suffix}"
    result = run("evaluate", EXAMPLE, "--out", str(out), "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    if suffix == ".csv":
        table = pd.read_csv(out, dtype={"community_id": str})
    elif suffix == ".xlsx":
        book = openpyxl.load_workbook(out)
        assert book.sheetnames == ["Summary", "Communities", "Hubs"]
        table = pd.read_excel(out, sheet_name="Communities", dtype={"community_id": str})
    else:
        table = gpd.read_file(out, layer="communities" if suffix == ".gpkg" else None)
        assert table.crs.to_epsg() == 4326 and (table.geometry.geom_type == "Point").all()
    assert list(table.columns[: len(TABLE_COLUMNS)]) == TABLE_COLUMNS
    assert len(table) == 4000
    counts = table.tier.value_counts().to_dict()
    assert counts == {tier: n for tier, n in summary["communities"].items() if n}
    if suffix == ".gpkg":
        hubs = gpd.read_file(out, layer="hubs")
        assert hubs.hub_id.tolist() == ["h1", "h2", "h3"]


def test_exported_spreadsheet_cells_never_start_a_formula(tmp_path):
    (tmp_path / "towns.csv").write_text('id,name,lat,lon,population\n1,"=HYPERLINK(""http://x"",""y"")",38.9,-99.3,500\n'
                                        "2,@SUM(A1),37.7,-100.0,600\n")
    scenario = tmp_path / "s.json"
    scenario.write_text(json.dumps({"schema": "rural-coverage/scenario@1",
                                    "hubs": [{"site_id": "1", "name": "+cmd|' /C calc'!A0"}]}))
    for suffix in (".csv", ".xlsx"):
        out = tmp_path / f"t{suffix}"
        assert run("evaluate", str(scenario), "--communities", str(tmp_path / "towns.csv"),
                   "--out", str(out)).returncode == 0
        if suffix == ".xlsx":
            book = openpyxl.load_workbook(out)
            cells = [c for sheet in book for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
            assert all(c.data_type == "s" for c in cells)
            values = [c.value for c in cells]
        else:
            values = out.read_text(encoding="utf-8-sig").replace("\n", ",").split(",")
        assert not [v for v in values if v.strip('"').startswith(("=", "+", "@"))], values
        assert any("'=HYPERLINK" in v for v in values)


def test_validate_reports_every_problem_with_file_row_column(tmp_path):
    (tmp_path / "bad.csv").write_text("id,name,lat,lon,population\n1,A,40,-100,100\n1,B,95,-100,x\n")
    result = run("validate", str(tmp_path / "bad.csv"))
    assert result.returncode == 2
    assert "bad.csv:3:lat: 95 is outside" in result.stderr
    assert "bad.csv:3:community_id: '1' repeats the id of row 2" in result.stderr
    document = json.loads(run("validate", str(tmp_path / "bad.csv"), "--json").stdout)
    assert document["ok"] is False
    expected = {"row": 3, "column": "population", "message": "'x' is not a number"}
    assert expected.items() <= document["errors"][-1].items()


def test_validate_accepts_good_files():
    assert run("validate", str(ROOT / "data" / "communities.csv")).returncode == 0
    result = run("validate", EXAMPLE, "--json")
    assert result.returncode == 0 and json.loads(result.stdout) | {"errors": []} == json.loads(result.stdout)
    assert json.loads(result.stdout)["kind"] == "scenario"


@pytest.mark.parametrize("args, message", [
    (["evaluate", "missing.json"], "missing.json: file not found"),
    (["evaluate", EXAMPLE, "--out", "table.pdf"], "unsupported output type"),
    (["evaluate", EXAMPLE, "--communities", "nowhere.csv"], "nowhere.csv: file not found"),
    (["evaluate"], "the following arguments are required"),
    (["evaluate", EXAMPLE, "--colour"], "unrecognized arguments: --colour"),
    (["validate", EXAMPLE, "--kind", "towns"], "invalid choice"),
    ([], "usage"),
])
def test_bad_arguments_exit_2_with_a_message(args, message):
    result = run(*args)
    assert result.returncode == 2
    assert message in result.stderr + result.stdout


def test_a_hub_on_an_unknown_site_is_named(tmp_path):
    scenario = tmp_path / "s.json"
    scenario.write_text(json.dumps({"schema": "rural-coverage/scenario@1",
                                    "hubs": [{"site_id": "5445298"}, {"site_id": "nope"}]}))
    result = run("evaluate", str(scenario))
    assert result.returncode == 2
    assert "s.json:hubs[1].site_id: 'nope' is not a candidate site" in result.stderr


def test_an_internal_error_exits_1_without_a_traceback(monkeypatch, capsys):
    def broken(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("coverage.evaluation.evaluate", broken)
    assert cli.main(["evaluate", EXAMPLE]) == 1
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: disk on fire" in err and "Traceback" not in err


SMALL_TOWNS = "id,name,lat,lon,population\n" + "\n".join(
    f"t{i},Town {i},{38 + 0.4 * i:.2f},{-99 + 0.25 * (i % 4):.2f},{5000 + 700 * i}" for i in range(15)) + "\n"


def test_optimize_json_and_out_file(tmp_path):
    (tmp_path / "towns.csv").write_text(SMALL_TOWNS)
    out = tmp_path / "plan.json"
    result = run("optimize", "--communities", str(tmp_path / "towns.csv"), "--budget", "30000000",
                 "--time-limit", "20", "--out", str(out), "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert {"status", "objective", "bound", "gap", "seconds", "added"} <= set(document)
    assert document["status"] == "optimal" and document["gap"] <= 1e-4
    assert 1 <= len(document["added"]) <= 2  # $11.75M a hub
    from coverage.scenario import load_scenario

    plan = load_scenario(out)
    assert [h.site_id for h in plan.hubs] == [h["site_id"] for h in document["added"]]
    evaluated = json.loads(run("evaluate", str(out), "--communities", str(tmp_path / "towns.csv"), "--json").stdout)
    pop = evaluated["population"]
    assert pop["same_day"] + 0.5 * pop["next_day"] == pytest.approx(document["objective"])


def test_optimize_keeps_the_scenarios_locked_hubs(tmp_path):
    (tmp_path / "towns.csv").write_text(SMALL_TOWNS)
    scenario = tmp_path / "s.json"
    scenario.write_text(json.dumps({"schema": "rural-coverage/scenario@1", "hubs": [
        {"id": "h1", "site_id": "t14", "locked": True}]}))
    document = json.loads(run("optimize", str(scenario), "--communities", str(tmp_path / "towns.csv"),
                              "--budget", "40000000", "--json").stdout)
    assert document["status"] == "optimal"
    assert all(h["site_id"] != "t14" for h in document["added"])


@pytest.mark.parametrize("args, message", [
    (["optimize", "--budget", "-5"], "--budget: -5.0 must be at least 0 (from 0 to 1,000,000,000,000 USD)"),
    (["optimize", "--time-limit", "0"], "--time-limit: 0.0 must be more than 0 (above 0 to 86,400 seconds)"),
    (["optimize", "--budget", "lots"], "invalid float value"),
])
def test_optimize_bad_settings_exit_2(args, message):
    result = run(*args)
    assert result.returncode == 2 and message in result.stderr


# -- the scenario store, compare and links ------------------------------------------------------------------
def test_scenarios_save_list_show_history_delete_restore(tmp_path):
    saved = json.loads(run("scenarios", "save", EXAMPLE, "--json").stdout)
    assert set(saved) >= {"id", "version"} and saved["version"] == 1
    second = json.loads(run("scenarios", "save", EXAMPLE, "--id", saved["id"], "--name", "Pilot, second look",
                            "--author", "dana", "--json").stdout)
    assert (second["id"], second["version"]) == (saved["id"], 2)
    listed = json.loads(run("scenarios", "list", "--json").stdout)
    assert [(s["id"], s["latest_version"], s["name"], s["hubs"]) for s in listed] == [
        (saved["id"], 2, "Pilot, second look", 3)]
    assert {"updated", "cost_usd", "population", "communities"} <= set(listed[0])
    history = json.loads(run("scenarios", "history", saved["id"], "--json").stdout)
    assert [(v["version"], v["author"]) for v in history] == [(1, "local"), (2, "dana")]
    shown = json.loads(run("scenarios", "show", f"{saved['id']}@1").stdout)
    assert shown == json.loads(open(EXAMPLE).read()) | {"costs": shown["costs"], "budget": shown["budget"],
                                                        "optimizer": shown["optimizer"], "travel": shown["travel"]}
    assert json.loads(run("scenarios", "show", saved["id"]).stdout)["name"] == "Pilot, second look"
    assert run("scenarios", "delete", saved["id"]).returncode == 0
    assert json.loads(run("scenarios", "list", "--json").stdout) == []
    assert [s["id"] for s in json.loads(run("scenarios", "list", "--deleted", "--json").stdout)] == [saved["id"]]
    assert run("scenarios", "restore", saved["id"]).returncode == 0
    assert len(json.loads(run("scenarios", "list", "--json").stdout)) == 1


def test_a_stored_scenario_is_read_wherever_a_file_is(tmp_path):
    saved = json.loads(run("scenarios", "save", EXAMPLE, "--json").stdout)
    direct = json.loads(run("evaluate", EXAMPLE, "--json").stdout)
    for reference in (f"store:{saved['id']}", f"store:{saved['id']}@1"):
        stored = json.loads(run("evaluate", reference, "--json").stdout)
        assert stored["population"] == direct["population"] and stored["cost_usd"] == direct["cost_usd"]
    result = run("evaluate", f"store:{saved['id']}@4")
    assert result.returncode == 2 and "has no version 4" in result.stderr
    assert run("evaluate", "store:nobody").returncode == 2


def test_a_plan_on_uploaded_data_reopens_on_that_data(tmp_path):
    (tmp_path / "towns.csv").write_text(SMALL_TOWNS)
    scenario = tmp_path / "s.json"
    scenario.write_text(json.dumps({"schema": "rural-coverage/scenario@1", "hubs": [{"site_id": "t3"}]}))
    saved = json.loads(run("scenarios", "save", str(scenario), "--communities", str(tmp_path / "towns.csv"),
                           "--json").stdout)
    (tmp_path / "towns.csv").unlink()  # the store kept its own copy
    stored = json.loads(run("evaluate", f"store:{saved['id']}", "--json").stdout)
    assert sum(stored["communities"].values()) == 15


def test_compare_prints_deltas_and_writes_excel(tmp_path):
    saved = json.loads(run("scenarios", "save", EXAMPLE, "--json").stdout)
    national = str(ROOT / "examples" / "national_rollout.json")
    out = tmp_path / "comparison.xlsx"
    result = run("compare", f"store:{saved['id']}", national, "--out", str(out), "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert {"plans", "deltas", "hubs_added", "hubs_removed", "hubs_changed", "tier_changes"} <= set(document)
    a = json.loads(run("evaluate", EXAMPLE, "--json").stdout)
    b = json.loads(run("evaluate", national, "--json").stdout)
    assert document["deltas"]["population_same_day"] == b["population"]["same_day"] - a["population"]["same_day"]
    assert document["tier_changes"]["none->same_day"] > 0 and document["hubs_changed"] == ["h1", "h2", "h3"]
    book = openpyxl.load_workbook(out)
    assert {"Figures", "By state", "Spend by quarter", "Hubs"} <= set(book.sheetnames)
    text = run("compare", EXAMPLE, national).stdout
    assert "B against A" in text and "none->same_day" in text
    assert run("compare", EXAMPLE).returncode == 2


def test_link_round_trips_through_the_validator():
    from coverage.links import decode
    from coverage.scenario import load_scenario

    link = run("link", EXAMPLE, "--base", "https://planner.example").stdout.strip()
    assert link.startswith("https://planner.example/?scenario=")
    assert decode(link.split("scenario=", 1)[1]) == load_scenario(EXAMPLE)


def test_validate_checks_a_scenario_against_the_data_it_will_run_on(tmp_path):
    (tmp_path / "towns.csv").write_text(SMALL_TOWNS)
    result = run("validate", EXAMPLE, "--communities", str(tmp_path / "towns.csv"))
    assert result.returncode == 2
    assert "plains_pilot.json:hubs[0].site_id: '5445298' is not a candidate site" in result.stderr
    assert run("validate", EXAMPLE).returncode == 0


def test_output_piped_into_head_ends_quietly(tmp_path):
    sites = pd.read_csv(ROOT / "data" / "communities.csv", dtype={"community_id": str})["community_id"][:1000]
    big = tmp_path / "big.json"  # its evaluate --json is far more than a pipe holds
    big.write_text(json.dumps({"schema": "rural-coverage/scenario@1", "hubs": [{"site_id": s} for s in sites]}))
    result = subprocess.run(f"set -o pipefail; {sys.executable} -m coverage evaluate {big} --json | head -c 10",
                            shell=True, executable="/bin/bash", cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.stdout == '{\n  "scena'
    assert result.stderr == "" and result.returncode == 0, result.stderr


def test_help_texts_show_plain_percent_signs():
    assert "0.01%%" not in run("optimize", "--help").stdout and "0.01%" in run("optimize", "--help").stdout
