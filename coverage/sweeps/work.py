"""One run of a sweep, as a Dask worker (or the client itself) runs it.

The data set (:class:`~coverage.data.DataSet`) travels to each worker once (the client
scatters it with ``broadcast``), and each worker process builds the coverage engine for
it once and keeps it (``DataSet.engine``, the per-process engine cache of
``coverage/data.py``); every run after the first on a worker starts from the built engine.
"""

from __future__ import annotations

import time


def run(base: dict, settings: dict, data, time_limit: float, replan: bool) -> dict:
    """Optimise the base scenario with these settings on ``data`` (a DataSet); the row the results table holds,
    and the plan."""
    from coverage.evaluation import evaluate
    from coverage.optimize import optimize
    from coverage.scenario import parse_scenario
    from coverage.sweeps.spec import apply

    started = time.monotonic()
    scenario = parse_scenario(apply(base, settings), source="sweep run")
    built = data.engine(scenario.travel)
    result = optimize(scenario, data.communities, data.sites, time_limit=time_limit, replan=replan, engine=built)
    evaluation = evaluate(result.scenario, engine=built)
    covered, served = evaluation.coverage.totals()["population"], evaluation.served().totals()["population"]
    return {
        "status": result.status, "objective": round(result.objective, 3), "bound": round(result.bound, 3),
        "gap": round(result.gap, 8), "seconds": round(time.monotonic() - started, 3),
        "optimiser_seconds": round(result.seconds, 3), "hubs": len(result.scenario.hubs),
        "hubs_added": len(result.added), "cost_usd": float(evaluation.key_figures()["cost_usd"]),
        **{f"covered_{tier}": value for tier, value in covered.items()},
        **{f"served_{tier}": value for tier, value in served.items()},
        "model": result.stats.get("model", "coverage"), "plan": result.scenario.to_dict(),
    }
