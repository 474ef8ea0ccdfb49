"""The scenario-level face of the optimiser: what the app's page, the CLI and the API call."""

from __future__ import annotations

import dataclasses
import math
import threading
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from coverage import defaults, limits
from coverage.engine import CoverageEngine
from coverage.errors import InputError, Problem
from coverage.optimize.problem import CoverageProblem
from coverage.optimize.solve import Progress, Solution


@dataclass
class OptimizeResult:
    """A proposed plan: the new scenario, what changed, and the proof."""

    status: str
    objective: float
    bound: float
    gap: float
    seconds: float
    scenario: object                  # the proposed Scenario (kept hubs + added hubs)
    added: list                       # Hub objects added
    removed: list                     # Hub objects dropped (only when re-planning unlocked hubs)
    budget_usd: float                 # money the optimiser could spend on new hubs
    spent_usd: float
    stats: dict = field(default_factory=dict)
    model: str = "capacity"           # what objective and bound count: "capacity" (people served), "coverage" (reached)
    greedy_objective: float | None = None  # the greedy plan's objective, the search's starting point

    @property
    def gap_people(self) -> float:
        """What the gap means in people: no plan within this budget serves (or, for the coverage model, reaches)
        more than this many weighted people beyond this one."""
        return max(0.0, self.bound - self.objective)

    def as_dict(self) -> dict:
        """The ``optimize --json`` document."""
        return {"status": self.status, "objective": self.objective, "bound": self.bound, "gap": self.gap,
                "seconds": round(self.seconds, 3), "added": [hub.as_dict() for hub in self.added],
                "removed": [hub.as_dict() for hub in self.removed], "budget_usd": self.budget_usd,
                "spent_usd": self.spent_usd, "gap_people": self.gap_people, "model": self.model,
                "greedy_objective": self.greedy_objective, "stats": self.stats}


def optimize(scenario, communities=None, sites=None, *, budget: float | None = None, time_limit: float = 60.0,
             replan: bool = False, greedy: bool = False, progress: Callable[[Progress], None] | None = None,
             stop: threading.Event | None = None, engine: CoverageEngine | None = None,
             matrix=None) -> OptimizeResult:
    """Propose hubs that maximise people served (or, without capacity, reached) within the budget.

    ``budget`` (USD) replaces the scenario's total budget; the optimiser spends what the
    kept hubs leave of it.  Unlocked hubs are kept too unless ``replan`` is true.  With
    ``optimizer.respect_capacity`` (the default) it maximises the served weighted people
    and chooses each new hub's type (``capacity.py``); without, it maximises people within
    reach (``model.py``), with hubs of ``optimizer.hub_type``.  Where the site file gives a
    type, that type is used.  Proposed hubs open in ``optimizer.open_quarter``.
    """
    from coverage import budget as cost_model
    from coverage.evaluation import engine_for, hub_site
    from coverage.scenario import Hub

    total = scenario.budget.total_usd if budget is None else budget
    problems = []
    if not isinstance(total, (int, float)) or not math.isfinite(total) or total < 0:
        problems.append(Problem(f"{total!r} is not a budget (a non-negative number of dollars)", column="budget"))
    if not isinstance(time_limit, (int, float)) or not time_limit > 0:
        problems.append(Problem(f"{time_limit!r} is not a time limit (seconds, more than 0)", column="time_limit"))
    if not 0 <= scenario.next_day_weight <= 1:
        problems.append(Problem(f"{scenario.next_day_weight} must be between 0 and 1", column="next_day_weight"))
    if problems:
        raise InputError(problems)
    if communities is None:
        from coverage.dataset import default_communities

        communities = default_communities()
    engine = engine or engine_for(communities, sites, scenario.travel, matrix)
    kept = [hub for hub in scenario.hubs if hub.locked or not replan]
    removed = [hub for hub in scenario.hubs if not (hub.locked or not replan)]
    kept_sites = [hub_site(hub, engine, i) for i, hub in enumerate(kept)]
    horizon = scenario.budget.horizon_end
    kept_cost = sum(cost_model.hub_cost_usd(hub, scenario.costs, horizon) for hub in kept)
    available = total - kept_cost
    if available < 0:
        raise InputError(Problem(f"the hubs kept already cost ${kept_cost:,.0f}, more than the ${total:,.0f} budget",
                                 column="budget"))
    taken = set(kept_sites)
    candidates = np.array([s for s in range(engine.n_sites) if s not in taken], dtype=np.int64)
    site_types = engine.sites["type"].astype(str).to_numpy() if "type" in engine.sites else None
    types = [site_types[s] if site_types is not None and site_types[s] in defaults.HUB_TYPES
             else scenario.proposed_hub_type for s in candidates.tolist()]
    price = {kind: cost_model.hub_cost_usd(Hub(id=kind, site_id=kind, type=kind,
                                               open_quarter=scenario.proposed_open_quarter), scenario.costs, horizon)
             for kind in defaults.HUB_TYPES}
    if scenario.respect_capacity:
        problem = capacity_problem(scenario, engine, kept, kept_sites, candidates, site_types, price, available)
        if not len(problem.option_cost):
            value = problem.people(problem.base_value)
            solution = Solution("optimal", [], value, value, 0.0, {"options": 0, "model": "capacity"})
        else:
            solution = problem.solve(available, time_limit, progress, stop, greedy_only=greedy)
    else:
        costs = np.array([price[t] for t in types])
        problem = CoverageProblem.from_engine(engine, scenario.travel, kept_sites, candidates, costs,
                                              scenario.next_day_weight, budget=available, types=types)
        if problem.near.shape[1] == 0:
            solution = Solution("optimal", [], problem.value([]), problem.value([]), 0.0, {"candidates": 0})
        else:
            solution = problem.solve(available, time_limit, progress, stop, greedy_only=greedy)
    chosen = list(zip(solution.sites, solution.types))
    if len(kept) + len(chosen) > limits.limit("hubs"):  # a plan the rest of the tool would refuse is never proposed
        found = limits.describe("hubs", len(kept) + len(chosen))
        raise InputError(Problem(f"the plan the optimiser found for ${total:,.0f} {found}, or lower the budget",
                                 column="budget"))
    # the proposal is the plan for this budget, so it carries it (and the optimiser settings it was made with)
    new_scenario = scenario.replace(hubs=tuple(kept), budget=dataclasses.replace(scenario.budget, total_usd=total))
    added = []
    for site, kind in chosen:
        site_id = str(engine.sites["site_id"].iloc[site])
        hub = Hub(id=new_scenario.new_hub_id(used=[h.id for h in scenario.hubs]),
                  name=f"Hub at {engine.site_label(site)}",
                  site_id=site_id, type=kind, open_quarter=scenario.proposed_open_quarter)
        new_scenario = new_scenario.replace(hubs=new_scenario.hubs + (hub,))
        added.append(hub)
    spent = sum(price[hub.type] for hub in added)
    return OptimizeResult(solution.status, solution.objective, solution.bound, solution.gap, solution.seconds,
                          new_scenario, added, removed, float(available), float(spent), solution.stats,
                          model="capacity" if scenario.respect_capacity else "coverage",
                          greedy_objective=solution.stats.get("greedy_objective"))


def capacity_problem(scenario, engine: CoverageEngine, kept: list, kept_sites: list[int], candidates: np.ndarray,
                     site_types, price: dict, available: float):
    """The capacity-aware model: every affordable (site, type) option, the kept hubs with their capacity."""
    from coverage.capacity import demand_per_day, parcels_per_person_day
    from coverage.optimize.capacity import CapacityProblem

    costs = scenario.costs
    option_site, option_type = [], []
    for site in candidates.tolist():
        given = site_types[site] if site_types is not None and site_types[site] in defaults.HUB_TYPES else None
        for kind in ([given] if given else defaults.HUB_TYPES):
            if price[kind] <= available + 1e-6:
                option_site.append(site)
                option_type.append(kind)
    demand = demand_per_day(engine.population, costs.parcels_per_person_per_year, costs.peak_factor)
    per_person = parcels_per_person_day(costs.parcels_per_person_per_year, costs.peak_factor)
    return CapacityProblem(engine, scenario.travel, demand, scenario.next_day_weight, per_person, kept_sites,
                           [costs.capacity_parcels_per_day[hub.type] for hub in kept],
                           np.array(option_site, dtype=np.int64),
                           option_type, np.array([price[t] for t in option_type], dtype=float),
                           np.array([costs.capacity_parcels_per_day[t] for t in option_type], dtype=float))
