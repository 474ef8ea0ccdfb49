"""Plans side by side: figures equal to each plan's own evaluation, hub and tier changes counted exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coverage.compare import compare
from coverage.errors import InputError
from coverage.evaluation import evaluate
from coverage.scenario import load_scenario

from .conftest import ROOT

PILOT, NATIONAL = ROOT / "examples" / "plains_pilot.json", ROOT / "examples" / "national_rollout.json"


@pytest.fixture(scope="module")
def two():
    a, b = evaluate(load_scenario(PILOT)), evaluate(load_scenario(NATIONAL))
    return a, b, compare([("A", a), ("B", b)])


def test_key_figures_and_deltas_equal_each_plans_evaluation(two):
    a, b, comparison = two
    document = comparison.as_dict()
    for plan, evaluation in zip(document["plans"], (a, b)):
        summary = evaluation.summary()
        assert plan["population_same_day"] == summary["population"]["same_day"]
        assert plan["communities_none"] == summary["communities"]["none"]
        assert plan["cost_usd"] == summary["cost_usd"] and plan["hubs"] == len(summary["hubs"])
    assert document["deltas"]["population_covered"] == (document["plans"][1]["population_covered"]
                                                         - document["plans"][0]["population_covered"])


def test_tier_changes_count_the_communities_that_move(two):
    a, b, comparison = two
    changes = comparison.tier_changes(1)
    tiers = np.array(["same_day", "next_day", "none"], dtype=object)
    expected = pd.Series(tiers[a.coverage.tier] + "->" + tiers[b.coverage.tier])
    expected = expected[tiers[a.coverage.tier] != tiers[b.coverage.tier]].value_counts().to_dict()
    assert changes == expected
    table = comparison.community_changes(1)
    assert len(table) == sum(changes.values())
    assert set(table["change"]) <= {"better", "worse"}
    assert (table.loc[table.tier_a == "none", "change"] == "better").all()


def test_hubs_added_removed_and_changed_are_by_id(two):
    a, _, _ = two
    hubs = list(a.scenario.hubs)
    moved = hubs[0].__class__(**{**hubs[0].as_dict(), "type": "new"})
    b = evaluate(a.scenario.replace(hubs=(moved, hubs[2])))
    comparison = compare([("A", a), ("B", b)])
    assert comparison.hub_changes(1) == {"hubs_added": [], "hubs_removed": ["h2"], "hubs_changed": ["h1"],
                                         "hubs_changed_fields": {"h1": ["type"]}}


def test_by_state_and_spend_tables_line_up(two):
    _, _, comparison = two
    states = comparison.by_state()
    assert (states["B − A"] == states["B"] - states["A"]).all()
    spend = comparison.spend()
    assert spend["A"].is_monotonic_increasing
    assert spend["B"].iloc[-1] == pytest.approx(comparison.key_figures(1)["cost_usd"])
    assert set(comparison.sheets()) >= {"Figures", "By state", "Spend by quarter", "Hubs", "Tier changes A-B"}


def test_compare_takes_two_to_four_plans(two):
    a, _, _ = two
    with pytest.raises(InputError, match="two to four"):
        compare([("A", a)])


def test_served_within_capacity_and_the_objective_sit_beside_covered(two):
    """Issue 21.1: a plan is judged on what it serves, so served and the optimiser's objective are key figures."""
    a, b, comparison = two
    for plan, evaluation in zip(comparison.as_dict()["plans"], (a, b)):
        served = evaluation.summary()["served"]
        assert plan["served_weighted_population"] == served["weighted_population"]
        assert [plan[f"served_population_{t}"] for t in ("same_day", "next_day", "none")] == [
            served["population"][t] for t in ("same_day", "next_day", "none")]
        assert plan["served_population"] == served["population"]["same_day"] + served["population"]["next_day"]
        covered = evaluation.coverage.totals()["population"]
        assert plan["covered_weighted_population"] == pytest.approx(
            covered["same_day"] + evaluation.scenario.next_day_weight * covered["next_day"])
    keys = comparison.figures_table()["key"].tolist()
    assert keys.index("served_population") == keys.index("population_covered") + 4
    assert comparison.deltas(1)["served_population"] == (comparison.key_figures(1)["served_population"]
                                                         - comparison.key_figures(0)["served_population"])


def test_the_workbook_names_the_plans(two):
    """Issue 21.18: columns headed A/B and tier_a/tier_b did not say which plan was which."""
    a, b, comparison = two
    sheets = comparison.sheets()
    first, second = f"A: {a.scenario.name}", f"B: {b.scenario.name}"
    assert [first, second, "B − A"] == list(sheets["Figures"].columns)[1:]
    assert {first, second} <= set(sheets["By state"].columns) and {first, second} <= set(sheets["Spend by quarter"])
    assert set(sheets["Hubs"]["plan"]) == {first, second}
    assert {f"tier in {first}", f"tier in {second}"} <= set(sheets["Tier changes A-B"].columns)
    assert "tier_a" not in sheets["Tier changes A-B"].columns
