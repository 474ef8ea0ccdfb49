"""Scenario store speed on SQLite and PostgreSQL, against the targets of the store's issue.

With 10,000 versions in the store (1,000 scenarios x 10 versions), measures:

* **save** of a 340-hub plan: its key figures from a warm engine, then a new version;
* **open** of that plan: read the version, parse the scenario, evaluate it;
* **list** of the 1,000 scenarios with their key figures;
* **compare** of two national plans (both evaluated, figures, deltas, hub and tier
  changes, by state, spend) on the server.

Each figure is the median of repeated runs in this one process; ``ratio`` is the target
divided by the measurement (above 1: within the target).  PostgreSQL runs in a
throw-away cluster started here (durable commits on, as a team would run it).

    python benchmarks/bench_store.py --json
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from timing import median_ms  # noqa: E402

TARGETS_MS = {"save_340_hubs": 50.0, "open_340_hubs": 50.0, "list_1000_scenarios": 200.0,
              "compare_two_national_plans": 300.0}


def fill(store, document: dict, figures: dict, data, scenarios: int = 1000, versions: int = 10) -> None:
    """1,000 scenarios with 10 versions each, written in bulk (the set-up, not what is measured)."""
    import sqlalchemy as sa

    from coverage.store import schema

    text = json.dumps(document, separators=(",", ":"))
    numbers = json.dumps(figures)
    now = "2026-01-01T00:00:00.000000Z"
    with store.engine.begin() as conn:
        conn.execute(sa.insert(schema.scenarios), [
            {"id": f"bulk-{i}", "name": f"Bulk plan {i}", "latest_version": versions, "figures": numbers,
             "created_at": now, "created_by": "bench", "updated_at": now, "updated_by": "bench"}
            for i in range(scenarios)])
        conn.execute(sa.insert(schema.versions), [
            {"scenario_id": f"bulk-{i}", "version": v, "name": f"Bulk plan {i}", "document": text, "figures": numbers,
             "communities": data.communities, "author": "bench", "created_at": now, "note": ""}
            for i in range(scenarios) for v in range(1, versions + 1)])


def measure(url: str, national, other, repeat: int) -> dict:
    from coverage.compare import compare
    from coverage.evaluation import evaluate
    from coverage.scenario import parse_scenario
    from coverage.store import ScenarioStore
    from coverage.store.data import data_ref

    store = ScenarioStore(url)
    evaluation = evaluate(national)
    data = data_ref(evaluation.engine.communities)
    fill(store, national.to_dict(), evaluation.key_figures(), data)
    saved = store.save(national.to_dict(), figures=evaluation.key_figures(), data=data)

    def save() -> None:
        fresh = evaluate(national, engine=evaluation.engine)
        store.save(national.to_dict(), figures=fresh.key_figures(), data=data, scenario_id=saved.id)

    def open_() -> None:
        version = store.get(saved.id)
        evaluate(parse_scenario(version.document), engine=evaluation.engine)

    def listing() -> None:
        assert len(store.list()) == 1002

    other_saved = store.save(other.to_dict(), figures=evaluate(other).key_figures(), data=data)

    def comparing() -> None:
        a, b = store.get(saved.id), store.get(other_saved.id)
        plans = [(label, evaluate(parse_scenario(v.document), engine=evaluation.engine))
                 for label, v in (("A", a), ("B", b))]
        result = compare(plans)
        result.as_dict(), result.figures_table(), result.by_state(), result.spend()

    rows = {"save_340_hubs": median_ms(save, repeat), "open_340_hubs": median_ms(open_, repeat),
            "list_1000_scenarios": median_ms(listing, max(3, repeat // 4)),
            "compare_two_national_plans": median_ms(comparing, max(3, repeat // 4))}
    rows = {key: round(value, 2) for key, value in rows.items()}
    versions = store.info(saved.id).latest_version + 10_000
    store.close()
    return {"versions_in_store": versions, **{
        key: {"ms": value, "target_ms": TARGETS_MS[key], "ratio": round(TARGETS_MS[key] / value, 1)}
        for key, value in rows.items()}}


def plans():
    """A 340-hub national plan ($4B, greedy) and a second national plan ($2B) to compare with it."""
    from coverage.optimize import optimize
    from coverage.scenario import Scenario

    # coverage plans (every hub a conversion), so that $4B buys 340 hubs as the goal is stated
    national = optimize(Scenario(name="National 340", respect_capacity=False), budget=4e9, greedy=True).scenario
    hubs = national.hubs[:340] if len(national.hubs) >= 340 else national.hubs
    national = national.replace(hubs=hubs)
    other = optimize(Scenario(name="National $2B", respect_capacity=False), budget=2e9, greedy=True).scenario
    return national, other


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    national, other = plans()
    result = {"hubs": len(national.hubs), "sqlite": None, "postgresql": None}
    with tempfile.TemporaryDirectory() as folder:
        result["sqlite"] = measure(f"sqlite:///{folder}/scenarios.db", national, other, args.repeat)
    from tests.pgcluster import create_database, throwaway_cluster

    with throwaway_cluster(fsync=True) as server:
        result["postgresql"] = measure(create_database(server, "bench"), national, other, args.repeat)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{result['hubs']} hubs; 10,000 versions in the store")
    for backend in ("sqlite", "postgresql"):
        for key, value in result[backend].items():
            if isinstance(value, dict):
                print(f"{backend:<11}{key:<28}{value['ms']:>9.1f} ms  target {value['target_ms']:.0f} ms  "
                      f"x{value['ratio']}")


if __name__ == "__main__":
    main()
