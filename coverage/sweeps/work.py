"""One run of a sweep, as a Dask worker (or the client itself) runs it.

The data set travels to each worker once (the client scatters it with ``broadcast``),
and each worker process builds the coverage engine for it once and keeps it
(``_ENGINES``, keyed by the data's fingerprint and the reach); every run after the
first on a worker starts from the built engine.
"""

from __future__ import annotations

import threading
import time

import pandas as pd

_ENGINES: dict = {}
_LOCK = threading.Lock()


def engine(communities: pd.DataFrame, sites: pd.DataFrame | None, travel, matrix=None):
    """This process's engine for the data and reach, or the travel matrix (built on first use)."""
    from coverage.engine import CoverageEngine
    from coverage.evaluation import check_matrix, fingerprint, radius_for

    check_matrix(travel, matrix)
    reach = matrix.fingerprint if matrix is not None else radius_for(travel)
    key = (fingerprint(communities), fingerprint(sites) if sites is not None else None, reach)
    with _LOCK:
        if key not in _ENGINES:
            _ENGINES[key] = (CoverageEngine(communities, sites, matrix=matrix) if matrix is not None else
                             CoverageEngine(communities, sites, radius_miles=key[2]))
            while len(_ENGINES) > 4:
                _ENGINES.pop(next(iter(_ENGINES)))
        return _ENGINES[key]


def run(base: dict, settings: dict, data: tuple, time_limit: float, replan: bool) -> dict:
    """Optimise the base scenario with these settings; the row the results table holds, and the plan."""
    from coverage.evaluation import evaluate
    from coverage.optimize import optimize
    from coverage.scenario import parse_scenario
    from coverage.sweeps.spec import apply

    communities, sites, *rest = data
    matrix = rest[0] if rest else None
    started = time.monotonic()
    scenario = parse_scenario(apply(base, settings), source="sweep run")
    built = engine(communities, sites, scenario.travel, matrix)
    result = optimize(scenario, communities, sites, time_limit=time_limit, replan=replan, engine=built)
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
