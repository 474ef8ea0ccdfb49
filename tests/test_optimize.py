"""The optimiser against brute force, and its promises: locked hubs kept, budget kept, no road no coverage."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import threading

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coverage.budget import hub_cost_usd
from coverage.engine import CoverageEngine
from coverage.errors import InputError
from coverage.landmass import landmass_labels
from coverage.optimize import CoverageProblem, optimize
from coverage.scenario import Hub, Scenario
from coverage.travel import TravelModel

from .test_engine import haversine

TRAVEL = TravelModel(mode="radius", same_day_miles=40, next_day_miles=120)


def towns(coordinates, population) -> pd.DataFrame:
    lat, lon = zip(*coordinates)
    return pd.DataFrame({"community_id": [f"c{i}" for i in range(len(lat))], "name": [f"T{i}" for i in range(len(lat))],
                         "state": "KS", "county": "K", "lat": lat, "lon": lon, "population": population})


def objective(communities, hubs_lat, hubs_lon, weight=0.5, travel=TRAVEL) -> float:
    """The contract's objective, computed independently (dense haversine, landmass labels)."""
    if not len(hubs_lat):
        return 0.0
    d = haversine(communities.lat.to_numpy(), communities.lon.to_numpy(), np.asarray(hubs_lat), np.asarray(hubs_lon))
    same_land = landmass_labels(communities.lat, communities.lon)[:, None] == landmass_labels(hubs_lat, hubs_lon)[None]
    d = np.where(same_land, d, np.inf).min(axis=1)
    same, nxt = travel.threshold_miles
    factor = np.where(d <= same, 1.0, np.where(d <= nxt, weight, 0.0))
    return float((communities.population.to_numpy() * factor).sum())


@st.composite
def instances(draw):
    n = draw(st.integers(3, 14))
    points = [(draw(st.floats(37.0, 40.0)), draw(st.floats(-101.0, -96.0))) for _ in range(n)]
    population = draw(st.lists(st.integers(100, 50_000), min_size=n, max_size=n))
    costs = draw(st.lists(st.sampled_from([1.0, 2.0, 3.0]), min_size=n, max_size=n))
    budget = draw(st.sampled_from([0.0, 1.0, 2.0, 3.0, 5.0, 8.0]))
    weight = draw(st.sampled_from([0.0, 0.3, 0.5, 1.0]))
    return towns(points, population), np.array(costs), budget, weight


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_the_optimum_equals_brute_force_enumeration(instance):
    communities, costs, budget, weight = instance
    engine = CoverageEngine(communities, radius_miles=120)
    travel = TravelModel(mode="radius", same_day_miles=40, next_day_miles=120)
    problem = CoverageProblem.from_engine(engine, travel, [], np.arange(len(communities)), costs, weight)
    solution = problem.solve(budget, time_limit=30)
    best = 0.0
    for size in range(len(communities) + 1):
        for subset in itertools.combinations(range(len(communities)), size):
            if costs[list(subset)].sum() <= budget + 1e-9:
                best = max(best, objective(communities, communities.lat.to_numpy()[list(subset)],
                                           communities.lon.to_numpy()[list(subset)], weight, travel))
    assert solution.status == "optimal"
    assert solution.objective == pytest.approx(best, rel=1e-4, abs=1e-6)
    chosen = solution.sites
    assert costs[chosen].sum() <= budget + 1e-9
    assert objective(communities, communities.lat.to_numpy()[chosen], communities.lon.to_numpy()[chosen], weight,
                     travel) == pytest.approx(solution.objective, rel=1e-9, abs=1e-6)
    assert solution.bound >= best - 1e-6


SMALL = towns([(38.0 + 0.5 * i, -99.0 + 0.3 * (i % 3)) for i in range(12)] + [(21.3, -157.9), (20.9, -156.5)],
              [10_000 + 1000 * i for i in range(12)] + [90_000, 80_000])


def small_scenario(**changes) -> Scenario:
    base = Scenario(travel=TravelModel(same_day_minutes=60, next_day_minutes=180))
    return base.replace(**changes)


def test_locked_hubs_are_kept_and_the_budget_is_respected():
    locked = Hub(id="h1", site_id="c11", locked=True, open_quarter="2025Q1")
    scenario = small_scenario(hubs=(locked,))
    cost_each = hub_cost_usd(Hub(id="x", site_id="x"), scenario.costs, scenario.budget.horizon_end)
    budget = hub_cost_usd(locked, scenario.costs, scenario.budget.horizon_end) + 2.5 * cost_each
    result = optimize(scenario, SMALL, budget=budget, time_limit=30)
    assert result.status == "optimal"
    assert result.scenario.hubs[0] == locked
    assert len(result.added) == 2 and result.spent_usd <= result.budget_usd + 1e-6
    assert sum(hub_cost_usd(h, scenario.costs, scenario.budget.horizon_end) for h in result.scenario.hubs) <= budget


def test_unlocked_hubs_are_kept_unless_replanned():
    hubs = (Hub(id="h1", site_id="c0", locked=True), Hub(id="h2", site_id="c1"))
    scenario = small_scenario(hubs=hubs)
    budget = 5 * hub_cost_usd(hubs[0], scenario.costs, scenario.budget.horizon_end)
    kept = optimize(scenario, SMALL, budget=budget, time_limit=30)
    assert {h.id for h in kept.scenario.hubs} >= {"h1", "h2"} and not kept.removed
    replanned = optimize(scenario, SMALL, budget=budget, time_limit=30, replan=True)
    assert "h1" in {h.id for h in replanned.scenario.hubs}
    assert [h.id for h in replanned.removed] == ["h2"]
    assert replanned.objective >= kept.objective - 1e-6


def test_the_no_road_rule_holds_in_the_optimum():
    # One hub: Honolulu's 90,000 people are worth more than any Kansas town, but only from Oahu.
    scenario = small_scenario()
    one_hub = hub_cost_usd(Hub(id="x", site_id="x"), scenario.costs, scenario.budget.horizon_end)
    result = optimize(scenario, SMALL, budget=one_hub, time_limit=30)
    assert [h.site_id for h in result.added] == ["c12"]
    assert result.objective == pytest.approx(90_000)  # Maui (80,000) is another island


def test_a_time_limit_returns_a_valid_plan_and_its_gap():
    from coverage.dataset import default_communities

    result = optimize(Scenario(), default_communities(), budget=2e9, time_limit=0.3)
    assert result.status == "time_limit"
    assert 0 < result.gap < 1 and result.bound >= result.objective > 0
    assert result.spent_usd <= 2e9 and len(result.added) > 0


def test_a_stop_request_returns_the_best_plan_so_far():
    from coverage.dataset import default_communities

    stop = threading.Event()
    stop.set()
    result = optimize(Scenario(), default_communities(), budget=1e9, time_limit=30, stop=stop)
    assert result.status in ("stopped", "optimal") and len(result.added) > 0


@pytest.mark.parametrize("kwargs, scenario, message", [
    ({"budget": -1.0}, Scenario(), "is not a budget"),
    ({"budget": 1e9, "time_limit": 0}, Scenario(), "is not a time limit"),
    ({"budget": 1e9}, Scenario(next_day_weight=1.5), "must be between 0 and 1"),
    ({"budget": 1e9}, Scenario(hubs=(Hub(id="h1", site_id="nope"),)), "'nope' is not a candidate site"),
    ({"budget": 1.0}, Scenario(hubs=(Hub(id="h1", site_id="c0", locked=True),)), "already cost"),
])
def test_bad_settings_give_a_clear_message(kwargs, scenario, message):
    with pytest.raises(InputError, match=message):
        optimize(scenario, SMALL, **kwargs)


def test_greedy_preview_reports_its_gap_against_the_lp_bound():
    from coverage.dataset import default_communities

    result = optimize(Scenario(), default_communities(), budget=5e8, time_limit=30, greedy=True)
    assert result.status == "greedy"
    assert result.bound > result.objective and 0 < result.gap < 0.1


def test_regional_search_improves_a_plan_within_the_budget():
    """Where the LP is far from integral (170 hubs on the default data) the regional search finds the plan."""
    import time

    from coverage.dataset import default_communities
    from coverage.evaluation import engine_for

    communities = default_communities()
    scenario = Scenario()
    engine = engine_for(communities, None, scenario.travel)
    cost = hub_cost_usd(Hub(id="x", site_id="x", open_quarter=scenario.proposed_open_quarter), scenario.costs,
                        scenario.budget.horizon_end)
    budget = 2e9
    problem = CoverageProblem.from_engine(engine, scenario.travel, [], np.arange(engine.n_sites),
                                          np.full(engine.n_sites, cost), scenario.next_day_weight, budget=budget)
    start = problem.greedy(budget)
    seen = []
    plan = problem.regional_search(budget, start, time.monotonic() + 4.0,
                                   on_better=lambda plan, value: seen.append(value))
    assert problem.value(plan) > problem.value(start)
    assert seen == sorted(seen) and seen[-1] == problem.value(plan)
    assert len(set(plan)) == len(plan) and problem.costs[plan].sum() <= budget
    sites = problem.sites[plan]
    lat, lon = engine.site_coordinates(sites)
    assert objective(communities, lat, lon, scenario.next_day_weight, scenario.travel) == pytest.approx(
        problem.value(plan), rel=1e-9)


def test_a_plan_over_the_hub_limit_is_never_proposed(tmp_path):
    """The optimiser refuses to return a plan the rest of the tool would refuse (more hubs than the limit):
    exit 2 with the limit, how to raise it, and the budget as the thing to lower; nothing is written."""
    out = tmp_path / "plan.json"
    env = {**os.environ, "COVERAGE_MAX_HUBS": "5"}
    run = subprocess.run([sys.executable, "-m", "coverage", "optimize", "--budget", "1e9", "--greedy",
                          "--out", str(out)], capture_output=True, text=True, env=env, timeout=600)
    assert run.returncode == 2, run.stderr
    assert "the limit is 5 hubs" in run.stderr and "COVERAGE_MAX_HUBS" in run.stderr
    assert "lower the budget" in run.stderr and "Traceback" not in run.stderr
    assert not out.exists()
