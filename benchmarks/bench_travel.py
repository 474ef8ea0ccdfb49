"""Travel models: the matrix as fast as the circuity model, a 30,000 x 30,000 matrix at scale, OSM roads to a matrix.

* **Same speed**: the default data, the circuity model's pairs within next-day reach
  written as a matrix; 300 hubs evaluated, and one hub added or removed, with each
  engine (median of repeated runs in this process); ``ratio`` = matrix / circuity.
* **Scale** (written in one child process, loaded in another, so the peak memory is loading's own): 30,000 demand points
  by 30,000 sites spread like the real communities, the pairs within 240 minutes as a
  Parquet matrix; seconds to load it (checked) and to build the engine, and peak memory,
  against the 4 GB the engine already fits in.
* **Roads**: a synthetic grid of side x side two-way streets written as ``.osm.pbf``
  (1,000,000 nodes at the default side), read into the drive graph, and a matrix built
  from 100 sites to 2,000 communities within 240 minutes.

    python benchmarks/bench_travel.py --json [--scale 30000] [--grid 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from timing import median_ms  # noqa: E402


def circuity_matrix(engine, travel) -> pd.DataFrame:
    keys = engine._row_key
    keys = keys[keys <= engine.layout.tier_limits(travel)[1]]
    return pd.DataFrame({"site_id": engine.sites["site_id"].astype(str).to_numpy()[engine.layout.site(keys)],
                         "community_id": engine.communities["community_id"].astype(str).to_numpy()[
                             engine.layout.community(keys)],
                         "minutes": travel.drive_minutes(engine.layout.miles(keys))})


def same_speed() -> dict:
    from coverage.dataset import default_communities
    from coverage.engine import CoverageEngine
    from coverage.evaluation import radius_for
    from coverage.travel import TravelModel
    from coverage.travel.matrix import load_travel_matrix

    communities = default_communities()
    travel = TravelModel()
    circuity = CoverageEngine(communities, radius_miles=radius_for(travel))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "m.parquet"
        circuity_matrix(circuity, travel).to_parquet(path, index=False)
        matrix_travel = TravelModel(mode="matrix")
        matrix = CoverageEngine(communities, matrix=load_travel_matrix(path))
    hubs = np.random.default_rng(5).choice(circuity.n_sites, 300, replace=False)
    rows = {}
    for name, engine, model in (("circuity", circuity, travel), ("matrix", matrix, matrix_travel)):
        base = engine.evaluate(hubs, model)
        evaluate_ms = median_ms(lambda engine=engine, model=model: engine.evaluate(hubs, model), 30)
        extra = [s for s in range(engine.n_sites) if s not in set(hubs.tolist())][:40]
        change_us = median_ms(lambda base=base, extra=extra: [base.with_hub_added(s) for s in extra]
                              and [base.with_hub_removed(k) for k in range(40)], 10) / 80 * 1000
        rows[name] = {"pairs": engine.pairs, "evaluate_300_hubs_ms": round(evaluate_ms, 3),
                      "one_hub_change_us": round(change_us, 1)}
    rows["ratio_evaluate"] = round(rows["matrix"]["evaluate_300_hubs_ms"] / rows["circuity"]["evaluate_300_hubs_ms"], 2)
    rows["ratio_change"] = round(rows["matrix"]["one_hub_change_us"] / rows["circuity"]["one_hub_change_us"], 2)
    return rows


def scale_frames(n: int):
    from bench_coverage import scale_points

    communities = scale_points(n, 1)
    sites = scale_points(n, 2).rename(columns={"community_id": "site_id"})
    return communities, sites


def scale_write(n: int, path: Path) -> dict:
    """Write the scale matrix (its own process, so its memory does not count against loading)."""
    from coverage.engine import CoverageEngine
    from coverage.travel import TravelModel

    communities, sites = scale_frames(n)
    travel = TravelModel()
    circuity = CoverageEngine(communities, sites, radius_miles=travel.threshold_miles[1])
    circuity_matrix(circuity, travel).to_parquet(path, index=False)
    return {"pairs": int(circuity.pairs), "parquet_mb": round(path.stat().st_size / 2**20, 1)}


def scale_load(n: int, path: Path) -> dict:
    """Load and check the matrix, build the engine, evaluate 1,000 hubs; peak memory of this process."""
    from coverage.engine import CoverageEngine
    from coverage.travel import TravelModel
    from coverage.travel.matrix import load_travel_matrix

    communities, sites = scale_frames(n)
    # a matrix this size is over the default limits (coverage/limits.py): raised here, as a planner would
    os.environ.update(COVERAGE_MAX_MATRIX_PAIRS="100000000", COVERAGE_MAX_FILE_MB="4000",
                      COVERAGE_MAX_UNPACKED_MB="8000", COVERAGE_MAX_SITES=str(n), COVERAGE_MAX_COMMUNITIES=str(n))
    started = time.perf_counter()
    matrix = load_travel_matrix(path, site_ids=sites["site_id"].to_numpy(),
                                community_ids=communities["community_id"].to_numpy())
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    engine = CoverageEngine(communities, sites, matrix=matrix)
    build_s = time.perf_counter() - started
    del matrix
    hubs = np.random.default_rng(3).choice(n, 1000, replace=False)
    evaluate_ms = median_ms(lambda: engine.evaluate(hubs, TravelModel(mode="matrix")), 10)
    return {"load_and_check_s": round(load_s, 2), "engine_build_s": round(build_s, 2),
            "engine_ms_1000_hubs": round(evaluate_ms, 2),
            "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "memory_limit_mb": 4096}


def scale(n: int) -> dict:
    def child(step: str, path: Path) -> dict:
        output = subprocess.run([sys.executable, __file__, "--scale-step", step, str(n), str(path)],
                                capture_output=True, text=True, check=True).stdout
        return json.loads(output.strip().splitlines()[-1])

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.parquet"
        return {"demand_points": n, "sites": n, **child("write", path), **child("load", path)}


def roads(side: int) -> dict:
    from osm_fixtures import grid  # noqa: E402  (tests/osm_fixtures.py)

    from coverage.travel.roads import build_matrix, read_graph

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "grid.osm.pbf"
        started = time.perf_counter()
        grid(path, side, spacing_deg=0.005)
        write_s = time.perf_counter() - started
        started = time.perf_counter()
        graph = read_graph(path)
        read_s = time.perf_counter() - started
    rng = np.random.default_rng(7)
    span = (side - 1) * 0.005

    def points(n: int, key: str) -> pd.DataFrame:
        return pd.DataFrame({key: [f"{key[0]}{i}" for i in range(n)], "name": "p",
                             "lat": 38.0 + rng.uniform(0, span, n), "lon": -100.0 + rng.uniform(0, span, n)})

    sites, communities = points(100, "site_id"), points(2000, "community_id")
    started = time.perf_counter()
    frame, summary = build_matrix(graph, sites, communities, 240.0)
    build_s = time.perf_counter() - started
    return {"nodes": graph.nodes, "edges": int(graph.graph.nnz), "write_pbf_s": round(write_s, 1),
            "read_graph_s": round(read_s, 1), "sites": 100, "communities": 2000, "pairs": len(frame),
            "matrix_s": round(build_s, 1), "seconds_per_site": round(build_s / 100, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--scale", type=int, default=30_000)
    parser.add_argument("--grid", type=int, default=1000)
    parser.add_argument("--scale-step", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scale_step:
        step, n, path = args.scale_step
        print(json.dumps((scale_write if step == "write" else scale_load)(int(n), Path(path))))
        return
    sys.path.insert(0, str(ROOT / "tests"))
    result = {"same_speed": same_speed()}
    if args.scale:
        result["scale"] = scale(args.scale)
    if args.grid:
        result["roads"] = roads(args.grid)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
