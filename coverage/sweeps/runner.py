"""Running a sweep: on a Dask cluster (local or by address), each finished run written at once, resumable.

Results go to the scenario store when it can be opened (the sweep and each run's row in
``sweeps``/``sweep_runs``, each run's plan saved as a scenario version tagged with the
sweep), or else to a results file (JSON lines, one per finished run, written and
flushed as it finishes).  Either way a sweep that is stopped, or whose client crashes,
resumes with only the runs still missing; a worker that dies mid-run has its tasks
rescheduled by Dask, so no run is lost.

The cluster must be trusted: Dask ships tasks and data between its processes with
pickle (cloudpickle), as every Dask deployment does.  Nothing a user uploads is ever
unpickled here; the data set is checked by the loaders before it is sent.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from coverage.errors import InputError, Problem
from coverage.files import append_line
from coverage.sweeps.spec import Run, Sweep

if TYPE_CHECKING:
    from coverage.data import DataSet

ROW_KEYS = ("status", "objective", "bound", "gap", "seconds", "hubs", "cost_usd", "covered_same_day",
            "covered_next_day", "covered_none", "served_same_day", "served_next_day", "served_none")


def sweep_identifier(sweep: Sweep, space: str | None = None) -> str:
    """A sweep's id in the store: from what it runs, and (outside the shared ``team:local``) the space it runs in, so
    two people who run the same sweep file each get their own sweep rather than each other's."""
    from coverage.store.access import LOCAL_TEAM, team_space

    if space is None or space == team_space(LOCAL_TEAM):
        return f"sweep-{sweep.identity[:12]}"
    import hashlib

    return f"sweep-{hashlib.sha256(f'{sweep.identity}|{space}'.encode()).hexdigest()[:12]}"


class StoreResults:
    """Runs written to the scenario store (in ``space``: the acting person's default); each plan saved as a version
    named for its run, in the sweep's space."""

    def __init__(self, store, sweep: Sweep, data_ref, author: str = "local", space: str | None = None):
        self.store, self.sweep, self.data_ref, self.author = store, sweep, data_ref, author
        self.space = space if space is not None else store.default_space
        self.sweep_id = sweep_identifier(sweep, self.space)
        self.created = store.create_sweep(self.sweep_id, sweep.name, sweep.as_dict(), sweep.base,
                                          len(sweep.runs()), author=author, space=self.space)

    @property
    def where(self) -> str:
        return f"the scenario store at {self.store.display_url}, sweep {self.sweep_id}"

    def done(self) -> dict[str, dict]:
        return {row["run_key"]: row for row in self.store.sweep_runs(self.sweep_id) if row["status"] != "failed"}

    def record(self, run: Run, row: dict) -> dict:
        plan = row.pop("plan", None)
        scenario_id = version = None
        if plan is not None:
            from coverage.scenario import parse_scenario

            settings = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in run.settings.items())
            plan["name"] = f"{self.sweep.name}: {settings}"[:500]
            figures = {"hubs": len(plan["hubs"]), "cost_usd": row["cost_usd"],
                       "budget_usd": parse_scenario(plan).budget.total_usd,
                       "communities": {}, "population": {t: row[f"covered_{t}"] for t in ("same_day", "next_day",
                                                                                          "none")},
                       "served_population": {t: row[f"served_{t}"] for t in ("same_day", "next_day", "none")}}
            saved = self.store.save(plan, figures=figures, data=self.data_ref,
                                    scenario_id=f"{self.sweep_id}-{run.position + 1}", author=self.author,
                                    space=self.space,
                                    note=f"sweep {self.sweep_id} run {run.position + 1}")
            scenario_id, version = saved.id, saved.version
        self.store.record_run(self.sweep_id, run.key, run.position, run.settings, row["status"] if "error" not in row
                              else "failed", row, scenario_id, version)
        return {**row, "scenario_id": scenario_id, "version": version}

    def rows(self) -> list[dict]:
        return self.store.sweep_runs(self.sweep_id)


class FileResults:
    """Runs written to a JSON-lines file (when there is no store), plans inside."""

    def __init__(self, path: str | Path, sweep: Sweep):
        self.path, self.sweep = Path(path), sweep
        self.sweep_id = sweep_identifier(sweep)

    @property
    def where(self) -> str:
        return str(self.path)

    def _read(self) -> list[dict]:
        if not self.path.exists():
            return []
        rows = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by a crash: that run is simply run again
            if row.get("sweep_id") == self.sweep_id:
                rows.append(row)
        return rows

    def done(self) -> dict[str, dict]:
        return {row["run_key"]: row for row in self._read() if row["status"] != "failed"}

    def record(self, run: Run, row: dict) -> dict:
        line = {"sweep_id": self.sweep_id, "run_key": run.key, "position": run.position, "settings": run.settings,
                **row, "status": "failed" if "error" in row else row["status"]}
        append_line(self.path, json.dumps(line, ensure_ascii=False))
        return line

    def rows(self) -> list[dict]:
        latest = {row["run_key"]: row for row in self._read()}
        return sorted(latest.values(), key=lambda row: row["position"])


def connect(scheduler: str | None, workers: int | None):
    """A Dask client: to the scheduler at an address, or a LocalCluster with one process a core."""
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            return Client(scheduler, timeout="10s"), None
        except (OSError, TimeoutError) as error:
            raise InputError(Problem(f"cannot reach the Dask scheduler at {scheduler}: {error}",
                                     column="--scheduler")) from None
    count = workers or os.cpu_count() or 1
    cluster = LocalCluster(n_workers=count, threads_per_worker=1, processes=True, dashboard_address=None,
                           silence_logs=40)
    return Client(cluster), cluster


def failed_row(error: BaseException) -> dict:
    """The results row of a run that failed: its reason, no figures."""
    return {"error": f"{type(error).__name__}: {error}", **{k: None for k in ROW_KEYS}, "status": "failed"}


def run_sweep(sweep: Sweep, data: "DataSet", results, *, scheduler: str | None = None, workers: int | None = None,
              serial: bool = False, progress: Callable[[int, int, int], None] | None = None,
              stop: threading.Event | None = None) -> dict:
    """Run every missing run of the sweep on ``data`` and write each as it finishes; returns counts and where they
    went.

    ``serial`` runs in this process one after another (the benchmark's baseline), with no
    cluster at all.
    """
    from coverage.sweeps import work

    runs = sweep.runs()
    done = results.done()
    missing = [run for run in runs if run.key not in done]
    finished, failed = len(runs) - len(missing), 0
    if progress:
        progress(finished, failed, len(runs))
    started = time.monotonic()
    if serial or not missing:
        for run in missing:
            if stop is not None and stop.is_set():
                break
            try:
                row = work.run(sweep.base, run.settings, data, sweep.time_limit_s, sweep.replan)
            except Exception as error:  # a run that fails is recorded as failed; the sweep goes on
                row, failed = failed_row(error), failed + 1
            results.record(run, row)
            finished += 1
            if progress:
                progress(finished, failed, len(runs))
        return {"runs": len(runs), "ran": len(missing), "failed": failed, "seconds": time.monotonic() - started,
                "where": results.where}
    from distributed import as_completed

    client, cluster = connect(scheduler, workers)
    try:
        shared = client.scatter(data, broadcast=True, hash=False)
        futures = {client.submit(work.run, sweep.base, run.settings, shared, sweep.time_limit_s, sweep.replan,
                                 key=f"run-{sweep.identity[:8]}-{run.key}", pure=False, retries=1): run
                   for run in missing}
        for future in as_completed(futures):
            run = futures[future]
            try:
                row = future.result()
            except Exception as error:
                row, failed = failed_row(error), failed + 1
            results.record(run, row)
            finished += 1
            if progress:
                progress(finished, failed, len(runs))
            if stop is not None and stop.is_set():
                for other in futures:
                    other.cancel()
                break
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return {"runs": len(runs), "ran": len(missing), "failed": failed, "seconds": time.monotonic() - started,
            "where": results.where}
