"""The cost model and the rollout, checked against figures worked out by hand."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from coverage.budget import DAYS_PER_YEAR, plan
from coverage.errors import InputError
from coverage.evaluation import evaluate
from coverage.scenario import SCHEMA, parse_scenario

from .conftest import ROOT

THREE_HUBS = {
    "schema": SCHEMA, "name": "Three hubs",
    "hubs": [
        {"id": "a", "site_id": "5445298", "type": "conversion", "open_quarter": "2025Q1"},  # Dodge City, KS
        {"id": "b", "site_id": "5697939", "type": "new", "open_quarter": "2025Q3"},  # North Platte, NE
        {"id": "c", "site_id": "5641727", "type": "conversion", "open_quarter": "2026Q2"},  # Bozeman, MT
    ],
    "costs": {"capex_usd": {"conversion": 10_000_000, "new": 30_000_000},
              "opex_usd_per_year": {"conversion": 4_000_000, "new": 8_000_000}},
    "budget": {"total_usd": 60_000_000, "horizon_end": "2026Q4", "target_quarter": "2025Q4"},
}


@pytest.fixture(scope="module")
def three():
    return plan(evaluate(parse_scenario(THREE_HUBS)))


def test_hub_costs_by_hand(three):
    # a: 10M + 4M x 8 quarters / 4 = 18M; b: 30M + 8M x 6 / 4 = 42M; c: 10M + 4M x 3 / 4 = 13M
    assert three.hubs.set_index("hub_id")["cost_usd"].to_dict() == {"a": 18e6, "b": 42e6, "c": 13e6}
    assert three.summary["cost_usd"] == 73e6
    assert three.summary["capex_usd"] == 50e6 and three.summary["opex_usd"] == 23e6


def test_the_by_quarter_table_by_hand(three):
    table = three.quarters.set_index("quarter")
    assert list(table.index) == ["2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    assert (table["spend_usd"] / 1e6).tolist() == [11, 1, 33, 3, 3, 14, 4, 4]
    assert (table["cumulative_spend_usd"] / 1e6).tolist() == [11, 12, 45, 48, 51, 65, 69, 73]
    assert table["hubs_open"].tolist() == [1, 1, 2, 2, 2, 3, 3, 3]
    assert table.loc["2026Q4", "cumulative_spend_usd"] == three.summary["cost_usd"]
    assert table.loc["2026Q4", "budget_left_usd"] == -13e6


def test_coverage_by_quarter_follows_the_openings(three):
    table = three.quarters.set_index("quarter")
    only_a = evaluate(parse_scenario({**THREE_HUBS, "hubs": THREE_HUBS["hubs"][:1]})).coverage.totals()
    everyone = evaluate(parse_scenario(THREE_HUBS)).coverage.totals()
    assert table.loc["2025Q2", "communities_same_day"] == only_a["communities"]["same_day"]
    assert table.loc["2026Q4", "population_next_day"] == everyone["population"]["next_day"]
    assert (table["communities_none"].diff().fillna(0) <= 0).all()  # coverage only grows as hubs open


def test_over_budget_is_reported_not_refused(three):
    assert three.summary["over_budget"] and three.summary["headroom_usd"] == -13e6


def test_demand_against_capacity_flags_a_hub_over_capacity():
    scenario = parse_scenario({**THREE_HUBS, "costs": {**THREE_HUBS["costs"],
                                                       "capacity_parcels_per_day": {"conversion": 5000, "new": 10**6},
                                                       "parcels_per_person_per_year": 36.5}})
    result = plan(evaluate(scenario))
    hubs = result.hubs.set_index("hub_id")
    # parcels a day = people served x 36.5 / 365.25
    assert hubs.loc["a", "parcels_per_day"] == pytest.approx(hubs.loc["a", "population_served"] * 36.5 / DAYS_PER_YEAR,
                                                             abs=0.05)
    assert hubs.loc["a", "parcels_per_day"] > 5000 and bool(hubs.loc["a", "over_capacity"])
    assert not hubs.loc["b", "over_capacity"]
    assert "a" in result.summary["hubs_over_capacity"] and "b" not in result.summary["hubs_over_capacity"]


@pytest.mark.parametrize("change, field", [
    ({"hubs": [{"site_id": "5445298", "open_quarter": "2025Q9"}]}, "hubs[0].open_quarter"),
    ({"costs": {"capex_usd": {"new": -1}}}, "costs.capex_usd.new"),
    ({"costs": {"opex_usd_per_year": {"conversion": "a lot"}}}, "costs.opex_usd_per_year.conversion"),
    ({"costs": {"capacity_parcels_per_day": {"new": 0}}}, "costs.capacity_parcels_per_day.new"),
    ({"budget": {"horizon_end": "2026-12"}}, "budget.horizon_end"),
    ({"budget": {"target_covered_share": 1.5}}, "budget.target_covered_share"),
])
def test_bad_costs_and_quarters_name_the_field(change, field):
    with pytest.raises(InputError) as error:
        parse_scenario({"schema": SCHEMA, **change}, source="plan.json")
    assert any(p.column == field for p in error.value.problems), [str(p) for p in error.value.problems]


def test_evaluate_json_carries_the_budget_and_the_by_quarter_table(tmp_path):
    path = tmp_path / "three.json"
    path.write_text(json.dumps(THREE_HUBS))
    result = subprocess.run([sys.executable, "-m", "coverage", "evaluate", str(path), "--json"], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    document = json.loads(result.stdout)
    assert document["cost_usd"] == 73e6 and document["budget"]["over_budget"] is True
    assert [q["spend_usd"] for q in document["by_quarter"]] == [11e6, 1e6, 33e6, 3e6, 3e6, 14e6, 4e6, 4e6]
    assert {"parcels_per_day", "capacity_parcels_per_day", "utilisation", "over_capacity"} <= set(document["hubs"][0])
