"""The optimiser against the straightforward model handed to HiGHS, on the default data, in one run.

    python benchmarks/bench_optimize.py [--json] [--budgets 0.5e9 1e9 2e9 4e9] [--time-limit 120]
                                        [--baseline-time-limit 300]
    python benchmarks/bench_optimize.py --sweep [--json]   # $0.25B-$4B in steps of $0.25B, 60 s each

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
from coverage.highs import highs_instance  # noqa: E402
from coverage.optimize import MIP_GAP, CoverageProblem, optimize  # noqa: E402
from coverage.scenario import Hub, Scenario  # noqa: E402

GOALS = {"speedup": 10, "gap": MIP_GAP}


def baseline(problem: CoverageProblem, budget: float, time_limit: float) -> dict:
    """The straightforward model: max sum w p z + (1 - w) p y, y <= S x, z <= N x, c x <= B, x binary."""
    import highspy

    near, same = problem.near_rows, problem.same_rows
    m, n = near.shape
    matrix = sp.vstack([
        sp.hstack([-near, sp.identity(m), sp.csr_matrix((m, m))]),
        sp.hstack([-same, sp.csr_matrix((m, m)), sp.identity(m)]),
        sp.hstack([sp.csr_matrix(problem.costs[None, :]), sp.csr_matrix((1, 2 * m))]),
    ]).tocsc()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n + 2 * m, 2 * m + 1
    lp.col_cost_ = np.concatenate([np.zeros(n), problem.g_next, problem.g_extra])
    lp.col_lower_, lp.col_upper_ = np.zeros(n + 2 * m), np.ones(n + 2 * m)
    lp.row_lower_ = np.full(2 * m + 1, -np.inf)
    lp.row_upper_ = np.concatenate([np.zeros(2 * m), [budget]])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = matrix.indptr, matrix.indices, matrix.data
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n + [highspy.HighsVarType.kContinuous] * (2 * m)
    highs = highs_instance()
    highs.passModel(lp)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--budgets", type=float, nargs="+", default=[0.5e9, 1e9, 2e9, 4e9])
    parser.add_argument("--time-limit", type=float, help="seconds a run (default 120; 60 with --sweep)")
    parser.add_argument("--baseline-time-limit", type=float, default=300.0)
    parser.add_argument("--sweep", action="store_true", help="the sixteen budgets $0.25B-$4B, 60 s each")
    parser.add_argument("--cut-seconds", type=float, default=30.0, help="time for root cuts in --sweep")
    args = parser.parse_args()
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
