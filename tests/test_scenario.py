"""Scenario JSON: round trips, defaults, and every problem named by its place."""

from __future__ import annotations

import json

import pytest

from coverage.errors import InputError
from coverage.scenario import SCHEMA, Scenario, load_scenario, parse_scenario, save_scenario

from .conftest import ROOT


def problems(document) -> list[str]:
    with pytest.raises(InputError) as error:
        parse_scenario(document, source="plan.json")
    return [str(p) for p in error.value.problems]


def test_the_example_loads_and_round_trips(tmp_path):
    scenario = load_scenario(ROOT / "examples" / "plains_pilot.json")
    assert scenario.name == "Plains pilot" and len(scenario.hubs) == 3
    assert scenario.hubs[2].lat == 41.12 and scenario.hubs[2].site_id is None
    save_scenario(scenario, tmp_path / "copy.json")
    assert load_scenario(tmp_path / "copy.json") == scenario


def test_missing_optional_keys_take_the_defaults():
    scenario = parse_scenario({"schema": SCHEMA})
    assert scenario == Scenario()
    assert scenario.budget.total_usd == 4_000_000_000 and scenario.next_day_weight == 0.5
    assert scenario.travel.same_day_minutes == 90 and scenario.travel.next_day_minutes == 240


def test_every_problem_is_named_by_its_place():
    found = problems({
        "schema": SCHEMA, "colour": "red",
        "hubs": [{"id": "h1", "site_id": "1", "open_quarter": "2025Q5"},
                 {"id": "h1", "lat": 40, "lon": -100, "type": "warehouse"},
                 {"id": "h3"}],
        "thresholds": {"same_day_minute": 90},
        "costs": {"capex_usd": {"conversion": -5}},
        "budget": {"total_usd": "lots"},
        "optimizer": {"next_day_weight": 1.5},
    })
    expected = [
        "plan.json:colour: unknown key",
        "plan.json:hubs[0].open_quarter: '2025Q5' is not a quarter",
        "plan.json:hubs[1].id: \"h1\" is used by an earlier hub",
        "plan.json:hubs[1].type: \"warehouse\" is not one of conversion, new",
        "plan.json:hubs[2]: needs a site_id, or both lat and lon",
        "plan.json:thresholds.same_day_minute: unknown key; did you mean 'same_day_minutes'?",
        "plan.json:costs.capex_usd.conversion: -5 must be at least 0",
        "plan.json:budget.total_usd: \"lots\" is not a number",
        "plan.json:optimizer.next_day_weight: 1.5 must be at most 1",
    ]
    for message in expected:
        assert any(line.startswith(message) for line in found), (message, found)


@pytest.mark.parametrize("document, message", [
    ({"schema": "something-else"}, "schema: must be"),
    ({}, "schema: is missing"),
    ([], "must be an object"),
    ({"schema": SCHEMA, "hubs": {}}, "hubs: must be a list"),
    ({"schema": SCHEMA, "hubs": [{"site_id": "1", "lat": 1, "lon": 2}]}, "either site_id or lat/lon"),
    ({"schema": SCHEMA, "hubs": [{"lat": 95, "lon": 2}]}, "hubs[0].lat: 95 must be at most 90"),
    ({"schema": SCHEMA, "hubs": [{"site_id": "1", "open_quarter": "2027Q1"}]}, "after budget.horizon_end"),
    ({"schema": SCHEMA, "hubs": [{"site_id": "1", "locked": "yes"}]}, "hubs[0].locked"),
    ({"schema": SCHEMA, "thresholds": {"same_day_minutes": 300}},
     "thresholds.same_day_minutes: the same-day threshold (300 min) cannot be longer"),
    ({"schema": SCHEMA, "travel": {"mode": "fly"}}, "travel.mode"),
    ({"schema": SCHEMA, "travel": {"speed_mph": True}}, "travel.speed_mph"),
])
def test_bad_documents_get_a_clear_message(document, message):
    assert any(message in line for line in problems(document)), problems(document)


def test_files_that_are_not_json_say_where(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"schema": "rural-coverage/scenario@1",\n "hubs": [}\n')
    with pytest.raises(InputError) as error:
        load_scenario(path)
    assert str(error.value).startswith("broken.json:2:")
    path.write_bytes(b'{"name": "Caf\xe9"}')
    with pytest.raises(InputError, match="not UTF-8"):
        load_scenario(path)
    with pytest.raises(InputError, match="file not found"):
        load_scenario(tmp_path / "missing.json")


def test_saved_files_write_every_setting_out(tmp_path):
    save_scenario(Scenario(name="Défaut"), tmp_path / "s.json")
    document = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert document["name"] == "Défaut"
    assert set(document) == {"schema", "name", "hubs", "thresholds", "travel", "costs", "budget", "optimizer"}
    assert document["travel"]["circuity"] == 1.2
