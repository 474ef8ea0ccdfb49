"""A separate process that saves versions to a scenario store, for the concurrency and crash tests.

``python -m tests.store_worker URL SCENARIO_ID WORKER COUNT`` saves COUNT versions of
the scenario, each document marked with (WORKER, i), and prints ``version sha256`` for
each save as soon as it has returned.
"""

from __future__ import annotations

import hashlib
import json
import sys

from coverage.store import DataRef, ScenarioStore


def document(worker: int, index: int) -> dict:
    """A scenario document whose content says who saved it and when."""
    return {"schema": "rural-coverage/scenario@1", "name": f"worker {worker} save {index}",
            "hubs": [{"id": f"h{k}", "name": f"Hub {worker}-{index}-{k}", "site_id": str(5445298 + k),
                      "type": "conversion", "open_quarter": "2025Q4", "locked": False} for k in range(index % 7)]}


def digest(doc: dict) -> str:
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def main() -> None:
    url, scenario_id, worker, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    store = ScenarioStore(url)
    for index in range(count):
        doc = document(worker, index)
        saved = store.save(doc, figures={"hubs": len(doc["hubs"])}, data=DataRef("test:1"),
                           scenario_id=scenario_id, author=f"worker-{worker}")
        print(saved.version, digest(doc), flush=True)


if __name__ == "__main__":
    main()
