"""Served, not just covered: the capacity assignment against an independent LP, and its figures everywhere."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from coverage import capacity
from coverage.errors import InputError
from coverage.evaluation import evaluate
from coverage.geo import haversine_miles
from coverage.loaders import load_communities
from coverage.scenario import Hub, Scenario, load_scenario, parse_scenario

from .conftest import ROOT

NATIONAL = ROOT / "examples" / "national_rollout.json"


def independent_optimum(evaluation) -> float:
    """max sum w x over pairs within next-day on one landmass, by scipy's linprog (no tie-break)."""
    scenario, engine = evaluation.scenario, evaluation.engine
    travel, costs = scenario.travel, scenario.costs
    communities = engine.communities
    same_miles, next_miles = travel.threshold_miles
    demand = capacity.demand_per_day(communities["population"].to_numpy(), costs.parcels_per_person_per_year,
                                     costs.peak_factor)
    lat, lon = engine.site_coordinates(evaluation.coverage.hub_sites)
    site_land = [engine.site_landmass[s] if s < engine.n_sites else None for s in evaluation.coverage.hub_sites]
    rows, cols, weights = [], [], []
    for h, (hub_lat, hub_lon) in enumerate(zip(lat, lon)):
        miles = haversine_miles(communities["lat"].to_numpy(), communities["lon"].to_numpy(), hub_lat, hub_lon)
        same_land = engine.community_landmass == site_land[h]
        reach = np.flatnonzero((miles <= next_miles) & same_land)
        rows.append(reach)
        cols.append(np.full(len(reach), h))
        weights.append(np.where(miles[reach] <= same_miles, 1.0, scenario.next_day_weight))
    rows, cols, weights = np.concatenate(rows), np.concatenate(cols), np.concatenate(weights)
    n = len(rows)
    import scipy.sparse as sp

    a = sp.vstack([sp.csr_matrix((np.ones(n), (rows, np.arange(n))), shape=(len(communities), n)),
                   sp.csr_matrix((np.ones(n), (cols, np.arange(n))), shape=(len(lat), n))])
    bounds = np.concatenate([demand, [costs.capacity_parcels_per_day[h.type] for h in scenario.hubs]])
    result = linprog(-weights, A_ub=a, b_ub=bounds, bounds=(0, None), method="highs")
    assert result.status == 0
    return -result.fun


def kansas(seed: int, towns: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"id": [f"t{i}" for i in range(towns)], "name": [f"Town {i}" for i in range(towns)],
                          "state": "KS", "lat": rng.uniform(37.2, 39.8, towns),
                          "lon": rng.uniform(-101.5, -95.5, towns),
                          "population": rng.integers(2500, 40000, towns)})
    return load_communities(frame.to_csv(index=False).encode(), name=f"kansas-{seed}.csv")


@pytest.mark.parametrize("seed", range(6))
def test_the_assignment_equals_an_independent_lp_on_random_instances(seed):
    rng = np.random.default_rng(100 + seed)
    communities = kansas(seed)
    hubs = tuple(Hub(id=f"h{k}", site_id=f"t{s}", type=str(rng.choice(["conversion", "new"])))
                 for k, s in enumerate(rng.choice(60, size=int(rng.integers(2, 8)), replace=False)))
    document = {"schema": "rural-coverage/scenario@1", "hubs": [h.as_dict() for h in hubs],
                "costs": {"capacity_parcels_per_day": {"conversion": float(rng.integers(500, 4000)),
                                                       "new": float(rng.integers(2000, 9000))},
                          "peak_factor": float(rng.uniform(1, 2))},
                "thresholds": {"same_day_minutes": 60, "next_day_minutes": 150},
                "optimizer": {"next_day_weight": float(rng.uniform(0, 1))}}
    evaluation = evaluate(parse_scenario(document), communities)
    served = evaluation.served()
    ours = served.weighted_parcels
    assert ours == pytest.approx(independent_optimum(evaluation), rel=1e-6)
    assert (served.load <= served.capacity + 1e-6).all()
    assert (served.same_day + served.next_day <= served.demand + 1e-6).all()


def test_the_assignment_equals_an_independent_lp_on_the_default_data():
    evaluation = evaluate(load_scenario(NATIONAL))
    served = evaluation.served()
    assert served.weighted_parcels == pytest.approx(independent_optimum(evaluation), rel=1e-6)
    assert (served.load <= served.capacity + 1e-6).all()
    totals = served.totals()
    assert 16e6 < totals["population"]["same_day"] + totals["population"]["next_day"] < 18e6  # not 37 million


class CountingHighs:
    """A solver's HiGHS instance that counts its runs."""

    def __init__(self, highs):
        self.highs, self.runs = highs, 0

    def run(self):
        self.runs += 1
        return self.highs.run()

    def __getattr__(self, name):
        return getattr(self.highs, name)


@pytest.mark.parametrize("seed", range(4))
def test_when_no_hub_fills_up_the_answer_needs_no_solve_and_equals_the_lp(seed):
    """Every community's parcels at its best hub is the optimum when it fits; when a hub would overfill, HiGHS."""
    rng = np.random.default_rng(200 + seed)
    communities = kansas(seed)
    sites = [f"t{s}" for s in rng.choice(60, size=5, replace=False)]
    for room, solves in ((1e7, 0), (1500.0, 1)):
        document = {"schema": "rural-coverage/scenario@1",
                    "hubs": [{"id": f"h{k}", "site_id": s, "type": "new"} for k, s in enumerate(sites)],
                    "costs": {"capacity_parcels_per_day": {"conversion": room, "new": room}},
                    "thresholds": {"same_day_minutes": 60, "next_day_minutes": 150},
                    "optimizer": {"next_day_weight": float(rng.uniform(0.1, 1))}}
        evaluation = evaluate(parse_scenario(document), communities)
        solver = capacity.solver_for(evaluation)
        solver._highs = counting = CountingHighs(solver._highs)
        served = capacity.served(evaluation, solver)
        assert counting.runs == solves
        assert served.weighted_parcels == pytest.approx(independent_optimum(evaluation), rel=1e-6)
        assert (served.load <= served.capacity + 1e-6).all()
        assert (served.same_day + served.next_day <= served.demand + 1e-6).all()


def test_with_capacity_to_spare_served_equals_covered():
    scenario = load_scenario(NATIONAL)
    roomy = scenario.replace(costs=scenario.costs.__class__(**{**scenario.costs.__dict__,
                                                               "capacity_parcels_per_day": {"conversion": 1e7,
                                                                                            "new": 1e7}}))
    evaluation = evaluate(roomy)
    served, covered = evaluation.served().totals()["population"], evaluation.coverage.totals()["population"]
    for tier in ("same_day", "next_day", "none"):
        assert abs(served[tier] - covered[tier]) <= 1, tier
    assert (evaluation.served().tier == evaluation.community_table()["tier"].to_numpy()).all()


def test_warm_updates_give_the_same_figures_as_a_cold_solve():
    evaluation = evaluate(load_scenario(NATIONAL))
    solver = capacity.solver_for(evaluation)
    coverage = evaluation.coverage
    caps = [10000.0] * len(coverage.hub_sites)
    solver.solve(coverage.hub_sites, caps)
    for position in (0, 7, 30):
        smaller = coverage.with_hub_removed(position)
        warm = solver.solve(smaller.hub_sites, caps[:-1])
        cold = capacity.solver_for(evaluation).solve(smaller.hub_sites, caps[:-1])
        assert warm.weighted_parcels == pytest.approx(cold.weighted_parcels, rel=1e-9)
        assert np.allclose(warm.load, cold.load, atol=1e-3)
    again = solver.solve(coverage.hub_sites, caps)
    assert again.weighted_parcels == pytest.approx(evaluation.served().weighted_parcels, rel=1e-9)


def test_a_travel_change_re_prices_the_warm_solver_to_a_cold_solve_s_figures():
    import dataclasses

    evaluation = evaluate(load_scenario(NATIONAL))
    solver = capacity.solver_for(evaluation)
    caps = [float(evaluation.scenario.costs.capacity_parcels_per_day[h.type]) for h in evaluation.scenario.hubs]
    solver.solve(evaluation.coverage.hub_sites, caps)
    travel = evaluation.scenario.travel
    for change in ({"same_day_minutes": 60.0}, {"next_day_minutes": 180.0}, {"speed_mph": 50.0},
                   {"same_day_minutes": 100.0, "next_day_minutes": 200.0}):
        moved = dataclasses.replace(travel, **change)
        other = evaluate(evaluation.scenario.replace(travel=moved), engine=evaluation.engine)
        warm = solver.solve(other.coverage.hub_sites, caps, travel=moved, next_day_weight=0.5)
        cold = capacity.ServedSolver(evaluation.engine, moved, solver.demand, 0.5,
                                     parcels_per_person_day=solver.parcels_per_person_day).solve(
            other.coverage.hub_sites, caps)
        assert warm.weighted_parcels == pytest.approx(cold.weighted_parcels, rel=1e-9), change
        assert np.allclose(warm.load, cold.load, atol=1e-3), change
        for tier, people in cold.totals()["population"].items():  # (a tie may go either way: the same people)
            assert abs(warm.totals()["population"][tier] - people) <= 1, change


def test_the_same_plan_evaluated_again_has_its_served_figures_without_a_solve(monkeypatch):
    evaluation = evaluate(load_scenario(NATIONAL))
    first = evaluation.served()
    again = evaluate(evaluation.scenario, engine=evaluation.engine)
    monkeypatch.setattr(capacity, "solver_for", lambda *_: pytest.fail("solved again"))
    assert again.served() is first


def test_ties_go_to_the_shorter_drive():
    towns = pd.DataFrame({"id": ["a", "hub_near", "hub_far"], "name": ["A", "Near", "Far"], "state": "KS",
                          "lat": [38.0, 38.05, 38.5], "lon": [-99.0, -99.0, -99.0], "population": [3650, 10, 10]})
    communities = load_communities(towns.to_csv(index=False).encode(), name="t.csv")
    scenario = parse_scenario({"schema": "rural-coverage/scenario@1", "hubs": [
        {"id": "far", "site_id": "hub_far"}, {"id": "near", "site_id": "hub_near"}]})
    load = evaluate(scenario, communities).served().load
    own = 10 * 18 / 365  # each hub's own town orders half a parcel a day
    assert load[1] == pytest.approx(180 + own) and load[0] == pytest.approx(own)  # the near hub takes A's 180


def test_evaluate_reports_served_beside_covered():
    result = subprocess.run([sys.executable, "-m", "coverage", "evaluate", str(NATIONAL), "--json"], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    document = json.loads(result.stdout)
    served = document["served"]
    assert set(served) >= {"population", "parcels_per_day", "unserved_parcels_per_day", "weighted_population"}
    assert set(served["population"]) == {"same_day", "next_day", "none"}
    assert sum(served["population"].values()) == sum(document["population"].values())
    hub = document["hubs"][0]
    assert {"capacity_parcels_per_day", "load_parcels_per_day", "utilisation"} <= set(hub)
    assert all(h["load_parcels_per_day"] <= h["capacity_parcels_per_day"] + 0.1 for h in document["hubs"])
    text = subprocess.run([sys.executable, "-m", "coverage", "evaluate", str(NATIONAL)], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout
    assert "served within capacity" in text


def test_the_community_table_has_served_share_and_tier():
    table = evaluate(load_scenario(NATIONAL)).community_table()
    assert list(table.columns[11:13]) == ["served_share", "served_tier"]
    assert table["served_share"].between(0, 1).all()
    assert set(table["served_tier"]) <= {"same_day", "next_day", "none"}
    assert (table.loc[table.tier == "none", "served_share"] == 0).all()


@pytest.mark.parametrize("costs, message", [
    ({"capacity_parcels_per_day": {"new": 0}}, "costs.capacity_parcels_per_day.new: 0 must be more than 0"),
    ({"capacity_parcels_per_day": {"conversion": -5}}, "costs.capacity_parcels_per_day.conversion"),
    ({"peak_factor": 0}, "costs.peak_factor: 0 must be more than 0"),
    ({"peak_factor": float("nan")}, "costs.peak_factor: NaN is not a number"),
])
def test_bad_capacity_settings_are_refused(costs, message):
    with pytest.raises(InputError) as caught:
        parse_scenario({"schema": "rural-coverage/scenario@1", "costs": costs})
    assert any(message in str(p) for p in caught.value.problems), [str(p) for p in caught.value.problems]


def test_the_peak_factor_scales_demand():
    scenario = load_scenario(NATIONAL)
    peak = scenario.replace(costs=scenario.costs.__class__(**{**scenario.costs.__dict__, "peak_factor": 1.5}))
    base, busy = evaluate(scenario).served().totals(), evaluate(peak).served().totals()
    assert busy["demand_parcels_per_day"] == pytest.approx(1.5 * base["demand_parcels_per_day"])
    assert busy["population"]["same_day"] + busy["population"]["next_day"] < \
        base["population"]["same_day"] + base["population"]["next_day"]


def test_an_empty_plan_serves_nobody():
    served = evaluate(Scenario()).served()
    assert served.totals()["population"]["none"] == served.population.sum()


# -- the capacity-aware optimiser ----------------------------------------------------------------------------
def brute_force(problem, budget: float) -> float:
    """The best served value over every affordable set of options (one type a site), by enumeration."""
    import itertools

    best = problem.value([])
    options = range(len(problem.option_cost))
    for size in range(1, 4):
        for combo in itertools.combinations(options, size):
            sites = problem.option_column[list(combo)]
            if len(set(sites.tolist())) < size or problem.option_cost[list(combo)].sum() > budget + 1e-6:
                continue
            best = max(best, problem.value(combo))
    return best


@pytest.mark.parametrize("seed", range(3))
def test_the_capacity_optimiser_finds_the_brute_force_optimum_on_small_instances(seed):
    from coverage.optimize import optimize

    communities = kansas(40 + seed, towns=10)
    scenario = parse_scenario({"schema": "rural-coverage/scenario@1",
                               "costs": {"capacity_parcels_per_day": {"conversion": 800, "new": 2500}},
                               "thresholds": {"same_day_minutes": 60, "next_day_minutes": 150}})
    result = optimize(scenario, communities, budget=40e6, time_limit=30)
    assert result.status == "optimal" and result.gap <= 1e-4
    from coverage import budget as cost_model
    from coverage import defaults
    from coverage.evaluation import engine_for
    from coverage.optimize.plan import capacity_problem  # the same model, enumerated

    engine = engine_for(communities, None, scenario.travel)
    price = {k: cost_model.hub_cost_usd(Hub(id=k, site_id=k, type=k, open_quarter=scenario.proposed_open_quarter),
                                        scenario.costs, scenario.budget.horizon_end) for k in defaults.HUB_TYPES}
    problem = capacity_problem(scenario, engine, [], [], np.arange(engine.n_sites), None, price, 40e6)
    best = problem.people(brute_force(problem, 40e6))
    assert result.objective == pytest.approx(best, rel=1e-6)
    evaluated = evaluate(result.scenario, communities).served().totals()["weighted_population"]
    assert evaluated == pytest.approx(result.objective, rel=1e-6)


def test_respecting_capacity_serves_more_than_the_coverage_optimum_at_the_same_budget():
    from coverage.optimize import optimize

    coverage_plan = load_scenario(NATIONAL)  # the coverage-only optimum at $1B
    capacity_plan = optimize(Scenario(name="served"), budget=1e9, time_limit=20).scenario
    served = {name: evaluate(plan).served()
              for name, plan in (("coverage", coverage_plan), ("capacity", capacity_plan))}
    assert served["capacity"].weighted_parcels > 1.05 * served["coverage"].weighted_parcels
    assert (served["capacity"].load <= served["capacity"].capacity + 1e-6).all()
    assert {h.type for h in capacity_plan.hubs} == {"conversion", "new"}  # it chose types
    assert evaluate(capacity_plan).summary()["cost_usd"] <= 1e9


def test_without_capacity_the_optimiser_is_the_coverage_model():
    from coverage.optimize import optimize

    scenario = parse_scenario({"schema": "rural-coverage/scenario@1", "optimizer": {"respect_capacity": False}})
    result = optimize(scenario, budget=5e8, time_limit=30)
    assert result.model == "coverage" and result.status in ("optimal", "time_limit")
    if result.status == "optimal":  # proved in seconds on a quiet machine; a busy one may stop at its limit first
        assert len(result.added) == 42
    assert {h.type for h in result.added} == {"conversion"}
