"""Report speed for a national plan (340 hubs on the 4,000 communities), against the report issue's targets.

One run of each format on this machine, timed from the evaluated plan to the finished
file's bytes (figures gathered, map and charts drawn, file encoded).  ``ratio`` is the
target divided by the measurement (above 1: within the target).

    python benchmarks/bench_reports.py --json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGETS_S = {".pdf": 5.0, ".xlsx": 2.0, ".gpkg": 2.0, ".geojson.zip": 2.0, ".csv": 1.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args()

    from coverage.evaluation import evaluate
    from coverage.optimize import optimize
    from coverage.reports import gather, report_bytes
    from coverage.scenario import Scenario

    plan = optimize(Scenario(name="National plan, 340 hubs"), budget=4e9, greedy=True).scenario
    plan = plan.replace(hubs=plan.hubs[:340])
    evaluation = evaluate(plan)
    report_bytes(gather(evaluate(Scenario())), ".pdf")  # fonts and projections loaded once, as in a running app
    rows = {}
    for fmt, target in TARGETS_S.items():
        started = time.perf_counter()
        data = report_bytes(gather(evaluation), fmt)
        seconds = time.perf_counter() - started
        rows[fmt] = {"seconds": round(seconds, 2), "target_s": target, "ratio": round(target / seconds, 1),
                     "bytes": len(data)}
    result = {"hubs": len(plan.hubs), "communities": evaluation.engine.n_communities, "formats": rows}
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{result['hubs']} hubs, {result['communities']:,} communities")
    for fmt, row in rows.items():
        print(f"{fmt:<13}{row['seconds']:>7.2f} s  target {row['target_s']:.0f} s  x{row['ratio']}  "
              f"{row['bytes']:,} bytes")


if __name__ == "__main__":
    main()
