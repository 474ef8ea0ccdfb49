"""Sweeps: the sweep file's checks, and real Dask clusters (a scheduler and workers as separate processes)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from coverage.errors import InputError
from coverage.optimize import optimize
from coverage.scenario import Scenario, parse_scenario
from coverage.store import ScenarioStore
from coverage.sweeps import load_sweep, parse_sweep
from coverage.sweeps.spec import apply

from .conftest import ROOT, free_port

BASE = Scenario(name="Base", respect_capacity=False).to_dict()


def write_sweep(folder, vary, time_limit=8, base=None, name="Test sweep"):
    (folder / "base.json").write_text(json.dumps(base or BASE))
    path = folder / "sweep.json"
    path.write_text(json.dumps({"schema": "rural-coverage/sweep@1", "name": name, "base": "base.json", "vary": vary,
                                "time_limit_s": time_limit}))
    return path


# -- the sweep file ------------------------------------------------------------------------------------------
def test_the_grid_is_the_product_of_the_lists_in_order(tmp_path):
    sweep = load_sweep(write_sweep(tmp_path, {"budget.total_usd": [5e8, 1e9, 2e9], "travel.speed_mph": [45, 50]}))
    runs = sweep.runs()
    assert [r.settings for r in runs][:3] == [{"budget.total_usd": 5e8, "travel.speed_mph": 45},
                                             {"budget.total_usd": 5e8, "travel.speed_mph": 50},
                                             {"budget.total_usd": 1e9, "travel.speed_mph": 45}]
    assert len(runs) == 6 and len({r.key for r in runs}) == 6
    assert load_sweep(tmp_path / "sweep.json").runs()[4].key == runs[4].key  # stable across readings
    assert apply(BASE, runs[1].settings)["travel"]["speed_mph"] == 50


@pytest.mark.parametrize("vary, message", [
    ({"travel.sped_mph": [45]}, "vary.travel.sped_mph: is not a scenario setting; did you mean 'travel.speed_mph'?"),
    ({"budget.total_usd": []}, "vary.budget.total_usd: needs a non-empty list of values"),
    ({"travel.speed_mph": [45, 500]}, "vary.travel.speed_mph[1]: 500 must be at most 100"),
    ({"optimizer.next_day_weight": [0.5, "half"]}, 'vary.optimizer.next_day_weight[1]: "half" is not a number'),
    ({"thresholds.same_day_minutes": [60, 300]}, "cannot be longer than the next-day threshold"),
    ({}, "vary: needs at least one setting"),
    ({"budget.total_usd": list(range(1, 102)), "travel.speed_mph": list(range(5, 105))}, "a sweep holds at most"),
])
def test_bad_sweep_files_name_every_problem(tmp_path, vary, message):
    with pytest.raises(InputError) as caught:
        load_sweep(write_sweep(tmp_path, vary))
    assert any(message in str(p) for p in caught.value.problems), [str(p) for p in caught.value.problems]


def test_a_bad_sweep_file_exits_2_from_the_cli(tmp_path):
    path = write_sweep(tmp_path, {"travel.speed_mph": [45, 500]})
    result = subprocess.run([sys.executable, "-m", "coverage", "sweep", str(path), "--results", str(tmp_path / "r")],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "sweep.json:vary.travel.speed_mph[1]: 500 must be at most 100" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_sweep_on_a_stored_base(tmp_path, isolated_store):
    from coverage.store import DataRef
    from coverage.store.data import default_fingerprint

    store = ScenarioStore(isolated_store)
    saved = store.save(BASE, figures={}, data=DataRef(default_fingerprint()))
    sweep = parse_sweep({"schema": "rural-coverage/sweep@1", "base": f"store:{saved.id}",
                         "vary": {"budget.total_usd": [1e8]}}, BASE, f"store:{saved.id}")
    assert sweep.runs()[0].settings == {"budget.total_usd": 1e8}
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"schema": "rural-coverage/sweep@1", "base": f"store:{saved.id}@1",
                                "vary": {"budget.total_usd": [1e8]}}))
    assert load_sweep(path, store).base == parse_scenario(BASE).to_dict()


# -- real clusters ---------------------------------------------------------------------------------------------
@contextlib.contextmanager
def dask_cluster(workers: int = 2):
    """``dask scheduler`` and ``dask worker`` processes on 127.0.0.1, started from the repository root."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    scheduler = subprocess.Popen([*dask, "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"], cwd=ROOT,
                                 env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 start_new_session=True)
    processes = [scheduler]
    try:
        for _ in range(workers):
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1", "--nworkers", "1",
                 "--no-dashboard", "--local-directory", str(ROOT / "test-artifacts" / "dask")],
                cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True))
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(workers, timeout=60)
        yield address, processes[1:]
    finally:
        stop(processes)


def stop(processes: list, timeout_s: float = 30) -> None:
    """End processes this test started (each in its own session, with what it started), newest first."""
    for process in reversed(processes):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=timeout_s)


def sweep_command(path, *extra):
    return [sys.executable, "-m", "coverage", "sweep", str(path), *extra]


def finished_runs(store_url: str) -> list[dict]:
    store = ScenarioStore(store_url)
    sweeps = store.sweeps()
    return store.sweep_runs(sweeps[0]["id"]) if sweeps else []


BUDGETS = [1e8, 1.5e8, 2e8, 2.5e8, 3e8, 3.5e8]


def test_a_sweep_on_a_cluster_by_address_equals_plain_optimize(tmp_path, isolated_store):
    path = write_sweep(tmp_path, {"budget.total_usd": [2e8, 5e8], "optimizer.next_day_weight": [0.5]})
    with dask_cluster() as (address, _):
        result = subprocess.run(sweep_command(path, "--scheduler", address, "--json"), cwd=ROOT, capture_output=True,
                                text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [r["budget.total_usd"] for r in rows] == [2e8, 5e8]
    for row in rows:
        # the same optimiser under the same limit: on a busy machine either may stop at the limit, so compare
        # what both prove (each plan is feasible, so neither objective can beat the other's proven bound)
        plain = optimize(parse_scenario(apply(BASE, {"budget.total_usd": row["budget.total_usd"]})), time_limit=8)
        assert row["status"] in ("optimal", "time_limit") and plain.status in ("optimal", "time_limit")
        assert row["objective"] <= plain.bound * (1 + 1e-6) and plain.objective <= row["bound"] * (1 + 1e-6)
        if row["status"] == plain.status == "optimal":
            assert row["objective"] == pytest.approx(plain.objective, rel=1e-6)
        stored = ScenarioStore(isolated_store).get(row["scenario"].split(":")[1].split("@")[0])
        assert len(stored.document["hubs"]) == row["hubs"]


def test_a_worker_killed_in_the_middle_loses_no_run(tmp_path, isolated_store):
    path = write_sweep(tmp_path, {"budget.total_usd": BUDGETS}, time_limit=6)
    with dask_cluster() as (address, workers):
        sweep = subprocess.Popen(sweep_command(path, "--scheduler", address), cwd=ROOT, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while len(finished_runs(isolated_store)) < 1 and time.monotonic() < deadline:
            time.sleep(0.5)
        os.killpg(workers[0].pid, signal.SIGKILL)  # the worker and its nanny, mid-run
        out, err = sweep.communicate(timeout=300)
    assert sweep.returncode == 0, err
    runs = finished_runs(isolated_store)
    assert sorted(r["settings"]["budget.total_usd"] for r in runs) == BUDGETS
    assert all(r["status"] in ("optimal", "time_limit") for r in runs)


def test_a_killed_client_resumes_with_only_the_missing_runs(tmp_path, isolated_store):
    path = write_sweep(tmp_path, {"budget.total_usd": BUDGETS}, time_limit=6)
    with dask_cluster() as (address, _):
        sweep = subprocess.Popen(sweep_command(path, "--scheduler", address), cwd=ROOT, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 120
        while len(finished_runs(isolated_store)) < 2 and time.monotonic() < deadline:
            time.sleep(0.3)
        os.killpg(sweep.pid, signal.SIGKILL)
        sweep.wait(timeout=30)
        before = len(finished_runs(isolated_store))
        assert 2 <= before < len(BUDGETS)
        again = subprocess.run(sweep_command(path, "--scheduler", address), cwd=ROOT, capture_output=True, text=True,
                               timeout=300)
    assert again.returncode == 0, again.stderr
    assert f"{len(BUDGETS)} runs, {len(BUDGETS) - before} run now" in again.stderr
    assert sorted(r["settings"]["budget.total_usd"] for r in finished_runs(isolated_store)) == BUDGETS


def test_a_local_cluster_sweep_writes_a_results_file_when_asked(tmp_path):
    path = write_sweep(tmp_path, {"budget.total_usd": [1e8, 2e8]})
    out = tmp_path / "frontier.csv"
    result = subprocess.run(sweep_command(path, "--workers", "2", "--results", str(tmp_path / "runs.jsonl"),
                                          "--out", str(out)), cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in (tmp_path / "runs.jsonl").read_text().splitlines()]
    assert len(lines) == 2 and all(line["status"] in ("optimal", "time_limit") and line["objective"] > 0
                                   for line in lines)  # a busy machine may end a run at its limit before the proof
    import pandas as pd

    frame = pd.read_csv(out)
    assert list(frame["budget.total_usd"]) == [1e8, 2e8] and {"objective", "bound", "gap", "hubs"} <= set(frame)


def test_the_readmes_cluster_set_up_runs_a_sweep(tmp_path, isolated_store):
    """Issue 21.15: the README's commands, exactly: the installed package (no PYTHONPATH, not from the checkout),
    ``dask scheduler --port PORT`` and ``dask worker ADDRESS --nthreads 1``; every run used to fail with 'Error during
    deserialization of the task graph' because the scheduler could not import the package."""
    readme = (ROOT / "README.md").read_text()
    assert "pip install -r requirements.txt ./rural-coverage" in readme
    assert "dask scheduler --port 8786" in readme and "dask worker tcp://scheduler-host:8786 --nthreads 1" in readme
    scripts = os.path.dirname(sys.executable)
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    elsewhere = tmp_path / "elsewhere"  # not the checkout: the package must come from the installation
    elsewhere.mkdir()
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    started = []
    try:
        started.append(subprocess.Popen([os.path.join(scripts, "dask"), "scheduler", "--port", str(port)],
                                        cwd=elsewhere, env=environment, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True))
        started.append(subprocess.Popen([os.path.join(scripts, "dask"), "worker", address, "--nthreads", "1"],
                                        cwd=elsewhere, env=environment, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True))
        from distributed import Client

        deadline = time.monotonic() + 120
        while True:  # the scheduler takes a moment to listen
            try:
                with Client(address, timeout="10s") as client:
                    client.wait_for_workers(1, timeout=90)
                break
            except (OSError, TimeoutError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
        path = write_sweep(elsewhere, {"budget.total_usd": [1e8, 2e8]})
        result = subprocess.run([os.path.join(scripts, "rural-coverage"), "sweep", str(path), "--scheduler", address,
                                 "--json"], cwd=elsewhere, env=environment, capture_output=True, text=True, timeout=600)
    finally:
        stop(started)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [row["budget.total_usd"] for row in rows] == [1e8, 2e8]
    assert all(row["status"] in ("optimal", "time_limit") and "error" not in row for row in rows), rows
    assert "deserialization" not in result.stderr and "(0 failed)" in result.stderr
    stored = ScenarioStore(isolated_store)
    assert [len(stored.get(row["scenario"].split(":")[1].split("@")[0]).document["hubs"]) for row in rows] == [
        row["hubs"] for row in rows]


def test_a_sweep_file_whose_budget_cannot_pay_for_the_kept_hubs_is_refused(tmp_path):
    """Issue 21.13: such runs only failed one by one ('hubs kept already cost...'); the file is refused before."""
    from coverage.scenario import Hub

    base = Scenario(name="Kept", respect_capacity=False,
                    hubs=(Hub(id="h1", name="Dodge", site_id="5445298"), Hub(id="h2", name="Hays", site_id="4272782",
                                                                             locked=True))).to_dict()
    with pytest.raises(InputError) as caught:
        load_sweep(write_sweep(tmp_path, {"budget.total_usd": [1e7, 1e9]}, base=base))
    (problem,) = caught.value.problems
    assert problem.column == "vary.budget.total_usd" and "run 1" in problem.message
    assert "the 2 hub(s) it keeps already cost" in problem.message
    replan = json.loads((tmp_path / "sweep.json").read_text()) | {"replan": True, "vary": {"budget.total_usd": [2e7]}}
    (tmp_path / "sweep.json").write_text(json.dumps(replan))
    assert len(load_sweep(tmp_path / "sweep.json").runs()) == 1  # re-planning keeps only the locked hub: it fits


def test_the_store_lists_what_a_planner_saved_and_keeps_a_sweeps_own_plans_out(isolated_store):
    """Issue 21.12: a plan opened from a run and saved ('saved as version 2') never appeared in the list."""
    from coverage.store import DataRef
    from coverage.store.data import default_fingerprint

    store = ScenarioStore(isolated_store)
    data = DataRef(default_fingerprint())
    store.create_sweep("sweep-abc", "Budgets", {"vary": {}}, {}, 1)
    base = store.save(BASE, figures={}, data=data, scenario_id="sweep-abc")  # a sweep's base: its own id
    run = store.save(BASE | {"name": "Budgets: run 1"}, figures={}, data=data, scenario_id="sweep-abc-1")
    store.record_run("sweep-abc", "key", 0, {}, "optimal", {"status": "optimal"}, run.id, run.version)
    assert store.list() == [] and {s.id for s in store.list(sweeps=True)} == {base.id, run.id}
    saved = store.save(BASE | {"name": "My pick"}, figures={}, data=data, scenario_id=run.id, based_on=1)
    assert [(s.id, s.name, s.latest_version) for s in store.list()] == [(run.id, "My pick", saved.version)]
    assert [s.id for s in store.list(search="pick")] == [run.id]
    mine = store.save(BASE | {"name": "sweep-looking name"}, figures={}, data=data, scenario_id="sweep-by-hand")
    assert mine.id in {s.id for s in store.list()}  # an id is not a marker


def test_the_apps_launch_stores_the_base_writes_the_file_whole_and_closes_its_log(tmp_path, isolated_store,
                                                                                   monkeypatch):
    """Issue 23 part 5: the Sweeps page wrote the sweep file, re-typed its schema and left the log to the page; the
    launch is coverage/sweeps/launch.py: the base and the sweep in the store, the file through write_atomic (a valid
    sweep@1 document), the log closed in this process once the child has it."""
    from coverage.data import DataSet
    from coverage.sweeps import launch as launching
    from coverage.sweeps.planner import plan_sweep
    from coverage.sweeps.spec import SCHEMA

    started = {}

    class FakeProcess:
        def __init__(self, command, **options):
            started.update(command=command, log=options["stdout"], cwd=options["cwd"])

    monkeypatch.setattr(launching.subprocess, "Popen", FakeProcess)
    store = ScenarioStore(isolated_store)
    sweep = plan_sweep(Scenario(name="Base"), "empty", {"budget.total_usd": "250, 500"}, name="Two budgets",
                       time_limit_s=5)
    sweep_id, _ = launching.launch(store, sweep, DataSet.default(), workers=1, author="tester", folder=tmp_path)
    path = started["command"][started["command"].index("sweep") + 1]
    document = json.loads(open(path, encoding="utf-8").read())
    assert document["schema"] == SCHEMA and document["base"] == f"store:{sweep_id}@1"
    assert started["log"].closed and started["cwd"] == launching.PACKAGE_ROOT
    assert [s["id"] for s in store.sweeps()] == [sweep_id]
    assert sweep_id not in [info.id for info in store.list()]  # a sweep's base stays out of the list
