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
    assert spend["A"].is_monotonic_increasing and spend["B"].iloc[-1] == pytest.approx(comparison.key_figures(1)["cost_usd"])
    assert set(comparison.sheets()) >= {"Figures", "By state", "Spend by quarter", "Hubs", "Tier changes A-B"}


def test_compare_takes_two_to_four_plans(two):
    a, _, _ = two
    with pytest.raises(InputError, match="two to four"):
        compare([("A", a)])
