"""The capacity-aware optimiser (issue 26) against exhaustive enumeration, and its plans against ``evaluate``."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from coverage import budget as cost_model
from coverage import defaults
from coverage.evaluation import engine_for, evaluate, hub_site
from coverage.optimize import optimize
from coverage.optimize.capacity_bound import LagrangianBound
from coverage.optimize.capacity_search import ServedSearch
from coverage.optimize.plan import capacity_problem
from coverage.scenario import Hub, parse_scenario

from .test_capacity import kansas


def instance(seed: int):
    """A scenario (tight capacities, perhaps a locked hub, a later opening quarter), its towns and a budget."""
    rng = np.random.default_rng(1000 + seed)
    communities = kansas(seed, towns=10)
    hubs = []
    if seed % 2:
        hubs.append({"id": "h1", "site_id": str(communities["community_id"].iloc[int(rng.integers(10))]),
                     "type": "conversion", "open_quarter": "2025Q1", "locked": True})
    scenario = parse_scenario({
        "schema": "rural-coverage/scenario@1", "hubs": hubs,
        "costs": {"capacity_parcels_per_day": {"conversion": int(rng.integers(400, 900)),
                                               "new": int(rng.integers(1500, 2600))}},
        "thresholds": {"same_day_minutes": 60, "next_day_minutes": 150},
        "optimizer": {"open_quarter": ["2025Q2", "2025Q4", "2026Q1"][seed % 3]}})
    kept_cost = sum(cost_model.hub_cost_usd(h, scenario.costs, scenario.budget.horizon_end) for h in scenario.hubs)
    budget = kept_cost + float(rng.uniform(20e6, 75e6))
    return scenario, communities, budget


def model_of(scenario, communities, budget):
    """The optimiser's capacity model for a scenario (as ``optimize`` builds it), and the money it may spend."""
    engine = engine_for(communities, None, scenario.travel)
    kept = list(scenario.hubs)
    kept_sites = [hub_site(hub, engine, i) for i, hub in enumerate(kept)]
    horizon = scenario.budget.horizon_end
    available = budget - sum(cost_model.hub_cost_usd(h, scenario.costs, horizon) for h in kept)
    price = {kind: cost_model.hub_cost_usd(Hub(id=kind, site_id=kind, type=kind,
                                               open_quarter=scenario.proposed_open_quarter), scenario.costs, horizon)
             for kind in defaults.HUB_TYPES}
    candidates = np.array([s for s in range(engine.n_sites) if s not in set(kept_sites)], dtype=np.int64)
    return capacity_problem(scenario, engine, kept, kept_sites, candidates, None, price, available), available


def enumerate_best(problem, money: float) -> float:
    """The most weighted parcels any affordable plan serves (one type a site), by scoring every plan."""
    best = problem.value([])
    options = range(len(problem.option_cost))
    for size in itertools.count(1):
        if size * float(problem.option_cost.min()) > money + 1e-6:
            return best
        for plan in itertools.combinations(options, size):
            plan = list(plan)
            if len(set(problem.option_column[plan].tolist())) == size and \
                    problem.option_cost[plan].sum() <= money + 1e-6:
                best = max(best, problem.value(plan))


@pytest.mark.parametrize("seed", range(6))
def test_the_plan_is_the_best_plan_and_every_bound_is_above_it(seed):
    scenario, communities, budget = instance(seed)
    result = optimize(scenario, communities, budget=budget, time_limit=30)
    problem, money = model_of(scenario, communities, budget)
    assert len(problem.sites) <= 10 and set(problem.option_type) <= {"conversion", "new"}
    best = problem.people(enumerate_best(problem, money))
    assert result.status == "optimal"
    assert result.objective == pytest.approx(best, rel=1e-6)
    assert result.bound >= best - 1e-6
    for idea, bound in result.stats["bounds"].items():  # knapsack, uniform prices, lagrangian, benders, integer
        assert bound >= best - 1e-6, idea


@pytest.mark.parametrize("seed", range(6))
def test_the_returned_plan_is_what_evaluate_serves(seed):
    scenario, communities, budget = instance(seed)
    result = optimize(scenario, communities, budget=budget, time_limit=30)
    evaluation = evaluate(result.scenario, communities)
    served = evaluation.served()
    assert abs(served.totals()["weighted_population"] - result.objective) < 1.0  # to the unit
    assert (served.load <= served.capacity + 1e-6).all()                          # no hub over capacity
    assert evaluation.summary()["cost_usd"] <= budget + 1e-6                      # within budget
    locked = [hub for hub in scenario.hubs if hub.locked]
    assert all(hub in result.scenario.hubs for hub in locked)                     # locked hubs kept
    assert {hub.open_quarter for hub in result.added} <= {scenario.proposed_open_quarter}  # opening quarters
    assert result.spent_usd == pytest.approx(sum(cost_model.hub_cost_usd(h, scenario.costs,
                                                                         scenario.budget.horizon_end)
                                                 for h in result.added))


@pytest.mark.parametrize("seed", range(4))
def test_every_lagrangian_and_benders_bound_is_above_the_optimum(seed):
    """L(u) bounds every plan for any prices u: random ones, the steps', and a plan's own duals (a Benders cut)."""
    scenario, communities, budget = instance(seed)
    problem, money = model_of(scenario, communities, budget)
    best = enumerate_best(problem, money)
    bound = LagrangianBound(problem, money)
    rng = np.random.default_rng(seed)
    for _ in range(20):
        assert bound.at(rng.uniform(0, 1, problem.engine.n_communities))[0] >= best - 1e-6
    assert bound.start() >= best - 1e-6
    assert bound.minimise(float("inf"), lambda: best, lambda: False, max_steps=200) >= best - 1e-6
    plan = problem.best_greedy(money)
    served = problem._solver.solve(problem.kept_sites + problem.option_site[plan].tolist(),
                                   problem.kept_capacity + problem.option_capacity[plan].tolist())
    assert bound.at(served.community_price, "benders")[0] >= best - 1e-6
    assert bound.integer(10.0) >= best - 1e-6
    bounds = bound.option_bounds()  # a plan opening an option serves at most its bound
    for option in range(len(problem.option_cost)):
        if problem.option_cost[option] <= money:
            assert bounds[option] >= problem.value([option]) - 1e-6


def test_the_search_keeps_plans_feasible_and_never_worse():
    from coverage.dataset import default_communities
    from coverage.scenario import Scenario

    scenario = Scenario()
    communities = default_communities()
    problem, money = model_of(scenario, communities, 1e9)
    start = problem.best_greedy(money)
    search = ServedSearch(problem, money)
    seen = []
    import time

    plan = search.search(start, time.monotonic() + 5, lambda: False, lambda plan, value: seen.append(value))
    plan = search.regional(plan, time.monotonic() + 5, lambda: False, lambda plan, value: seen.append(value))
    assert problem.value(plan) >= problem.value(start)
    assert seen == sorted(seen)
    assert len(set(problem.option_column[plan].tolist())) == len(plan)  # one hub a site
    assert problem.option_cost[plan].sum() <= money + 1e-6
