"""The one solve loop: both models implement the problem protocol, honour the time limit and Stop, and say what
they chose."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from coverage.dataset import default_communities
from coverage.optimize import CoverageProblem, Problem, optimize
from coverage.optimize.plan import capacity_problem
from coverage.scenario import Scenario


@pytest.fixture(scope="module")
def communities():
    return default_communities()


def test_both_models_implement_the_problem_protocol(communities):
    from coverage import budget as cost_model
    from coverage import defaults
    from coverage.evaluation import engine_for
    from coverage.scenario import Hub

    scenario = Scenario()
    engine = engine_for(communities, None, scenario.travel)
    price = {k: cost_model.hub_cost_usd(Hub(id=k, site_id=k, type=k, open_quarter=scenario.proposed_open_quarter),
                                        scenario.costs, scenario.budget.horizon_end) for k in defaults.HUB_TYPES}
    capacity = capacity_problem(scenario, engine, [], [], np.arange(engine.n_sites), None, price, 1e9)
    coverage = CoverageProblem.from_engine(engine, scenario.travel, [], np.arange(engine.n_sites),
                                           np.full(engine.n_sites, price["conversion"]), scenario.next_day_weight,
                                           types=["conversion"] * engine.n_sites)
    for problem in (capacity, coverage):
        assert isinstance(problem, Problem)
        option = int(np.flatnonzero(problem.option_site == 17)[0])
        reached, same_day = problem.reach(option)
        reach = engine.reach(17, scenario.travel)  # what the engine says site 17 reaches
        assert sorted(reached.tolist()) == sorted(reach.communities.tolist())
        assert sorted(reached[same_day].tolist()) == sorted(reach.communities[reach.same_day].tolist())
        plan = [int(o) for o in np.flatnonzero(problem.option_site < 40)[:3]]
        gains = problem.gains(plan)
        for other in np.flatnonzero((problem.option_site > 100) & (problem.option_site < 106)).tolist():
            added = problem.value(plan + [other]) - problem.value(plan)
            if problem is coverage:
                assert added == pytest.approx(gains[other], abs=1e-6)  # exactly
            else:
                assert added >= gains[other] - 1e-6  # at least


@pytest.mark.parametrize("respect_capacity", [True, False])
def test_solution_sites_are_engine_sites_with_their_types(communities, respect_capacity):
    from coverage.evaluation import engine_for

    scenario = Scenario(respect_capacity=respect_capacity)
    result = optimize(scenario, communities, budget=3e8, time_limit=10, greedy=True)
    engine = engine_for(communities, None, scenario.travel)
    assert result.added
    for hub in result.added:  # the hub's site is the site the model chose, with the type it chose
        assert hub.site_id in set(engine.sites["site_id"].astype(str))
        assert hub.type in ("conversion", "new")
    if not respect_capacity:
        assert {hub.type for hub in result.added} == {scenario.proposed_hub_type}


def test_the_capacity_optimiser_honours_a_short_time_limit(communities):
    """The capacity-aware path (the default) used to run past its limit by seconds: its LP rounds and MIPs were
    not interrupted (measured before the fix: 8.6 s for a 5 s limit at $1B)."""
    started = time.monotonic()
    result = optimize(Scenario(), communities, budget=1e9, time_limit=4)
    assert time.monotonic() - started >= result.seconds
    assert result.seconds <= 4 + 2.0  # before the fix 8.6 s for 5; a busy machine's last step may take longer
    assert result.status in ("optimal", "time_limit") and result.bound >= result.objective > 0


def test_stop_ends_the_capacity_optimiser_within_moments(communities):
    stop = threading.Event()
    timer = threading.Timer(2.0, stop.set)  # the planner presses Stop two seconds in
    timer.start()
    try:
        result = optimize(Scenario(), communities, budget=1e9, time_limit=60, stop=stop)
    finally:
        timer.cancel()
    assert result.status in ("stopped", "optimal")
    assert result.seconds <= 2.0 + 5.0  # long before the 60 s limit (a busy machine slows each step it finishes)
    assert result.added and result.bound >= result.objective
