"""Sweep speed: a 16-run budget sweep ($0.25B-$4B, 20 s limit each), serial against a Dask LocalCluster.

Serial runs them one after another in this process, with no cluster; the LocalCluster
runs them on one worker process a core (two here).  Both write to a throw-away SQLite
store, as a sweep does.  ``speedup`` is serial seconds over cluster seconds; ``runs per
minute`` is for the cluster; the README turns it into what 100 runs take on N workers.

    python benchmarks/bench_sweep.py --json [--time-limit 20] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def one_sweep(folder: Path, time_limit: float, serial: bool, workers: int) -> dict:
    from coverage.data import DataSet
    from coverage.scenario import Scenario
    from coverage.store import ScenarioStore
    from coverage.sweeps import StoreResults, load_sweep, run_sweep

    (folder / "base.json").write_text(Scenario(name="Frontier").to_json())
    path = folder / "sweep.json"
    budgets = [0.25e9 * k for k in range(1, 17)]
    path.write_text(json.dumps({"schema": "rural-coverage/sweep@1", "name": "Frontier", "base": "base.json",
                                "vary": {"budget.total_usd": budgets}, "time_limit_s": time_limit}))
    store = ScenarioStore(f"sqlite:///{folder}/{'serial' if serial else 'cluster'}.db")
    sweep = load_sweep(path, store)
    data = DataSet.default()
    results = StoreResults(store, sweep, data.ref)
    started = time.perf_counter()
    outcome = run_sweep(sweep, data, results, serial=serial, workers=workers)
    seconds = time.perf_counter() - started
    rows = results.rows()
    return {"seconds": round(seconds, 1), "runs": outcome["runs"], "failed": outcome["failed"],
            "statuses": {s: sum(r["status"] == s for r in rows) for s in {r["status"] for r in rows}},
            "runs_per_minute": round(60 * outcome["runs"] / seconds, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        serial = one_sweep(Path(folder), args.time_limit, True, 1)
        cluster = one_sweep(Path(folder), args.time_limit, False, args.workers)
    result = {"time_limit_s": args.time_limit, "workers": args.workers, "serial": serial, "local_cluster": cluster,
              "speedup": round(serial["seconds"] / cluster["seconds"], 2), "target_speedup": 1.7}
    print(json.dumps(result, indent=2) if args.json else
          f"serial {serial['seconds']} s, LocalCluster ({args.workers} workers) {cluster['seconds']} s: "
          f"x{result['speedup']} (target x1.7); {cluster['runs_per_minute']} runs a minute")


if __name__ == "__main__":
    main()
