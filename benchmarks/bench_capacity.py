"""Capacity: served figures after one hub change, and the capacity-aware optimiser against the straightforward MILP.

* **Served figures** for 300 hubs on the 4,000 communities: from scratch, and after one
  hub is removed or added (the app's case: the workspace keeps the LP warm), against
  the 50 ms target.
* **The optimiser** (``coverage/optimize/capacity.py``) against the straightforward
  capacitated MILP in HiGHS (every site and type, every pair within next-day reach,
  default HiGHS settings, no warm start), each with the same time limit, at $0.5B, $1B,
  $2B and $4B: status, objective, proven bound and gap of each, in weighted people served.

    python benchmarks/bench_capacity.py --json [--budgets 5e8 1e9 2e9 4e9] [--time-limit 60]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def served_speed(repeat: int = 10) -> dict:
    from coverage.capacity import solver_for
    from coverage.evaluation import evaluate
    from coverage.optimize import optimize
    from coverage.scenario import Scenario

    plan = optimize(Scenario(respect_capacity=False), budget=4e9,
                    greedy=True).scenario
    plan = plan.replace(hubs=plan.hubs[:300])
    evaluation = evaluate(plan)
    caps = [10_000.0] * len(plan.hubs)
    started = time.perf_counter()
    solver = solver_for(evaluation)
    solver.solve(evaluation.coverage.hub_sites, caps)
    cold = (time.perf_counter() - started) * 1000
    warm = []
    coverage = evaluation.coverage
    for position in range(repeat):
        smaller = coverage.with_hub_removed(position * 7)
        for sites, capacities in ((smaller.hub_sites, caps[:-1]), (coverage.hub_sites, caps)):
            started = time.perf_counter()
            solver.solve(sites, capacities)
            warm.append((time.perf_counter() - started) * 1000)
    return {"hubs": len(plan.hubs), "cold_ms": round(cold, 1), "one_hub_change_ms": round(statistics.median(warm), 1),
            "one_hub_change_ms_max": round(max(warm), 1), "target_ms": 50.0,
            "ratio": round(50.0 / statistics.median(warm), 1)}


def straightforward(problem, budget: float, time_limit: float) -> dict:
    """The full capacitated MILP as one would first write it, solved by HiGHS with its defaults."""
    import highspy
    import scipy.sparse as sp

    from coverage.highs import maximise

    n, m, k = problem.engine.n_communities, len(problem.sites), len(problem.option_cost)
    pairs = len(problem.pair_community)
    # columns: y (k options), x (pairs); rows: demand (n), capacity (m), one type a site (m), budget
    rows = np.concatenate([n + problem.option_column, n + m + problem.option_column, np.full(k, n + 2 * m),
                           problem.pair_community, n + problem.pair_site])
    cols = np.concatenate([np.arange(k)] * 3 + [k + np.arange(pairs)] * 2)
    vals = np.concatenate([-problem.option_capacity, np.ones(k), problem.option_cost / 1e6, np.ones(2 * pairs)])
    matrix = sp.csc_matrix((vals, (rows, cols)), shape=(n + 2 * m + 1, k + pairs))
    highs = maximise(matrix, np.concatenate([np.zeros(k), problem.pair_weight]),
                     np.concatenate([np.ones(k), np.full(pairs, highspy.kHighsInf)]),
                     np.concatenate([problem.demand, np.zeros(m), np.ones(m), [budget / 1e6]]), k)
    highs.setOptionValue("time_limit", time_limit)
    highs.setOptionValue("mip_rel_gap", 1e-4)
    started = time.perf_counter()
    highs.run()
    seconds = time.perf_counter() - started
    info = highs.getInfo()
    objective = problem.people(info.objective_function_value) if info.primal_solution_status else None
    bound = problem.people(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else None
    gap = (bound - objective) / bound if objective is not None and bound else None
    return {"status": highs.modelStatusToString(highs.getModelStatus()), "seconds": round(seconds, 2),
            "objective": round(objective, 1) if objective is not None else None,
            "bound": round(bound, 1) if bound is not None else None,
            "gap": round(gap, 6) if gap is not None else None}


def optimiser(budgets: list[float], time_limit: float) -> list[dict]:
    from coverage import budget as cost_model
    from coverage import defaults
    from coverage.dataset import default_communities
    from coverage.evaluation import engine_for
    from coverage.optimize import optimize
    from coverage.optimize.plan import capacity_problem
    from coverage.scenario import Hub, Scenario

    scenario = Scenario(name="capacity benchmark")
    engine = engine_for(default_communities(), None, scenario.travel)
    price = {kind: cost_model.hub_cost_usd(Hub(id=kind, site_id=kind, type=kind,
                                               open_quarter=scenario.proposed_open_quarter),
                                           scenario.costs, scenario.budget.horizon_end) for kind in defaults.HUB_TYPES}
    rows = []
    for budget in budgets:
        result = optimize(scenario, budget=budget, time_limit=time_limit)
        problem = capacity_problem(scenario, engine, [], [], np.arange(engine.n_sites), None, price, budget)
        baseline = straightforward(problem, budget, time_limit)
        row = {"budget_usd": budget, "status": result.status, "seconds": round(result.seconds, 2),
               "objective": round(result.objective, 1), "bound": round(result.bound, 1), "gap": round(result.gap, 6),
               "hubs": len(result.added), "new_builds": sum(h.type == "new" for h in result.added),
               **{f"baseline_{key}": value for key, value in baseline.items()}}
        if baseline["objective"] is not None:
            row["objective_vs_baseline"] = round(result.objective / baseline["objective"], 4)
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--budgets", type=float, nargs="+", default=[5e8, 1e9, 2e9, 4e9])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--served-only", action="store_true", help="only the served-figures timing")
    args = parser.parse_args()
    result = {"served": served_speed()}
    if not args.served_only:
        result["optimiser"] = optimiser(args.budgets, args.time_limit)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
