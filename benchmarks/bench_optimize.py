"""The optimiser against the straightforward model handed to HiGHS, on the default data, in one run.

    python benchmarks/bench_optimize.py [--json] [--budgets 0.5e9 1e9 2e9 4e9] [--time-limit 120]
                                        [--baseline-time-limit 300]

For each budget, at default costs (every site a conversion opening in the default
quarter) and the default travel model: our optimiser (``coverage.optimize``) and the
baseline, the straightforward formulation (one binary per site, one continuous
variable per community and tier, the budget row in dollars) solved by HiGHS's MIP
solver as it is, both to a 0.01% gap.  Goal: the same optimum, proved, and a speedup
of at least 10.  A baseline that hits its time limit is reported with its gap.
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

from coverage.dataset import default_communities  # noqa: E402
from coverage.evaluation import engine_for  # noqa: E402
from coverage.optimize import MIP_GAP, CoverageProblem, optimize  # noqa: E402
from coverage.optimize import highs_instance  # noqa: E402
from coverage.scenario import Scenario  # noqa: E402

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


def run(budgets: list[float], time_limit: float, baseline_limit: float) -> dict:
    communities = default_communities()
    scenario = Scenario(name="benchmark")
    engine = engine_for(communities, None, scenario.travel)
    rows = []
    for budget in budgets:
        result = optimize(scenario, communities, budget=budget, time_limit=time_limit, engine=engine)
        row = {"budget_usd": budget, "status": result.status, "seconds": round(result.seconds, 2),
               "objective": round(result.objective, 1), "bound": round(result.bound, 1),
               "gap": round(result.gap, 6), "hubs": len(result.added),
               "stats": {k: v for k, v in result.stats.items() if k not in ("candidates", "communities")}}
        problem = CoverageProblem.from_engine(engine, scenario.travel, [], np.arange(engine.n_sites),
                                              np.full(engine.n_sites, result.spent_usd / max(len(result.added), 1)),
                                              scenario.next_day_weight)
        row.update(baseline(problem, budget, baseline_limit))
        row["speedup"] = round(row["baseline_seconds"] / max(row["seconds"], 1e-9), 1)
        row["same_optimum"] = abs(row["objective"] - row["baseline_objective"]) <= MIP_GAP * row["bound"]
        rows.append(row)
        print(json.dumps({k: v for k, v in row.items() if k != "stats"}), file=sys.stderr, flush=True)
    return {"communities": len(communities), "candidate_sites": engine.n_sites, "time_limit": time_limit,
            "baseline_time_limit": baseline_limit, "budgets": rows, "goals": GOALS,
            "goals_met": {f"{r['budget_usd'] / 1e9:g}B": r["status"] == "optimal" and r["speedup"] >= GOALS["speedup"]
                          for r in rows}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--budgets", type=float, nargs="+", default=[0.5e9, 1e9, 2e9, 4e9])
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--baseline-time-limit", type=float, default=300.0)
    args = parser.parse_args()
    report = run(args.budgets, args.time_limit, args.baseline_time_limit)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    for row in report["budgets"]:
        print(f"${row['budget_usd'] / 1e9:g}B: {row['status']} {row['objective']:,.0f} gap {row['gap']:.4%} in "
              f"{row['seconds']:.1f} s; baseline {row['baseline_status']} {row['baseline_objective']:,.0f} gap "
              f"{row['baseline_gap']:.4%} in {row['baseline_seconds']:.1f} s; speedup {row['speedup']:g}x")


if __name__ == "__main__":
    main()
