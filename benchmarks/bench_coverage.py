"""Coverage engine speed against a plain geopandas buffer-and-join, measured in one run.

    python benchmarks/bench_coverage.py [--json] [--hubs 300] [--repeats 50] [--no-scale]

The baseline is what a GIS analyst would write: project the hubs (EPSG:5070, CONUS
Albers), buffer each by the same-day and next-day radii, spatially join the
communities (projected once, outside the timing) to the rings, and take each
community's best tier.  The engine computes more than that (the nearest hub and its
distance for every community, and the no-road rule), yet must be at least 100 times
faster for a full evaluation and 1,000 times faster for one hub change.  Figures
are medians over repeats.  The scale run builds the engine for 30,000 demand points
and 30,000 candidate sites in a child process and reports its build time and peak
memory (goal: under 4 GB).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coverage.dataset import default_communities  # noqa: E402
from coverage.engine import CoverageEngine  # noqa: E402
from coverage.evaluation import radius_for  # noqa: E402
from coverage.travel import TravelModel  # noqa: E402

GOALS = {"speedup": 100, "incremental_speedup": 1000, "scale_peak_memory_mb": 4096}


def median_ms(function, repeats: int) -> float:
    function()  # warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return float(np.median(times) * 1000)


def baseline_tiers(communities_projected, hubs, same_miles: float, next_miles: float):
    """Tier codes (0 same-day, 1 next-day, 2 none) by buffering hubs and joining: the plain GIS way."""
    import geopandas as gpd
    import pandas as pd

    points = gpd.GeoDataFrame(hubs[["community_id"]].reset_index(drop=True),
                              geometry=gpd.points_from_xy(hubs.lon, hubs.lat), crs=4326).to_crs(5070)
    rings = []
    for tier, miles in ((0, same_miles), (1, next_miles)):
        ring = points.copy()
        ring["geometry"] = points.buffer(miles * 1609.344)
        ring["tier"] = tier
        rings.append(ring)
    rings = gpd.GeoDataFrame(pd.concat(rings, ignore_index=True), crs=points.crs)
    joined = gpd.sjoin(communities_projected, rings[["tier", "geometry"]], predicate="within", how="left")
    return joined.groupby(level=0)["tier"].min().fillna(2).astype(int).to_numpy()


def run_default(hub_count: int, repeats: int, seed: int = 7) -> dict:
    import geopandas as gpd

    communities = default_communities()
    travel = TravelModel()
    same, nxt = travel.threshold_miles
    start = time.perf_counter()
    engine = CoverageEngine(communities, radius_miles=radius_for(travel))
    build_ms = (time.perf_counter() - start) * 1000
    rng = np.random.default_rng(seed)
    hub_rows = rng.choice(len(communities), hub_count, replace=False)
    hub_ids = [f"h{i + 1}" for i in range(hub_count)]
    hubs = communities.iloc[hub_rows]

    engine_ms = median_ms(lambda: engine.evaluate(hub_rows, travel, hub_ids), repeats)
    result = engine.evaluate(hub_rows, travel, hub_ids)

    # One hub change: add, remove or move one hub, drawn at random, each from the same 300-hub plan.
    changes = {"add": [], "remove": [], "move": []}
    for kind in changes:
        for _ in range(repeats * 4):
            site, position = int(rng.integers(len(communities))), int(rng.integers(hub_count))
            change = {"add": lambda s=site: result.with_hub_added(s),
                      "remove": lambda p=position: result.with_hub_removed(p),
                      "move": lambda p=position, s=site: result.with_hub_moved(p, s)}[kind]
            start = time.perf_counter()
            change()
            changes[kind].append(time.perf_counter() - start)
    per_kind = {kind: float(np.median(times) * 1000) for kind, times in changes.items()}
    incremental_ms = float(np.median(sum(changes.values(), [])) * 1000)

    projected = gpd.GeoDataFrame(communities[["community_id"]], crs=4326,
                                 geometry=gpd.points_from_xy(communities.lon, communities.lat)).to_crs(5070)
    baseline_ms = median_ms(lambda: baseline_tiers(projected, hubs, same, nxt), max(5, repeats // 5))
    baseline = baseline_tiers(projected, hubs, same, nxt)
    mainland = engine.community_landmass == "mainland"
    return {
        "communities": len(communities), "hubs": hub_count, "pairs": engine.pairs,
        "build_ms": round(build_ms, 2),
        "engine_ms": round(engine_ms, 4),
        "incremental_ms": round(incremental_ms, 5),
        "incremental_add_ms": round(per_kind["add"], 5),
        "incremental_remove_ms": round(per_kind["remove"], 5),
        "incremental_move_ms": round(per_kind["move"], 5),
        "baseline_ms": round(baseline_ms, 3),
        "speedup": round(baseline_ms / engine_ms, 1),
        "incremental_speedup": round(baseline_ms / incremental_ms, 1),
        "incremental_speedup_by_kind": {k: round(baseline_ms / v, 1) for k, v in per_kind.items()},
        "tier_agreement_with_baseline_mainland": round(float((baseline[mainland] == result.tier[mainland]).mean()), 4),
        "tiers": result.totals()["communities"],
    }


def scale_points(n: int, seed: int):
    """n points spread like the real communities (each a community jittered by up to ~50 km)."""
    import pandas as pd

    communities = default_communities()
    rng = np.random.default_rng(seed)
    base = communities.iloc[rng.integers(len(communities), size=n)]
    return pd.DataFrame({
        "community_id": [f"p{i}" for i in range(n)], "name": "p", "state": base.state.to_numpy(),
        "county": base.county.to_numpy(), "lat": base.lat.to_numpy() + rng.normal(0, 0.3, n),
        "lon": base.lon.to_numpy() + rng.normal(0, 0.4, n), "population": rng.integers(500, 50_000, n),
    })


def run_scale_child(n: int) -> dict:
    """Executed in a child process so that its peak memory is its own."""
    communities = scale_points(n, 1)
    sites = scale_points(n, 2).rename(columns={"community_id": "site_id"})
    travel = TravelModel()
    start = time.perf_counter()
    engine = CoverageEngine(communities, sites, radius_miles=radius_for(travel))
    build_s = time.perf_counter() - start
    hubs = np.random.default_rng(3).choice(n, 1000, replace=False)
    evaluate_ms = median_ms(lambda: engine.evaluate(hubs, travel), 10)
    return {"demand_points": n, "sites": n, "pairs": engine.pairs, "build_s": round(build_s, 2),
            "table_mb": round(engine.memory_bytes / 2**20, 1), "hubs": 1000,
            "engine_ms_1000_hubs": round(evaluate_ms, 2),
            "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def run_scale(n: int) -> dict:
    output = subprocess.run([sys.executable, __file__, "--scale-child", str(n)], capture_output=True, text=True,
                            check=True).stdout
    return json.loads(output)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--hubs", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--scale", type=int, default=30_000, help="points for the scale run (0 to skip)")
    parser.add_argument("--no-scale", action="store_true", help="skip the scale run")
    parser.add_argument("--scale-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scale_child:
        print(json.dumps(run_scale_child(args.scale_child)))
        return
    report = run_default(args.hubs, args.repeats)
    if args.scale and not args.no_scale:
        report["scale"] = run_scale(args.scale)
    report["goals"] = GOALS
    report["goals_met"] = {
        "speedup": report["speedup"] >= GOALS["speedup"],
        "incremental_speedup": report["incremental_speedup"] >= GOALS["incremental_speedup"],
        **({"scale_peak_memory_mb": report["scale"]["peak_memory_mb"] < GOALS["scale_peak_memory_mb"]}
           if "scale" in report else {}),
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{report['communities']:,} communities, {report['hubs']} hubs, {report['pairs']:,} pairs "
          f"(built in {report['build_ms']:.0f} ms)")
    print(f"full evaluation  {report['engine_ms']:.3f} ms   baseline {report['baseline_ms']:.1f} ms   "
          f"speedup {report['speedup']:,.0f}x (goal {GOALS['speedup']}x)")
    print(f"one hub change   {report['incremental_ms'] * 1000:.1f} us  speedup {report['incremental_speedup']:,.0f}x "
          f"(goal {GOALS['incremental_speedup']}x); by kind {report['incremental_speedup_by_kind']}")
    if "scale" in report:
        scale = report["scale"]
        print(f"scale: {scale['demand_points']:,} x {scale['sites']:,}: {scale['pairs']:,} pairs, built in "
              f"{scale['build_s']} s, peak memory {scale['peak_memory_mb']:,.0f} MB")


if __name__ == "__main__":
    main()
